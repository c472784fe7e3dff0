// The live meeting page: one websocket speaking docs/protocol.md, the page redrawn from state.
// Every text from the server goes in with textContent, never as HTML.

import "./secret-ballot-room.js"; // encrypted secret ballots: listens to room:rendered

const root = document.getElementById("room");
const T = JSON.parse(document.getElementById("room-texts").textContent);
const meetingId = Number(root.dataset.meeting);
const pendingBallots = new Map(); // message id → ballot message, resent after a reconnect
let socket = null;
let state = JSON.parse(document.getElementById("room-state").textContent);
let you = { member: state.you.member, roles: JSON.parse(root.dataset.roles) };
let seq = state.seq;
let counter = 0;
let retry = 500;
let receipts = JSON.parse(sessionStorage.getItem(`receipts-${meetingId}`) || "{}");

const $ = (selector) => root.querySelector(selector);
const is = (role) => you.roles.includes(role);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "on") Object.entries(value).forEach(([type, fn]) => node.addEventListener(type, fn));
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

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
  socket = new WebSocket(`${scheme}://${location.host}/ws/meetings/${meetingId}/`);
  setConnection(T.connecting);
  socket.addEventListener("open", () => {
    retry = 500;
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
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 10000);
  });
}

function setConnection(text) {
  $("#connection").textContent = text;
}

// Other modules of the page send commands through this one socket (secret-ballot-room.js).
document.addEventListener("room:send", (e) => send(e.detail.type, e.detail.fields, e.detail.onReply || null));

