// The live meeting page: one websocket speaking docs/protocol.md, and the state it keeps (the
// snapshot with the events applied). What the page shows is drawn by room-view.js from that state.
// Every text from the server goes in with textContent, never as HTML.
import { el } from "./dom.js";
import { Backoff } from "./reconnect.js";
import { T } from "./room-texts.js";
import * as view from "./room-view.js";

const root = document.getElementById("room");
const meetingId = Number(root.dataset.meeting);
const pendingBallots = new Map(); // message id → ballot message, resent after a reconnect
let socket = null;
let state = JSON.parse(document.getElementById("room-state").textContent);
let snapshotsLoaded = 0; // snapshots this page asked for (after the first, drawn by the server)
let snapshotsWithHello = 0; // snapshots the server sent with its hello, unasked
// For the browser tests and for support: the state this page holds and how it got there.
window.chiboRoom = {
  state: () => state, seq: () => seq,
  snapshotsLoaded: () => snapshotsLoaded, snapshotsWithHello: () => snapshotsWithHello,
};
let you = { member: state.you.member, roles: JSON.parse(root.dataset.roles) };
let seq = state.seq;
let counter = 0;
const backoff = new Backoff(500, 10000);
let receipts = JSON.parse(sessionStorage.getItem(`receipts-${meetingId}`) || "{}");

const $ = (selector) => root.querySelector(selector);

function announce(text, kind = "status") {
  const box = $("#room-messages");
  box.replaceChildren(el("p", { class: `message ${kind}` }, text));
}

function newId() {
  counter += 1;
  return `m${Date.now().toString(36)}-${counter}`;
}

function randomReceipt() {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return Array.from(bytes, (b) => alphabet[b % 32]).join("");
}

function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const waiting = new Map(); // message id → callback(frame)

function send(type, fields = {}, onReply = null) {
  const message = { id: newId(), type, ...fields };
  if (onReply) waiting.set(message.id, onReply);
  if (type === "ballot.cast") pendingBallots.set(message.id, message);
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  else if (type !== "ballot.cast") announce(T.offline, "error");
  return message.id;
}

// A ballot the server failed to write (`server_error`) or had no room for yet (`busy`) is sent
// again, the same message with the same ballot id, after 1 s, 2 s, 4 s … (at most 30 s, each a
// little random so a meeting's pages do not all come back at once). The server counts a ballot
// id once, so a ballot written after all is acknowledged as a duplicate; a vote closed
// meanwhile answers `vote_closed`, which ends the tries (docs/protocol.md).
const RESEND_CODES = new Set(["server_error", "busy"]);
const ballotTries = new Map(); // message id → times answered with a server-side failure

