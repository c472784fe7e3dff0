// A page waiting for the worker (a document's PDF, a roster import): polls the progress URL,
// then reloads the page.
const status = document.getElementById("render-progress");
if (status) {
  const poll = async () => {
    try {
      const response = await fetch(status.dataset.url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const progress = await response.json();
        if (progress.done) {
          window.location.reload();
          return;
        }
        status.textContent = `${progress.label}…`;
      }
    } catch {
      // A lost connection: keep polling, the page says what it last knew.
    }
    window.setTimeout(poll, 1500);
  };
  window.setTimeout(poll, 1000);
}