function handle(frame) {
  if (frame.type === "hello") {
    you = frame.you;
    snapshotId = null;
    latest = Math.max(latest, frame.seq);
    requestSnapshot();
    // Ballots not acknowledged before the connection dropped are sent again, same ids.
    for (const message of pendingBallots.values()) socket.send(JSON.stringify(message));
  } else if (frame.type === "snapshot") {
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
  } else if (frame.type === "ack" || frame.type === "error") {
    if (frame.id === snapshotId) { snapshotId = null; if (frame.type === "error") setTimeout(requestSnapshot, 1000); }
    if (pendingBallots.has(frame.id) && frame.type === "error" && RESEND_CODES.has(frame.code)) {
      resendBallotLater(frame.id);
      announce(T.ballot_resending, "error");
      return;
    }
    if (pendingBallots.has(frame.id)) {
      pendingBallots.delete(frame.id);
      ballotTries.delete(frame.id);
      if (frame.type === "ack") {
        announce(frame.result.duplicate ? T.ballot_duplicate : T.ballot_counted);
        state.you.cast_in_open_vote = true;
        render();
      }
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
  // One event for the arrivals or the mark of a moment: the rows that changed, who is online
  // now (arrivals only) and the charter's new assessment.
  "attendance.changed": (p) => {
    const rows = p.changes.map((c) => [state.roll.find((r) => r.member === c.member), c]);
    if (rows.some(([row]) => !row) || !p.assessment) return false;
    for (const [row, c] of rows) Object.assign(row, { status: c.status, mode: c.mode, reason: c.reason });
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
};

// One snapshot request at a time: during a burst of events every further one would only
// repeat it (and load the server once more per member).
let snapshotId = null;
let latest = seq; // the highest event number heard of
function requestSnapshot() {
  if (snapshotId || !socket || socket.readyState !== WebSocket.OPEN) return;
  snapshotId = send("snapshot");
}

let snapshotTimer = null;
function scheduleSnapshot() {
  if (snapshotTimer) return;
  snapshotTimer = setTimeout(() => { snapshotTimer = null; requestSnapshot(); }, 120);
}

function minutesSince(iso) {
  return iso ? Math.floor((Date.now() - Date.parse(iso)) / 60000) : 0;
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
  keepEdits(() => {
    renderStatus();
    renderAttendance();
    renderAgenda();
    renderFloor();
    renderVotes();
  });
  document.dispatchEvent(new CustomEvent("room:rendered", { detail: state })); // static/js/media.js
}

// Redrawing must not take away what someone is typing (the chair's question, a reason, the
// recorder's note): fields marked data-keep that were edited get their value, focus and
// selection back.
root.addEventListener("input", (event) => { if (event.target.dataset.keep) event.target.dataset.dirty = "1"; });
root.addEventListener("change", (event) => { if (event.target.dataset.keep) event.target.dataset.dirty = "1"; });

function fieldValue(node) {
  if (node.type === "checkbox") return node.checked;
  if (node.multiple) return Array.from(node.selectedOptions, (o) => o.value);
  return node.value;
}

function setFieldValue(node, value) {
  if (node.type === "checkbox") node.checked = value;
  else if (node.multiple) for (const option of node.options) option.selected = value.includes(option.value);
  else node.value = value;
}

function keepEdits(draw) {
  const kept = new Map();
  let focus = null;
  for (const node of root.querySelectorAll("[data-keep]")) {
    if (node.dataset.dirty) kept.set(node.dataset.keep, fieldValue(node));
    if (node === document.activeElement) {
      focus = { key: node.dataset.keep, start: node.selectionStart, end: node.selectionEnd };
    }
  }
  draw();
  for (const node of root.querySelectorAll("[data-keep]")) {
    const key = node.dataset.keep;
    if (kept.has(key)) { setFieldValue(node, kept.get(key)); node.dataset.dirty = "1"; }
    if (focus && key === focus.key) {
      node.focus();
      if (typeof focus.start === "number" && node.setSelectionRange) node.setSelectionRange(focus.start, focus.end);
    }
  }
}

function renderStatus() {
  const m = state.meeting;
  const started = m.started_at ? minutesSince(m.started_at) : null;
  const parts = [T.status[m.status] || m.status];
  if (started !== null && !m.ended_at) {
    parts.push(m.minimum_minutes ? T.elapsed_of_minimum.replace("%(m)s", started).replace("%(min)s", m.minimum_minutes) : T.elapsed.replace("%(m)s", started));
  }
  $("#meeting-status").textContent = parts.join(" · ");
  const controls = $("#meeting-controls");
  controls.replaceChildren();
  if (is("chair") && m.status === "scheduled") controls.append(el("button", { type: "button", on: { click: () => send("meeting.start") } }, T.start));
  if (is("chair") && m.status === "in_progress") controls.append(el("button", { type: "button", class: "secondary", "aria-haspopup": "dialog", on: { click: openEndDialog } }, T.end));
}

// Ending: the time held against the charter's minimum; before it, the server asks for a reason
// (it decides, by its own clock: a refusal shows its message here and asks for the reason).
function openEndDialog() {
  const m = state.meeting;
  const held = minutesSince(m.started_at);
  const early = Boolean(m.minimum_minutes) && held < m.minimum_minutes;
  $("#end-figures").textContent = m.minimum_minutes
    ? T.end_held_of_minimum.replace("%(m)s", held).replace("%(min)s", m.minimum_minutes)
    : T.end_held.replace("%(m)s", held);
  showEndReason(early);
  $("#end-error").hidden = true;
  $("#end-dialog").showModal();
  (early ? $("#end-reason") : $("#end-form button[type=submit]")).focus();
}

function showEndReason(shown) {
  $("#end-early").hidden = !shown;
  $("#end-reason-field").hidden = !shown;
}

$("#end-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const reason = $("#end-reason").value;
  send("meeting.end", reason.trim() ? { reason } : {}, (frame) => {
    if (frame.type === "ack") { $("#end-dialog").close(); return; }
    $("#end-error").textContent = frame.message;
    $("#end-error").hidden = false;
    if (frame.field === "reason") { showEndReason(true); $("#end-reason").focus(); }
  });
});
$("#end-cancel").addEventListener("click", () => $("#end-dialog").close());

function renderAttendance() {
  const a = state.assessment;
  const present = state.roll.filter((r) => r.status === "present").length;
  $("#quorum").replaceChildren(
    el("p", { class: a.quorum.met ? "quorum met" : "quorum not-met" },
      a.quorum.met ? T.quorum_met : T.quorum_not_met, " ",
      T.quorum_numbers.replace("%(present)s", a.voters_present).replace("%(required)s", a.quorum.required).replace("%(n)s", a.vote_base)),
    el("p", {}, T.present_count.replace("%(present)s", present).replace("%(total)s", state.roll.length)),
    countsTable(),
    el("details", {}, el("summary", {}, T.explanation), el("p", { class: "explanation" }, a.explanation)),
  );
  const rows = state.roll.map((r) => {
    const badges = [];
    if (r.standing === "probationary") badges.push(el("span", { class: "badge probationary" }, T.probationary));
    if (r.temporary_in) badges.push(el("span", { class: "badge temporary" }, T.temporary_in));
    if (r.exempt) badges.push(el("span", { class: "badge exempt" }, T.exempt));
    if (r.suspended) badges.push(el("span", { class: "badge suspended" }, T.suspended));
    // An exempt member who stays away is neither absent nor at fault (issue 13).
    const status = r.exempt && r.status && r.status !== "present" ? T.exempt_not_attending
      : r.status ? T.attendance[r.status] + (r.status === "present" && r.mode ? ` (${T.modes[r.mode]})` : "") : "—";
    const cells = [
      el("th", { scope: "row" }, r.name, " ", badges),
      el("td", {}, status, r.reason ? ` (${r.reason})` : "", state.online.includes(r.member) ? el("span", { class: "online", title: T.online }, " ●", el("span", { class: "visually-hidden" }, T.online)) : ""),
    ];
    if (is("chair") && state.meeting.status === "in_progress") {
      const select = el("select", { "data-keep": `mark-${r.member}`, "aria-label": T.mark_label.replace("%(name)s", r.name) },
        ...markOptions(r).map(([value, label]) => el("option", { value, selected: value === r.status }, label)));
      const reason = el("input", { type: "text", "data-keep": `reason-${r.member}`, "aria-label": T.reason_label.replace("%(name)s", r.name), value: r.reason, size: 14 });
      cells.push(el("td", {}, select, reason, el("button", { type: "button", class: "secondary small", on: { click: () => { delete select.dataset.dirty; delete reason.dataset.dirty; send("attendance.mark", { member: r.member, status: select.value, reason: reason.value }); } } }, T.save)));
    }
    return el("tr", {}, cells);
  });
  $("#roll tbody").replaceChildren(...rows);
}

// The chair's choices for a member's attendance. An exempt member is present or does not attend,
// never absent with or without reason (R-R2: an exempt member counts only when present; issue 13).
// The record keeps "not attending" as its plain absence, which the room and minutes show as exempt.
function markOptions(r) {
  if (!r.exempt) return Object.entries(T.attendance);
  const away = r.status && r.status !== "present" ? r.status : "absent_without_reason";
  return [["present", T.attendance.present], [away, T.exempt_not_attending]];
}

function category(r) {
  if (r.temporary_in) return "temporary_in";
  if (r.exempt) return "exempt";
  return r.standing === "probationary" ? "probationary" : "official";
}

// Live counts: each category of the roll against the three attendance states.
function countsTable() {
  const statuses = ["present", "absent_with_reason", "absent_without_reason"];
  const rows = Object.entries(T.categories).map(([key, label]) => {
    const rowsOf = state.roll.filter((r) => category(r) === key);
    return el("tr", {}, el("th", { scope: "row" }, label), el("td", {}, rowsOf.length),
      ...statuses.map((s) => el("td", {}, key === "exempt" && s !== "present" ? "—" : rowsOf.filter((r) => r.status === s).length)));
  });
  return el("table", { class: "counts", id: "attendance-counts" },
    el("caption", {}, T.counts_caption),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, T.category), el("th", { scope: "col" }, T.total),
      ...statuses.map((s) => el("th", { scope: "col" }, T.attendance[s])))),
    el("tbody", {}, rows));
}