function resendBallotLater(id) {
  const tries = (ballotTries.get(id) || 0) + 1;
  ballotTries.set(id, tries);
  const delay = Math.min(1000 * 2 ** (tries - 1), 30000) * (0.75 + Math.random() / 2);
  setTimeout(() => {
    const message = pendingBallots.get(id);
    // Not connected now: the reconnect sends every pending ballot anyway.
    if (message && socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }, delay);
}

function connect() {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  // `seq`: the state this page holds; back after a moment away it gets only what it missed.
  socket = new WebSocket(`${scheme}://${location.host}/ws/meetings/${meetingId}/?seq=${seq}`);
  setConnection(T.connecting);
  socket.addEventListener("open", () => {
    backoff.reset();
    setConnection(T.connected);
  });
  socket.addEventListener("message", (event) => handle(JSON.parse(event.data)));
  socket.addEventListener("close", (event) => {
    if (event.code === 4401 || event.code === 4404) {
      // For good (signed out, or no longer in the meeting): media closes too (static/js/media.js).
      document.dispatchEvent(new CustomEvent("room:closed", { detail: { code: event.code } }));
      setConnection(event.code === 4401 ? T.signed_out : T.not_found);
      return;
    }
    setConnection(T.reconnecting);
    setTimeout(connect, reconnectDelay(event.code));
  });
}

// Every page of a meeting loses its socket at the same moment when a server stops (or could not
// write arrivals: 4503): each waits a random part of its delay, so they do not all come back in
// the same instant (docs/protocol.md, Reconnecting). After a Redis restart the socket stays open
// and the missed events come on it (or a new `hello`, handled like any hello).
function reconnectDelay(code) {
  if (code === 4503) return 100 + Math.random() * 1400;
  if (code === 4429) return 30000 + Math.random() * 30000; // too many handshakes this minute
  return backoff.next();
}

// The connection's state is shown, not spoken at each try: the live region says when it is lost,
// when it is back, and when the page cannot come back.
let connectionLost = false;
function setConnection(text) {
  $("#connection").textContent = text;
  if (text === T.reconnecting && !connectionLost) { connectionLost = true; announce(text, "error"); }
  if (text === T.connected && connectionLost) { connectionLost = false; announce(text); }
  if (text === T.signed_out || text === T.not_found) announce(text, "error");
}

// Other modules of the page speak through the page's one live region (secret-ballot-room.js).
document.addEventListener("room:announce", (e) => announce(e.detail.text, e.detail.kind ?? "status"));

// Other modules of the page send commands through this one socket (secret-ballot-room.js).
document.addEventListener("room:send", (e) => send(e.detail.type, e.detail.fields, e.detail.onReply || null));

function handle(frame) {
  if (frame.type === "hello") {
    // A new connection: commands the old one sent without an answer were lost with it
    // (secret-ballot-room.js sends its board's part again).
    document.dispatchEvent(new CustomEvent("room:connected"));
    you = frame.you;
    snapshotId = null;
    latest = Math.max(latest, frame.seq);
    // A new connection's hello is followed, unasked, by the events this page missed since the
    // `seq` it connected with (`events_follow`) or by the snapshot at the hello's `seq`; a hello
    // with neither (sent again after a long Redis outage, or an older server) is caught up from.
    if (frame.snapshot_follows || frame.events_follow !== undefined) catchUpId = null;
    else catchUp(frame.seq);
    // Nothing missed: drawn again all the same, so that what waits on a drawing acts on the
    // state as it is (a board member's part lost with the old connection is sent again).
    if (!frame.snapshot_follows && !frame.events_follow && frame.seq === seq) scheduleRender();
    // Ballots not acknowledged before the connection dropped are sent again, same ids.
    for (const message of pendingBallots.values()) socket.send(JSON.stringify(message));
  } else if (frame.type === "snapshot") {
    if (frame.id === null) snapshotsWithHello += 1;
    else snapshotsLoaded += 1;
    if (frame.id === snapshotId) snapshotId = null;
    state = frame.state;
    seq = frame.seq;
    render();
    applyEarly();
    // Events that came while it was on its way may be newer than it: load once more.
    if (latest > seq && !early.size) requestSnapshot();
  } else if (frame.type === "event") {
    latest = Math.max(latest, frame.seq);
    if (frame.seq <= seq) return;
    // A ballot count may stand for a run of counts (`covers`: the first of them).
    if ((frame.covers ?? frame.seq) > seq + 1) { holdEarly(frame); return; }
    applyFrame(frame);
    applyEarly();
  } else if (frame.id && frame.id === catchUpId) {
    catchUpId = null;
    if (frame.type === "ack") frame.result.events.forEach(handle);
    else requestSnapshot(); // too far behind (or refused): the whole state instead
  } else if (frame.type === "ack" || frame.type === "error") {
    if (frame.id === snapshotId) { snapshotId = null; if (frame.type === "error") setTimeout(requestSnapshot, 1000); }
    if (pendingBallots.has(frame.id) && frame.type === "error" && RESEND_CODES.has(frame.code)) {
      resendBallotLater(frame.id);
      announce(T.ballot_resending, "error");
      return;
    }
    if (pendingBallots.has(frame.id)) {
      const ballot = pendingBallots.get(frame.id);
      pendingBallots.delete(frame.id);
      ballotTries.delete(frame.id);
      if (frame.type === "ack") {
        announce(frame.result.duplicate ? T.ballot_duplicate : T.ballot_counted);
        state.you.cast_in_open_vote = true;
        render();
      } else ballotRefused(ballot, frame);
    }
    const callback = waiting.get(frame.id);
    waiting.delete(frame.id);
    if (frame.type === "error") announce(frame.message, "error");
    if (callback) callback(frame);
  }
}

function applyFrame(frame) {
  seq = frame.seq;
  // Most events carry what they change and are applied here; the others (the meeting's start
  // and end, a vote this page never saw) make it reload the snapshot, once per burst.
  const change = applyEvent[frame.event];
  if (change && change(frame.payload) !== false) scheduleRender();
  else scheduleSnapshot();
}

// With several server processes, each sends its own events after they commit, so one may
// arrive before an earlier one sent by another process. An event ahead of the next one expected
// waits here up to GAP_WAIT ms for those before it; if they do not come, they were lost, and
// the page reloads its snapshot (docs/protocol.md).
const GAP_WAIT = 500;
const early = new Map(); // seq → event frame
let gapTimer = null;

function holdEarly(frame) {
  early.set(frame.seq, frame);
  if (!gapTimer) gapTimer = setTimeout(() => { gapTimer = null; early.clear(); requestSnapshot(); }, GAP_WAIT);
}

function applyEarly() {
  for (;;) {
    for (const key of early.keys()) if (key <= seq) early.delete(key);
    const next = [...early.values()].find((f) => (f.covers ?? f.seq) <= seq + 1);
    if (!next) break;
    early.delete(next.seq);
    applyFrame(next);
  }
  if (!early.size && gapTimer) { clearTimeout(gapTimer); gapTimer = null; }
}

const voteOf = (id) => state.votes.find((v) => v.vote === id);
const turnOf = (id) => state.turns.find((t) => t.turn === id);
const itemOf = (id) => state.agenda.find((i) => i.id === id);

// The queue in the server's order; false when it names a request this page does not know.
function setQueue(ids, added = null) {
  const known = new Map(state.queue.map((q) => [q.request, q]));
  if (added) known.set(added.request, added);
  if (!ids.every((id) => known.has(id))) return false;
  state.queue = ids.map((id) => known.get(id));
  return true;
}

function endItem(id, at) {
  const item = itemOf(id);
  if (item) item.closed_at = at;
  for (const t of state.turns) if (!t.ended_at && t.item === id) t.ended_at = at;
  state.queue = []; // pending requests lapse with their item
}

// What each event changes, from its payload alone (docs/protocol.md lists the payloads).
const applyEvent = {
  // One event for the arrivals and departures or the mark of a moment: the rows that changed
  // (none when only who is connected changed), who is online now (not after the chair's marks)
  // and the charter's new assessment.
  "attendance.changed": (p) => {
    const rows = p.changes.map((c) => [state.roll.find((r) => r.member === c.member), c]);
    if (rows.some(([row]) => !row) || !p.assessment) return false;
    for (const [row, c] of rows) Object.assign(row, { status: c.status, mode: c.mode, reason: c.reason, left_early: Boolean(c.left_early) });
    state.assessment = p.assessment;
    for (const r of state.roll) r.may_vote_why_not = p.why_not[r.member] || "";
    if (p.online) state.online = p.online;
  },
  "agenda.opened": (p) => {
    if (p.closed) endItem(p.closed, p.at);
    const item = itemOf(p.item);
    if (!item) return false;
    item.opened_at = item.opened_at || p.at;
    item.closed_at = null;
    state.current_item = p.item;
  },
  "agenda.closed": (p) => { endItem(p.item, p.at); state.current_item = null; },
  "floor.requested": (p) => setQueue(p.queue, { request: p.request, member: p.member, name: nameOf(p.member), kind: p.kind }),
  "floor.withdrawn": (p) => { state.queue = state.queue.filter((q) => q.request !== p.request); },
  "floor.reordered": (p) => setQueue(p.queue),
  "floor.granted": (p) => {
    for (const t of state.turns) if (!t.ended_at && t.turn !== p.turn) t.ended_at = p.started_at;
    // A snapshot may already hold what a later event brings: applying it again changes nothing.
    if (!turnOf(p.turn)) state.turns.push({ turn: p.turn, item: p.item, member: p.member, name: nameOf(p.member), kind: p.kind, started_at: p.started_at, ended_at: null, note: "", reserved: false });
    state.queue = state.queue.filter((q) => q.request !== p.request);
  },
  "floor.ended": (p) => { const t = turnOf(p.turn); if (!t) return false; t.ended_at = p.ended_at; },
  "turn.noted": (p) => { const t = turnOf(p.turn); if (!t) return false; t.note = p.note; t.reserved = p.reserved; },
  "vote.opened": (p) => {
    if (voteOf(p.vote)) return;
    state.votes.push({ vote: p.vote, item: p.item, kind: p.kind, method: p.method, question: p.question, attempt: p.attempt, status: "open", options: p.options, eligible: p.eligible, cast: 0, result: null, board: p.board || null });
    state.you.cast_in_open_vote = false;
  },
  "ballot.counted": (p) => { const v = voteOf(p.vote); if (!v) return false; v.cast = Math.max(v.cast, p.cast); },
  "vote.closed": (p) => { const v = voteOf(p.vote); if (!v) return false; Object.assign(v, { status: "closed", result: p.result, cast: p.result.cast }); },
  // An encrypted secret ballot's board: each event carries its whole public state. Reloading
  // the snapshot instead made 300 pages ask at once at every step of the key ceremony and of
  // the count, and the board members' commands waited behind them (docs/benchmarks.md).
  "board.changed": (p) => { const v = voteOf(p.vote); if (!v) return false; v.board = p.board; },
  "vote.counting": (p) => { const v = voteOf(p.vote); if (!v) return false; v.board = p.board; },
};

// One snapshot request at a time: during a burst of events every further one would only
// repeat it (and load the server once more per member).
let snapshotId = null;
let latest = seq; // the highest event number heard of
function requestSnapshot() {
  if (snapshotId || !socket || socket.readyState !== WebSocket.OPEN) return;
  snapshotId = send("snapshot");
}

// A hello without a snapshot following it (see `handle`): the page catches up from its seq:
// nothing to load when it missed nothing, the missed events themselves when they are few
// (`events`), the snapshot otherwise.
const CATCH_UP_MAX = 200; // as meetings/room.py: further behind, the server answers too_far
let catchUpId = null;
function catchUp(head) {
  catchUpId = null;
  if (head === seq) return;
  if (head < seq || head - seq > CATCH_UP_MAX) requestSnapshot();
  else catchUpId = send("events", { after: seq });
}

let snapshotTimer = null;
function scheduleSnapshot() {
  if (snapshotTimer) return;
  snapshotTimer = setTimeout(() => { snapshotTimer = null; requestSnapshot(); }, 120);
}

function nameOf(memberId) {
  const row = state.roll.find((r) => r.member === memberId);
  return row ? row.name : `#${memberId}`;
}

// A burst of events (every member voting) redraws the page once per frame, not per event.
let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => { renderQueued = false; render(); });
}

