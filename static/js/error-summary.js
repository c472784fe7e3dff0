// A form sent back with errors starts with a summary (templates/includes/form_errors.html).
// The summary takes the focus, so a screen reader reads it at once, and each of its links puts
// the focus in the field it names, with the field's label in view. Without this script the
// summary and its links still work as plain anchors.
const summary = document.querySelector(".error-summary");
if (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) { return; }
    event.preventDefault();
    const label = document.querySelector(`label[for="${field.id}"]`);
    (field.closest("fieldset, .field") || label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
}