function renderAgenda() {
  const list = $("#agenda");
  list.replaceChildren(...state.agenda.map((item) => {
    const current = item.id === state.current_item;
    const li = el("li", { class: current ? "current" : "", "aria-current": current ? "step" : false },
      el("span", {}, item.title),
      item.closed_at ? el("span", { class: "muted" }, ` (${T.done})`) : "",
      current ? el("strong", { class: item.planned_minutes && minutesSince(item.opened_at) > item.planned_minutes ? "overtime" : "" }, ` — ${T.now_discussing} ${T.elapsed_planned.replace("%(m)s", minutesSince(item.opened_at)).replace("%(p)s", item.planned_minutes)}`) : "");
    if (is("chair") && state.meeting.status === "in_progress") {
      if (current) li.append(" ", el("button", { type: "button", class: "secondary small", on: { click: () => send("agenda.close", { item: item.id }) } }, T.close_item));
      else li.append(" ", el("button", { type: "button", class: "small", on: { click: () => send("agenda.open", { item: item.id }) } }, T.open_item));
    }
    return li;
  }));
}

function renderFloor() {
  const turn = state.turns.find((t) => !t.ended_at);
  const speaker = $("#speaker");
  speaker.replaceChildren();
  if (turn) {
    const left = Math.max(0, state.meeting.turn_seconds - Math.floor((Date.now() - Date.parse(turn.started_at)) / 1000));
    speaker.append(el("p", { class: "speaking" }, T.speaking_now.replace("%(name)s", turn.name), " ",
      el("span", { class: "countdown", "data-started": turn.started_at }, T.seconds_left.replace("%(s)s", left))));
    if (is("chair") || turn.member === you.member) speaker.append(el("button", { type: "button", class: "secondary", on: { click: () => send("floor.end") } }, T.end_turn));
  } else {
    speaker.append(el("p", { class: "muted" }, T.nobody_speaking));
  }
  const mine = state.queue.find((q) => q.member === you.member);
  const actions = $("#floor-actions");
  actions.replaceChildren();
  if (is("member") && state.current_item && state.meeting.status === "in_progress") {
    if (mine) actions.append(el("button", { type: "button", class: "secondary", on: { click: () => send("floor.withdraw", { request: mine.request }) } }, T.withdraw));
    else actions.append(
      el("button", { type: "button", on: { click: () => send("floor.request", { kind: "regular" }) } }, T.ask_floor),
      el("button", { type: "button", class: "secondary", on: { click: () => send("floor.request", { kind: "point_of_order" }) } }, T.point_of_order));
  }
  const order = state.queue.map((q) => q.request);
  $("#queue").replaceChildren(...state.queue.map((q, index) => {
    const li = el("li", {}, q.name, q.kind === "point_of_order" ? el("span", { class: "badge" }, ` ${T.point_of_order_short}`) : "");
    if (is("chair")) {
      li.append(" ", el("button", { type: "button", class: "small", on: { click: () => send("floor.grant", { request: q.request }) } }, T.grant));
      if (index > 0) {
        li.append(" ", el("button", { type: "button", class: "secondary small", "aria-label": T.move_up.replace("%(name)s", q.name), on: { click: () => {
          const next = [...order]; [next[index - 1], next[index]] = [next[index], next[index - 1]];
          send("floor.reorder", { order: next });
        } } }, "↑"));
      }
    }
    return li;
  }));
  // An empty list is a sentence, not a numbered item.
  $("#queue").hidden = !state.queue.length;
  $("#queue-empty").hidden = Boolean(state.queue.length);
  renderTurns();
  renderStats();
}