function render() {
  view.draw();
  root.classList.add("drawn");
  loadSecretBallots();
  document.dispatchEvent(new CustomEvent("room:rendered", { detail: state })); // static/js/media.js
}

// Encrypted secret ballots (static/js/secret-ballot-room.js, with the elliptic-curve library:
// about half of what the room loads) are loaded only once a vote has a counting board, then
// drawn at once; the module listens to room:rendered from then on.
let secretBallots = null;
function loadSecretBallots() {
  if (secretBallots || !state.votes.some((v) => v.board)) return;
  secretBallots = import("./secret-ballot-room.js").then(() => render());
}

// The one function that casts: a second confirm of the same vote sends the same ballot (same
// id, choice and receipt) again, which the server counts once.
const ballots = new Map(); // vote id → the ballot's fields
function cast(vote, choice) {
  // An encrypted secret ballot is encrypted and sent by static/js/secret-ballot-room.js.
  if (vote.board) {
    const encrypt = () => document.dispatchEvent(new CustomEvent("room:cast-encrypted", { detail: { vote, choice } }));
    (secretBallots ?? Promise.resolve()).then(encrypt);
    return;
  }
  let fields = ballots.get(vote.vote);
  if (!fields) {
    fields = { vote: vote.vote, ballot: uuid(), choice };
    if (vote.method === "secret_ballot") {
      fields.receipt = randomReceipt();
      receipts[vote.vote] = fields.receipt;
      sessionStorage.setItem(`receipts-${meetingId}`, JSON.stringify(receipts));
    }
    ballots.set(vote.vote, fields);
  }
  send("ballot.cast", fields);
  announce(T.ballot_sent);
  scheduleRender();
}

