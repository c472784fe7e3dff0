// Live notifications: keeps the header's unread count current and announces new notices to
// screen readers. The page works without it; the count is also rendered by the server.
import { Backoff } from "./reconnect.js";

const badge = document.querySelector("[data-unread-count]");
const number = document.querySelector("[data-unread-number]");

function liveRegion() {
  const region = document.createElement("div");
  region.className = "visually-hidden";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  document.body.append(region);
  return region;
}

const backoff = new Backoff(1000, 60000);

function connect(region) {
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${window.location.host}/ws/notifications/`);
  socket.addEventListener("open", () => backoff.reset());
  socket.addEventListener("message", (event) => {
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    if (message.type !== "notification" || !message.payload) { return; }
    const unread = Number(message.payload.unread);
    if (badge && number && Number.isFinite(unread)) {
      number.textContent = String(unread);
      badge.hidden = unread === 0;
    }
    region.textContent = message.payload.title || "";
  });
  socket.addEventListener("close", (event) => {
    if (event.code === 4401) { return; }  // not signed in with a second factor: stop
    window.setTimeout(() => connect(region), backoff.next());
  });
}

if (badge && "WebSocket" in window) {
  connect(liveRegion());
}