function seconds(turn) {
  const end = turn.ended_at ? Date.parse(turn.ended_at) : Date.now();
  return Math.max(0, Math.floor((end - Date.parse(turn.started_at)) / 1000));
}

function clock(total) {
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`;
}

// Speaker statistics: turns and speaking time per member, on the current item and in all.
function renderStats() {
  const byMember = new Map();
  for (const t of state.turns) {
    const s = byMember.get(t.member) || { name: t.name, itemTurns: 0, itemSeconds: 0, turns: 0, seconds: 0 };
    s.turns += 1; s.seconds += seconds(t);
    if (t.item === state.current_item) { s.itemTurns += 1; s.itemSeconds += seconds(t); }
    byMember.set(t.member, s);
  }
  const rows = [...byMember.values()].map((s) => el("tr", {}, el("th", { scope: "row" }, s.name),
    el("td", {}, s.itemTurns), el("td", {}, clock(s.itemSeconds)), el("td", {}, s.turns), el("td", {}, clock(s.seconds))));
  $("#speaker-stats tbody").replaceChildren(...rows);
  $("#speaker-stats").hidden = !rows.length;
}

function renderTurns() {
  const rows = state.turns.filter((t) => t.item === state.current_item || is("recorder")).map((t) => {
    const cells = [el("th", { scope: "row" }, t.name), el("td", {}, t.note || "—", t.reserved ? el("span", { class: "badge" }, ` ${T.reserved}`) : "")];
    if (is("recorder")) {
      const area = el("textarea", { rows: 2, "data-keep": `note-${t.turn}`, "aria-label": T.note_for.replace("%(name)s", t.name) }, t.note);
      const reserved = el("input", { type: "checkbox", id: `reserved-${t.turn}`, "data-keep": `reserved-${t.turn}`, checked: t.reserved });
      cells.push(el("td", {}, area, el("label", { for: `reserved-${t.turn}` }, reserved, ` ${T.reserved}`),
        el("button", { type: "button", class: "small", on: { click: () => { delete area.dataset.dirty; delete reserved.dataset.dirty; send("turn.note", { turn: t.turn, text: area.value, reserved: reserved.checked }); } } }, T.save)));
    }
    return el("tr", {}, cells);
  });
  $("#turns tbody").replaceChildren(...rows);
}

function choiceButtons(vote) {
  if (vote.kind === "election") {
    const boxes = vote.options.candidates.map((c) => el("label", { class: "choice" }, el("input", { type: "checkbox", value: c, "data-keep": `candidate-${vote.vote}-${c}` }), ` ${nameOf(c)}`));
    return el("fieldset", {}, el("legend", {}, T.pick_up_to.replace("%(n)s", vote.options.seats)), ...boxes,
      el("button", { type: "button", on: { click: () => cast(vote, boxes.map((b) => b.firstChild).filter((i) => i.checked).map((i) => Number(i.value))) } }, T.cast));
  }
  return el("div", { class: "choices", role: "group", "aria-label": T.your_ballot }, ...choicesOf(vote).map(([value, label]) => el("button", { type: "button", class: "choice", on: { click: () => cast(vote, value) } }, label)));
}

// Every choice a ballot offers, as [value, label]: the result counts each one, zeros included.
function choicesOf(vote) {
  if (vote.kind === "election") return vote.options.candidates.map((c) => [String(c), nameOf(c)]);
  if (vote.kind === "discipline") return [...vote.options.forms.map((f) => [f, T.forms[f]]), ["none", T.forms.none]];
  return [["yes", T.yes], ["no", T.no], ["abstain", T.abstain]];
}

// Counts are stated against N, the base of the charter's requirement ("cần ít nhất 3/5"), and
// say how many may vote when that differs from N (R-V1: absent members still count in N).
function castProgress(cast, eligible, n) {
  const count = T.cast_count.replace("%(cast)s", cast).replaceAll("%(n)s", n);
  return eligible === n ? count : `${count} ${T.voters_present_count.replace("%(eligible)s", eligible)}`;
}

function tallyLine(v, n) {
  const tally = v.result.tally;
  const known = choicesOf(v);
  const extra = Object.keys(tally).filter((k) => !known.some(([value]) => value === k)).map((k) => [k, T.forms[k] || T[k] || nameOf(Number(k))]);
  return [...known, ...extra].map(([value, label]) => T.count_of_base.replace("%(label)s", label).replace("%(count)s", tally[value] || 0).replace("%(n)s", n)).join("; ");
}

function cast(vote, choice) {
  // An encrypted secret ballot is encrypted and sent by static/js/secret-ballot-room.js.
  if (vote.board) { document.dispatchEvent(new CustomEvent("room:cast-encrypted", { detail: { vote, choice } })); return; }
  const fields = { vote: vote.vote, ballot: uuid(), choice };
  if (vote.method === "secret_ballot") {
    fields.receipt = randomReceipt();
    receipts[vote.vote] = fields.receipt;
    sessionStorage.setItem(`receipts-${meetingId}`, JSON.stringify(receipts));
  }
  send("ballot.cast", fields);
  announce(T.ballot_sent);
}

function renderVotes() {
  const box = $("#vote");
  box.replaceChildren();
  const open = state.votes.find((v) => v.status === "open");
  if (open) {
    box.append(el("h3", {}, open.question), el("p", {}, T.methods[open.method], " · ", castProgress(open.cast, open.eligible.length, state.assessment.vote_base ?? open.eligible.length)));
    const mayVote = open.eligible.includes(you.member);
    if (mayVote && !state.you.cast_in_open_vote) box.append(choiceButtons(open));
    else if (mayVote) box.append(el("p", { class: "message success" }, T.you_voted, receipts[open.vote] ? ` ${T.your_receipt} ${receipts[open.vote]}` : ""));
    else if (you.member) {
      const row = state.roll.find((r) => r.member === you.member);
      box.append(el("p", { class: "message warning" }, T.not_eligible, " ", row && row.may_vote_why_not ? T.why_not[row.may_vote_why_not] || "" : ""));
    }
    if (is("chair")) box.append(el("button", { type: "button", class: "secondary", on: { click: () => send("vote.close", { vote: open.vote }) } }, T.close_vote));
  } else if (is("chair") && state.current_item && state.meeting.status === "in_progress") {
    box.append(openVoteForm());
  } else {
    box.append(el("p", { class: "muted" }, T.no_open_vote));
  }
  $("#results").replaceChildren(...state.votes.filter((v) => v.status === "closed").reverse().map(resultBlock));
}

function resultBlock(v) {
  const d = v.result.decision;
  const eligible = v.result.eligible ?? v.eligible.length;
  const n = v.result.base ?? eligible;
  const items = [el("h3", {}, v.question), el("p", {}, T.methods[v.method], " · ", castProgress(v.result.cast, eligible, n))];
  if (v.result.tally) items.push(el("p", {}, tallyLine(v, n)));
  if (d && d.required !== null && d.required !== undefined) {
    const requirement = ["election", "discipline"].includes(v.kind) ? T.required_of_base : T.required_yes_of_base;
    items.push(el("p", {}, requirement.replace("%(required)s", d.required).replace("%(n)s", n)));
  }
  if (d) items.push(el("p", { class: `outcome ${d.status}` }, T.outcome[d.status] || d.status), el("p", { class: "explanation" }, d.explanation));
  if (v.kind === "election") {
    if (v.options.post) items.unshift(el("p", { class: "muted" }, T.electing.replace("%(post)s", T.posts[v.options.post]).replace("%(n)s", v.attempt || 1)));
    const followed = state.votes.some((w) => w.options && w.options.follows === v.vote);
    const unfinished = d && (d.status === "partial" || d.status === "failed");
    const noneOpen = !state.votes.some((w) => w.status === "open");
    if (unfinished && !followed && noneOpen && is("chair") && state.meeting.status === "in_progress") {
      const label = d.runoff.length ? T.open_runoff.replace("%(names)s", d.runoff.map(nameOf).join(", ")) : T.open_next_round;
      items.push(el("button", { type: "button", on: { click: () => send("vote.open", {
        kind: "election", question: `${v.question.replace(/ — .*$/, "")} — ${T.round.replace("%(n)s", (v.attempt || 1) + 1)}`, options: { follows: v.vote } }) } }, label));
    }
  }
  if (v.result.named) items.push(el("details", {}, el("summary", {}, T.named_votes), el("ul", {}, Object.entries(v.result.named).map(([m, c]) => el("li", {}, `${nameOf(Number(m))}: ${Array.isArray(c) ? c.map((x) => nameOf(x)).join(", ") : T[c] || T.forms[c] || c}`)))));
  if (v.result.receipts) {
    const mine = receipts[v.vote];
    items.push(el("details", {}, el("summary", {}, T.counted_receipts), el("p", { class: "receipts" }, v.result.receipts.join(" ")),
      mine ? el("p", {}, v.result.receipts.includes(mine) ? T.receipt_found.replace("%(r)s", mine) : T.receipt_missing.replace("%(r)s", mine)) : ""));
  }
  return el("article", { class: "card result" }, items);
}

function openVoteForm() {
  // Only the kinds the charter lets this meeting vote on for the current item (R-O4: no
  // discipline or election online); the server checks again.
  const item = state.agenda.find((i) => i.id === state.current_item);
  const allowed = item ? item.vote_kinds : Object.keys(T.kinds);
  const kind = el("select", { id: "vote-kind", "data-keep": "vote-kind" }, ...Object.entries(T.kinds).filter(([value]) => allowed.includes(value)).map(([value, label]) => el("option", { value }, label)));
  // The question starts as the item's draft resolution (the chair may edit it before opening).
  const question = el("input", { type: "text", id: "vote-question", "data-keep": "vote-question", maxlength: 500, required: true, value: (item && item.draft_resolution) || "" });
  const method = el("select", { id: "vote-method", "data-keep": "vote-method" }, el("option", { value: "" }, T.method_default), ...Object.entries(T.methods).map(([value, label]) => el("option", { value }, label)));
  const people = el("select", { id: "vote-people", "data-keep": "vote-people", multiple: true, size: 5 }, ...state.roll.map((r) => el("option", { value: r.member }, r.name)));
  const seats = el("input", { type: "number", id: "vote-seats", "data-keep": "vote-seats", min: 1, value: 1 });
  const post = el("select", { id: "vote-post", "data-keep": "vote-post" }, ...Object.entries(T.posts).map(([value, label]) => el("option", { value }, label)));
  const conclusion = el("input", { type: "checkbox", id: "vote-conclusion", "data-keep": "vote-conclusion", checked: item && item.kind === "resolution" });
  const form = el("form", { class: "stack", on: { submit: (event) => {
    event.preventDefault();
    const picked = Array.from(people.selectedOptions, (o) => Number(o.value));
    const options = {};
    if (kind.value === "election") { options.candidates = picked; options.seats = Number(seats.value); options.post = post.value; }
    if (kind.value === "discipline") options.subject = picked[0];
    if (kind.value === "resolution") options.conclusion = conclusion.checked;
    send("vote.open", { kind: kind.value, question: question.value, ...(method.value ? { method: method.value } : {}), options });
  } } },
  el("h3", {}, T.open_vote),
  el("div", { class: "field" }, el("label", { for: "vote-kind" }, T.vote_kind), kind),
  el("div", { class: "field" }, el("label", { for: "vote-question" }, T.vote_question), question),
  el("div", { class: "field" }, el("label", { for: "vote-method" }, T.vote_method), method),
  ...(allowed.includes("resolution") ? [
    el("div", { class: "field" }, el("label", { for: "vote-conclusion" }, conclusion, ` ${T.vote_conclusion}`))] : []),
  ...(allowed.includes("election") || allowed.includes("discipline") ? [
    el("div", { class: "field" }, el("label", { for: "vote-people" }, T.vote_people), people, el("p", { class: "help" }, T.vote_people_help))] : []),
  ...(allowed.includes("election") ? [
    el("div", { class: "field" }, el("label", { for: "vote-seats" }, T.vote_seats), seats),
    el("div", { class: "field" }, el("label", { for: "vote-post" }, T.vote_post), post)] : []),
  el("button", { type: "submit" }, T.open_vote));
  return form;
}

// Countdown and elapsed times tick without a server round trip.
setInterval(() => {
  for (const node of root.querySelectorAll(".countdown")) {
    const left = Math.max(0, state.meeting.turn_seconds - Math.floor((Date.now() - Date.parse(node.dataset.started)) / 1000));
    node.textContent = T.seconds_left.replace("%(s)s", left);
    node.classList.toggle("overtime", left === 0);
  }
}, 1000);
setInterval(() => { renderStatus(); renderAgenda(); }, 30000);
// Who is online changes without events (connections come and go): refreshed from a snapshot
// about once a minute, spread so a meeting's pages do not all ask at once.
setInterval(requestSnapshot, 60000 + Math.floor(Math.random() * 30000));
// A ping every few minutes keeps the session of someone sitting in a long meeting alive.
setInterval(() => send("ping"), 240000);

render();
connect();