// A ballot refused for good (not `busy` or `server_error`, which are sent again): the member may
// choose again, or is told in the open confirmation that the vote has closed.
function ballotRefused(message, frame) {
  if (frame.code === "already_voted") return;
  ballots.delete(message.vote);
  if (frame.code === "vote_closed") view.ballotClosed(message.vote, frame.message);
  scheduleRender();
}


view.connectTo({
  get state() { return state; },
  get you() { return you; },
  send, cast, announce, receipts, ballots, scheduleRender,
});

// Countdown and elapsed times tick without a server round trip; a countdown is text, not a live
// region. Elapsed minutes are redrawn by the parts that show them, once their minute changes.
setInterval(() => {
  for (const node of root.querySelectorAll(".countdown")) {
    const left = Math.max(0, state.meeting.turn_seconds - Math.floor((Date.now() - Date.parse(node.dataset.started)) / 1000));
    const text = T.seconds_left.replace("%(s)s", left);
    if (node.textContent !== text) node.textContent = text;
    node.classList.toggle("overtime", left === 0);
  }
}, 1000);
setInterval(render, 30000);
// Who is online follows attendance.changed; a snapshot about once a minute, spread so a
// meeting's pages do not all ask at once, still refreshes it (a page that caught up from the log
// after a Redis outage, and anything else missed).
setInterval(requestSnapshot, 60000 + Math.floor(Math.random() * 30000));
// The same refresh on request (tests, and anything that knows the page is stale).
document.addEventListener("room:refresh", () => requestSnapshot());
// A ping every few minutes keeps the session of someone sitting in a long meeting alive.
setInterval(() => send("ping"), 240000);

render();
connect();
