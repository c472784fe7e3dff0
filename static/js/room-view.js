// The room's renderers: they draw the state that room.js (the connection) keeps, and act
// through it (send, cast). Each part of the page is redrawn only when what it shows changed.
import { el } from "./dom.js";
import { T } from "./room-texts.js";

const root = document.getElementById("room");
const $ = (selector) => root.querySelector(selector);

// What room.js lends: `state` and `you` (getters: a snapshot replaces them), `send`, `cast`,
// `announce`, `receipts`, `ballots` (vote id → the ballot sent) and `scheduleRender`.
let ctx = null;
export function connectTo(context) { ctx = context; }

const is = (role) => ctx.you.roles.includes(role);
const voteOf = (id) => ctx.state.votes.find((v) => v.vote === id);
const itemOf = (id) => ctx.state.agenda.find((i) => i.id === id);
// A command sent again before the first sending was answered (a double click on "Xin phát
// biểu", "Mời phát biểu", "Mở biểu quyết" …) is not sent twice: the second came back refused
// ("Đồng chí đã đăng ký phát biểu rồi.") over what the first did. A new connection (the first
// was lost with the old one) or 5 s without an answer lets it go again.
const inFlight = new Map(); // type and fields → when it left
document.addEventListener("room:connected", () => inFlight.clear());
function send(type, fields = {}, onReply = null) {
  const key = JSON.stringify([type, fields]);
  if (Date.now() - (inFlight.get(key) ?? 0) < 5000) return;
  inFlight.set(key, Date.now());
  ctx.send(type, fields, (frame) => { inFlight.delete(key); if (onReply) onReply(frame); });
}
const cast = (...args) => ctx.cast(...args);
const announce = (...args) => ctx.announce(...args);
const scheduleRender = () => ctx.scheduleRender();

function minutesSince(iso) {
  return iso ? Math.floor((Date.now() - Date.parse(iso)) / 60000) : 0;
}

// A count never breaks across lines on a narrow screen (a 375 px phone): "N = 5" keeps together,
// and so does a label with its count ("Tán thành: 3/5"). Applied to the words once filled in.
function keepCounts(text) {
  if (typeof text !== "string") return text;
  return text.replace(/ = (?=\d)/g, "\u00a0=\u00a0").replace(/: (?=\d)/g, ":\u00a0");
}

function nameOf(memberId) {
  const row = ctx.state.roll.find((r) => r.member === memberId);
  return row ? row.name : `#${memberId}`;
}

export function draw() {
  keepFocus(() => {
    renderStatus();
    renderBanner();
    renderAttendance();
    renderAgenda();
    renderFloor();
    renderVotes();
  });
  announceChanges();
  // The vote closed while this member's confirmation was open: said there, nothing sent.
  if ($("#ballot-dialog").open && chosen && voteOf(chosen.vote)?.status !== "open") ballotClosed(chosen.vote, T.vote_closed_now);
}

// Each part of the page is redrawn only when what it shows changed: a ballot counted elsewhere
// does not rebuild the agenda, the roll or the buttons under the keyboard's focus.
const drawn = new Map(); // part → what it showed, as JSON
function part(name, shows, draw) {
  const key = JSON.stringify(shows);
  if (drawn.get(name) === key) return;
  drawn.set(name, key);
  draw();
}

// Redrawing must not take away what someone is typing (the chair's question, the recorder's
// note): fields marked data-keep that were edited get their value back. Focus stays where it
// was: on the same control (same data-keep or data-focus key), or on its successor (the control
// now at its place in the same part of the page), or on that part's heading.
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

const focusKey = (node) => node.dataset.keep || node.dataset.focus;
const PARTS = "[data-part]";
const focusables = (box) => Array.from(box.querySelectorAll("[data-keep], [data-focus]"));

function keepFocus(draw) {
  const kept = new Map();
  for (const node of root.querySelectorAll("[data-keep]")) if (node.dataset.dirty) kept.set(node.dataset.keep, fieldValue(node));
  const active = document.activeElement;
  let focus = null;
  if (active && root.contains(active) && !active.closest("dialog") && active.closest(PARTS)) {
    const box = active.closest(PARTS);
    focus = { node: active, key: focusKey(active), box: box.id, index: Math.max(0, focusables(box).indexOf(active)),
      start: active.selectionStart, end: active.selectionEnd };
  }
  draw();
  for (const node of root.querySelectorAll("[data-keep]")) {
    if (kept.has(node.dataset.keep) && node !== focus?.node) {
      setFieldValue(node, kept.get(node.dataset.keep));
      node.dataset.dirty = "1";
      // For what follows the field on the page (the vote form's fields of the kind chosen).
      node.dispatchEvent(new Event("change"));
    }
  }
  if (!focus || focus.node.isConnected) return;
  const same = focus.key && root.querySelector(`[data-keep="${focus.key}"], [data-focus="${focus.key}"]`);
  const box = document.getElementById(focus.box);
  const others = box ? focusables(box) : [];
  const next = same || others[Math.min(focus.index, others.length - 1)] || document.getElementById(box?.dataset.part || "room-title");
  if (!next) return;
  next.focus({ preventScroll: true });
  if (same && typeof focus.start === "number" && next.setSelectionRange) next.setSelectionRange(focus.start, focus.end);
}

// What the one live region says on its own: real changes only (the page's answers to what this
// member did are said where they happen). Nothing on the first drawing, nothing per tick.
let seen = null;
function announceChanges() {
  const open = ctx.state.votes.find((v) => v.status === "open");
  const turn = ctx.state.turns.find((t) => !t.ended_at);
  const now = { status: ctx.state.meeting.status, open: open ? open.vote : null, closed: ctx.state.votes.filter((v) => v.status === "closed" || v.status === "void").map((v) => v.vote), turn: turn ? turn.turn : null };
  const before = seen;
  seen = now;
  if (!before) return;
  const said = [];
  if (before.status !== now.status && now.status === "in_progress") said.push(T.meeting_started);
  if (before.status !== now.status && now.status === "ended") said.push(T.meeting_ended);
  for (const id of now.closed.filter((v) => !before.closed.includes(v))) {
    const v = voteOf(id);
    const d = v.result && v.result.decision;
    const outcome = v.status === "void" ? T.outcome.void : d ? T.outcome[d.status] || d.status : "";
    said.push(T.vote_result.replace("%(question)s", v.question).replace("%(outcome)s", outcome));
  }
  if (now.open && now.open !== before.open) said.push(T.vote_opened.replace("%(question)s", open.question));
  if (now.turn && now.turn !== before.turn && turn.member === ctx.you.member) said.push(T.floor_yours);
  if (said.length) announce(said.join(" "));
}

export function renderStatus() {
  const m = ctx.state.meeting;
  const started = m.started_at ? minutesSince(m.started_at) : null;
  const parts = [T.status[m.status] || m.status];
  if (started !== null && !m.ended_at) {
    parts.push(m.minimum_minutes ? T.elapsed_of_minimum.replace("%(m)s", started).replace("%(min)s", m.minimum_minutes) : T.elapsed.replace("%(m)s", started));
  }
  const text = parts.join(" · ");
  if ($("#meeting-status").textContent !== text) $("#meeting-status").textContent = text;
  part("controls", [m.status, ctx.you.roles], () => {
    const controls = $("#meeting-controls");
    controls.replaceChildren();
    if (is("chair") && m.status === "scheduled") controls.append(el("button", { type: "button", "data-focus": "meeting", on: { click: () => send("meeting.start") } }, T.start));
    if (is("chair") && m.status === "in_progress") controls.append(el("button", { type: "button", class: "secondary", "data-focus": "meeting", "aria-haspopup": "dialog", on: { click: openEndDialog } }, T.end));
  });
}

// An open vote is named at the top of the page, with a link that takes focus to the ballot.
function renderBanner() {
  const open = ctx.state.votes.find((v) => v.status === "open");
  const counting = isCounting(open);
  const mayVote = open && !counting && open.eligible.includes(ctx.you.member) && !ctx.state.you.cast_in_open_vote;
  part("banner", [open && open.vote, open && open.question, mayVote, counting], () => {
    $("#vote-banner").hidden = !open;
    if (open) $("#vote-banner-link").textContent = (counting ? T.banner_counting : mayVote ? T.banner_vote : T.banner_open).replace("%(question)s", open.question);
  });
}

// An encrypted secret ballot the chair has closed stays open while its board decrypts the
// count: no ballot is taken any more and closing it again can do nothing.
const isCounting = (vote) => Boolean(vote && vote.board && !["keying", "voting"].includes(vote.board.phase));

$("#vote-banner-link").addEventListener("click", (event) => {
  event.preventDefault();
  const first = $("#vote .choice:not([aria-disabled=true])");
  const target = first || $("#h-vote");
  target.focus({ preventScroll: true });
  $("#h-vote").scrollIntoView({ block: "start" });
});

// Ending: the time held against the charter's minimum; before it, the server asks for a reason
// (it decides, by its own clock: a refusal shows its message here and asks for the reason).
function openEndDialog() {
  const m = ctx.state.meeting;
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
  const a = ctx.state.assessment;
  const present = ctx.state.roll.filter((r) => r.status === "present").length;
  part("quorum", [a, ctx.state.roll.map((r) => [r.status, r.standing, r.temporary_in, r.exempt])], () => $("#quorum").replaceChildren(
    el("p", { class: a.quorum.met ? "quorum met" : "quorum not-met" },
      a.quorum.met ? T.quorum_met : T.quorum_not_met, " ",
      keepCounts(T.quorum_numbers.replace("%(present)s", a.voters_present).replace("%(required)s", a.quorum.required).replace("%(n)s", a.vote_base))),
    el("p", {}, T.present_count.replace("%(present)s", present).replace("%(total)s", ctx.state.roll.length)),
    countsTable(),
    el("details", {}, el("summary", {}, T.explanation), el("p", { class: "explanation" }, keepCounts(a.explanation))),
  ));
  const marking = is("chair") && ctx.state.meeting.status === "in_progress";
  part("roll-tools", [marking], () => $("#roll-tools").replaceChildren(...(marking
    ? [el("button", { type: "button", class: "secondary", "data-focus": "mark-many", "aria-haspopup": "dialog", on: { click: () => openMarkDialog([]) } }, T.mark_many)] : [])));
  // One line per member: name and standing, ctx.state, and (for the chair) one control.
  part("roll", [ctx.state.roll, ctx.state.online, marking], () => $("#roll tbody").replaceChildren(...ctx.state.roll.map((r) => {
    const online = ctx.state.online.includes(r.member);
    const cells = [
      el("th", { scope: "row" }, el("span", { class: "name" }, r.name), " ", badges(r)),
      el("td", {}, online ? el("span", { class: "online", title: T.online }, "● ", el("span", { class: "visually-hidden" }, `${T.online}, `)) : "", statusText(r)),
    ];
    if (marking) {
      cells.push(el("td", { class: "control" }, el("button", { type: "button", class: "secondary small", "data-focus": `mark-${r.member}`, "aria-haspopup": "dialog",
        "aria-label": T.mark_one.replace("%(name)s", r.name), on: { click: () => openMarkDialog([r.member]) } }, T.mark)));
    }
    return el("tr", { "data-member": r.member }, cells);
  })));
}

function badges(r) {
  const list = [];
  if (r.standing === "probationary") list.push(el("span", { class: "badge probationary" }, T.probationary));
  if (r.temporary_in) list.push(el("span", { class: "badge temporary" }, T.temporary_in));
  if (r.exempt) list.push(el("span", { class: "badge exempt" }, T.exempt));
  if (r.suspended) list.push(el("span", { class: "badge suspended" }, T.suspended));
  return list;
}

function statusText(r) {
  // Marked absent with a reason after joining: left early with the chair's approval, which the
  // charter counts as attended (in N, no vote; docs/charter.md).
  if (r.left_early) return T.left_early.replace("%(reason)s", r.reason);
  // An exempt member who stays away is neither absent nor at fault (issue 13).
  const status = r.exempt && r.status && r.status !== "present" ? T.exempt_not_attending
    : r.status ? T.attendance[r.status] + (r.status === "present" && r.mode ? ` (${T.modes[r.mode]})` : "") : "—";
  return r.reason ? `${status} (${r.reason})` : status;
}

// The chair's marking dialog: the members ticked (the row's own, or none), one ctx.state, one reason.
// All of them or none are marked: the server refuses the lot when one has left the cell.
let markOpener = null;
function openMarkDialog(ticked) {
  markOpener = document.activeElement;
  $("#mark-members").replaceChildren(...ctx.state.roll.map((r) => el("label", { class: "choice" },
    el("input", { type: "checkbox", name: "members", value: r.member, checked: ticked.includes(r.member) }),
    ` ${r.name} `, el("span", { class: "muted" }, `(${statusText(r)})`))));
  const first = ticked.length === 1 ? ctx.state.roll.find((r) => r.member === ticked[0]) : null;
  markStatuses(first && first.status !== "present" ? first.status : "present");
  $("#mark-reason").value = first ? first.reason : "";
  $("#mark-error").hidden = true;
  $("#mark-dialog").showModal();
  ($("#mark-members input:checked") ? $("#mark-statuses input:checked") : $("#mark-members input")).focus();
}

// The states offered: for exempt members alone, present or not attending, never "absent" with
// or without reason (R-R2: an exempt member counts only when present; issue 13).
function markStatuses(current) {
  const ticked = Array.from(root.querySelectorAll("#mark-members input:checked"), (i) => Number(i.value));
  const exemptOnly = ticked.length > 0 && ticked.every((id) => ctx.state.roll.find((r) => r.member === id)?.exempt);
  const options = exemptOnly ? [["present", T.present_in_room], ["absent_without_reason", T.exempt_not_attending]]
    : Object.entries(T.attendance).map(([value, label]) => [value, value === "present" ? T.present_in_room : label]);
  const kept = options.some(([value]) => value === current) ? current : "present";
  $("#mark-statuses").replaceChildren(...options.map(([value, label]) => el("label", { class: "choice" },
    el("input", { type: "radio", name: "status", value, checked: value === kept }), ` ${label}`)));
}
$("#mark-members").addEventListener("change", () => markStatuses($("#mark-statuses input:checked")?.value));

$("#mark-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const members = Array.from(root.querySelectorAll("#mark-members input:checked"), (i) => Number(i.value));
  const status = $("#mark-statuses input:checked").value;
  const reason = $("#mark-reason").value;
  const fail = (text, field) => { $("#mark-error").textContent = text; $("#mark-error").hidden = false; (field || $("#mark-members input")).focus(); };
  if (!members.length) { fail(T.mark_none); return; }
  if (status === "absent_with_reason" && !reason.trim()) { fail(T.reason_needed, $("#mark-reason")); return; }
  send("attendance.mark_many", { members, status, ...(reason.trim() ? { reason } : {}) }, (frame) => {
    if (frame.type === "ack") { closeMarkDialog(); announce(T.marked.replace("%(n)s", members.length)); return; }
    fail(frame.message, frame.field === "reason" ? $("#mark-reason") : null);
  });
});
function closeMarkDialog() {
  $("#mark-dialog").close();
  if (markOpener && markOpener.isConnected) markOpener.focus();
}
$("#mark-cancel").addEventListener("click", closeMarkDialog);
$("#mark-dialog").addEventListener("close", () => { if (markOpener && markOpener.isConnected && !$("#mark-dialog").contains(document.activeElement)) markOpener.focus(); });

function category(r) {
  if (r.temporary_in) return "temporary_in";
  if (r.exempt) return "exempt";
  return r.standing === "probationary" ? "probationary" : "official";
}

// Live counts: each category of the roll against the three attendance states.
function countsTable() {
  const statuses = ["present", "absent_with_reason", "absent_without_reason"];
  const rows = Object.entries(T.categories).map(([key, label]) => {
    const rowsOf = ctx.state.roll.filter((r) => category(r) === key);
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
  const chairing = is("chair") && ctx.state.meeting.status === "in_progress";
  const item = itemOf(ctx.state.current_item);
  part("current", [item && item.title, item && item.opened_at, item && item.planned_minutes, minuteNow()], () => {
    $("#current-item").replaceChildren(...(item ? [el("strong", {}, `${T.now_discussing_item} `), item.title, " ",
      el("span", { class: item.planned_minutes && minutesSince(item.opened_at) > item.planned_minutes ? "overtime" : "muted" },
        `(${T.elapsed_planned.replace("%(m)s", minutesSince(item.opened_at)).replace("%(p)s", item.planned_minutes)})`)] : [el("span", { class: "muted" }, T.no_current_item)]));
  });
  part("agenda", [ctx.state.agenda, ctx.state.current_item, chairing, minuteNow()], () => $("#agenda").replaceChildren(...ctx.state.agenda.map((item) => {
    const current = item.id === ctx.state.current_item;
    const li = el("li", { class: current ? "current" : "", "aria-current": current ? "step" : false },
      el("span", {}, item.title),
      item.closed_at ? el("span", { class: "muted" }, ` (${T.done})`) : "",
      current ? el("strong", { class: item.planned_minutes && minutesSince(item.opened_at) > item.planned_minutes ? "overtime" : "" }, ` — ${T.now_discussing} ${T.elapsed_planned.replace("%(m)s", minutesSince(item.opened_at)).replace("%(p)s", item.planned_minutes)}`) : "");
    if (chairing) {
      // Named after its item: "Mở nội dung: …", not nine identical buttons.
      const [label, kind, type] = current ? [T.close_item, "secondary small", "agenda.close"] : [T.open_item, "small", "agenda.open"];
      li.append(" ", el("button", { type: "button", class: kind, "data-focus": `agenda-${item.id}`, "aria-label": `${label}: ${item.title}`, on: { click: () => send(type, { item: item.id }) } }, label));
    }
    return li;
  })));
}

// The minute shown by elapsed times: parts showing them are redrawn once a minute, not per tick.
function minuteNow() { return Math.floor(Date.now() / 60000); }

function renderFloor() {
  const turn = ctx.state.turns.find((t) => !t.ended_at);
  part("speaker", [turn || null, ctx.you.member, ctx.you.roles], () => {
    const speaker = $("#speaker");
    speaker.replaceChildren();
    if (turn) {
      const left = Math.max(0, ctx.state.meeting.turn_seconds - Math.floor((Date.now() - Date.parse(turn.started_at)) / 1000));
      speaker.append(el("p", { class: "speaking" }, T.speaking_now.replace("%(name)s", turn.name), " ",
        // The countdown ticks visibly; it is not a live region (it would be read every second).
        el("span", { class: "countdown", "data-started": turn.started_at }, T.seconds_left.replace("%(s)s", left))));
      if (is("chair") || turn.member === ctx.you.member) speaker.append(el("button", { type: "button", class: "secondary", "data-focus": "end-turn", "aria-label": T.end_turn_of.replace("%(name)s", turn.name), on: { click: () => send("floor.end") } }, T.end_turn));
    } else {
      speaker.append(el("p", { class: "muted" }, T.nobody_speaking));
    }
  });
  const mine = ctx.state.queue.find((q) => q.member === ctx.you.member);
  const asking = is("member") && ctx.state.current_item && ctx.state.meeting.status === "in_progress";
  part("floor-actions", [asking, mine ? mine.request : null], () => {
    const actions = $("#floor-actions");
    actions.replaceChildren();
    if (!asking) return;
    // "Xin phát biểu" and "Rút đăng ký phát biểu" share a focus key: one follows the other.
    if (mine) actions.append(el("button", { type: "button", class: "secondary", "data-focus": "floor", on: { click: () => send("floor.withdraw", { request: mine.request }) } }, T.withdraw));
    else actions.append(
      el("button", { type: "button", "data-focus": "floor", on: { click: () => send("floor.request", { kind: "regular" }) } }, T.ask_floor),
      el("button", { type: "button", class: "secondary", "data-focus": "floor-order", on: { click: () => send("floor.request", { kind: "point_of_order" }) } }, T.point_of_order));
  });
  part("queue", [ctx.state.queue, is("chair")], () => {
    const order = ctx.state.queue.map((q) => q.request);
    $("#queue").replaceChildren(...ctx.state.queue.map((q, index) => {
      const li = el("li", {}, q.name, q.kind === "point_of_order" ? el("span", { class: "badge" }, ` ${T.point_of_order_short}`) : "");
      if (is("chair")) {
        li.append(" ", el("button", { type: "button", class: "small", "data-focus": `grant-${q.request}`, "aria-label": T.grant_to.replace("%(name)s", q.name), on: { click: () => send("floor.grant", { request: q.request }) } }, T.grant));
        if (index > 0) {
          li.append(" ", el("button", { type: "button", class: "secondary small", "data-focus": `up-${q.request}`, "aria-label": T.move_up.replace("%(name)s", q.name), on: { click: () => {
            const next = [...order]; [next[index - 1], next[index]] = [next[index], next[index - 1]];
            send("floor.reorder", { order: next });
          } } }, "↑"));
        }
      }
      return li;
    }));
    // An empty list is a sentence, not a numbered item.
    $("#queue").hidden = !ctx.state.queue.length;
    $("#queue-empty").hidden = Boolean(ctx.state.queue.length);
  });
  part("turns", [ctx.state.turns, ctx.state.current_item, is("recorder")], renderTurns);
  part("stats", [ctx.state.turns, ctx.state.current_item, turn ? minuteNow() : 0], renderStats);
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
  for (const t of ctx.state.turns) {
    const s = byMember.get(t.member) || { name: t.name, itemTurns: 0, itemSeconds: 0, turns: 0, seconds: 0 };
    s.turns += 1; s.seconds += seconds(t);
    if (t.item === ctx.state.current_item) { s.itemTurns += 1; s.itemSeconds += seconds(t); }
    byMember.set(t.member, s);
  }
  const rows = [...byMember.values()].map((s) => el("tr", {}, el("th", { scope: "row" }, s.name),
    el("td", {}, s.itemTurns), el("td", {}, clock(s.itemSeconds)), el("td", {}, s.turns), el("td", {}, clock(s.seconds))));
  $("#speaker-stats tbody").replaceChildren(...rows);
  $("#speaker-stats").hidden = !rows.length;
}


// What the recorder typed stays theirs (kept across redraws, data-keep) until the server has it:
// a note lost on the way (a dropped connection) or refused is not replaced by the saved one.
function saveNote(turn, text, reserved) {
  send("turn.note", { turn: turn.turn, text, reserved }, (frame) => {
    if (frame.type !== "ack") return;
    for (const [key, sent] of [[`note-${turn.turn}`, text], [`reserved-${turn.turn}`, reserved]]) {
      const node = root.querySelector(`[data-keep="${key}"]`);
      if (node && fieldValue(node) === sent) delete node.dataset.dirty; // unless edited since
    }
    ctx.announce(T.note_saved.replace("%(name)s", turn.name));
  });
}

function renderTurns() {
  const rows = ctx.state.turns.filter((t) => t.item === ctx.state.current_item || is("recorder")).flatMap((t) => {
    const row = el("tr", {}, el("th", { scope: "row" }, t.name), el("td", {}, t.note || "—", t.reserved ? el("span", { class: "badge" }, ` ${T.reserved}`) : ""));
    if (!is("recorder")) return [row];
    // The recorder's box on a row of its own, the list's whole width (a phone left it a few
    // words wide), with "ý kiến bảo lưu" and "Lưu" apart.
    // maxlength: NOTE_MAX_LENGTH (meetings/services/speaking.py), the most the server keeps.
    const area = el("textarea", { rows: 2, maxlength: 4000, "data-keep": `note-${t.turn}`, "aria-label": T.note_for.replace("%(name)s", t.name) }, t.note);
    const reserved = el("input", { type: "checkbox", id: `reserved-${t.turn}`, "data-keep": `reserved-${t.turn}`, checked: t.reserved });
    return [row, el("tr", { class: "note-edit" }, el("td", { colspan: 2 }, area, el("div", { class: "note-actions" },
      el("label", { for: `reserved-${t.turn}` }, reserved, ` ${T.reserved}`),
      el("button", { type: "button", class: "small", "data-focus": `save-note-${t.turn}`, "aria-label": T.save_note_of.replace("%(name)s", t.name), on: { click: () => saveNote(t, area.value, reserved.checked) } }, T.save))))];
  });
  $("#turns tbody").replaceChildren(...rows);
}

// The ballot: each choice its own colour, sign and words (not three identical red buttons). One
// tap is not final: it opens the confirmation (#ballot-dialog), which casts.
const SIGNS = { yes: "✓", no: "✗", abstain: "○" };
function choiceButtons(vote) {
  const sending = ctx.ballots.has(vote.vote);
  if (vote.kind === "election") {
    const boxes = vote.options.candidates.map((c) => el("label", { class: "choice" }, el("input", { type: "checkbox", value: c, "data-keep": `candidate-${vote.vote}-${c}` }), ` ${nameOf(c)}`));
    return el("fieldset", {}, el("legend", {}, T.pick_up_to.replace("%(n)s", vote.options.seats)), ...boxes,
      el("button", { type: "button", class: "choice", "data-focus": `choice-${vote.vote}`, "aria-disabled": sending ? "true" : false, on: { click: () => {
        const picked = boxes.map((b) => b.firstChild).filter((i) => i.checked).map((i) => Number(i.value));
        choose(vote, picked, picked.length ? picked.map(nameOf).join(", ") : T.no_candidate);
      } } }, T.cast));
  }
  return el("div", { class: "choices", role: "group", "aria-labelledby": "ballot-heading" }, ...choicesOf(vote).map(([value, label]) =>
    el("button", { type: "button", class: `choice choice-${SIGNS[value] ? value : "other"}`, "data-focus": `choice-${vote.vote}-${value}`, "aria-haspopup": "dialog", "aria-disabled": sending ? "true" : false,
      on: { click: () => choose(vote, value, label) } }, el("span", { class: "sign", "aria-hidden": "true" }, SIGNS[value] || "•"), ` ${label}`)));
}

// Choosing opens the confirmation; a ballot already sent is not sent again from a second tap.
let chosen = null; // { vote, choice, label } while the confirmation is open
function choose(vote, choice, label) {
  if (ctx.ballots.has(vote.vote)) { announce(T.ballot_already_sent); return; }
  chosen = { vote: vote.vote, choice, label };
  $("#ballot-question").textContent = vote.question;
  $("#ballot-choice").replaceChildren(T.your_choice, " ", el("strong", { class: `choice-${SIGNS[choice] ? choice : "other"}` }, el("span", { class: "sign", "aria-hidden": "true" }, SIGNS[choice] || "•"), ` ${label}`));
  $("#ballot-error").hidden = true;
  $("#ballot-confirm").hidden = false;
  $("#ballot-cancel").textContent = T.choose_again;
  $("#ballot-dialog").showModal();
  $("#ballot-confirm").focus();
}

// Confirming twice sends the same ballot twice: the server counts its id once and says so.
$("#ballot-form").addEventListener("submit", () => {
  if (!chosen) return;
  const vote = voteOf(chosen.vote);
  cast(vote, chosen.choice);
});
$("#ballot-cancel").addEventListener("click", () => $("#ballot-dialog").close());
$("#ballot-dialog").addEventListener("close", () => { chosen = null; });

// A vote closed while its confirmation is open: said there; the confirm button goes away.
export function ballotClosed(id, message) {
  if (!$("#ballot-dialog").open || !chosen || chosen.vote !== id) return;
  $("#ballot-error").textContent = message;
  $("#ballot-error").hidden = false;
  $("#ballot-confirm").hidden = true;
  $("#ballot-cancel").textContent = T.close;
  $("#ballot-cancel").focus();
}

function choicesOf(vote) {
  if (vote.kind === "election") return vote.options.candidates.map((c) => [String(c), nameOf(c)]);
  if (vote.kind === "discipline") return [...vote.options.forms.map((f) => [f, T.forms[f]]), ["none", T.forms.none]];
  return [["yes", T.yes], ["no", T.no], ["abstain", T.abstain]];
}

// Counts are stated against N, the base of the charter's requirement ("cần ít nhất 3/5"), and
// say how many may vote when that differs from N (R-V1: absent members still count in N).
function castProgress(cast, eligible, n) {
  const count = keepCounts(T.cast_count.replace("%(cast)s", cast).replaceAll("%(n)s", n));
  return eligible === n ? count : `${count} ${T.voters_present_count.replace("%(eligible)s", eligible)}`;
}

function tallyLine(v, n) {
  const tally = v.result.tally;
  const known = choicesOf(v);
  const extra = Object.keys(tally).filter((k) => !known.some(([value]) => value === k)).map((k) => [k, T.forms[k] || T[k] || nameOf(Number(k))]);
  return [...known, ...extra].map(([value, label]) => keepCounts(T.count_of_base.replace("%(label)s", label).replace("%(count)s", tally[value] || 0).replace("%(n)s", n))).join("; ");
}



function renderVotes() {
  const open = ctx.state.votes.find((v) => v.status === "open");
  const chairing = is("chair") && ctx.state.current_item && ctx.state.meeting.status === "in_progress";
  const n = open ? ctx.state.assessment.vote_base ?? open.eligible.length : 0;
  part("vote", [open ? { ...open, cast: 0 } : null, open && ctx.ballots.has(open.vote), ctx.state.you.cast_in_open_vote, chairing, chairing && itemOf(ctx.state.current_item), ctx.you.member,
    ctx.state.roll.map((r) => [r.member, r.name, r.may_vote_why_not]), open ? ctx.receipts[open.vote] : null, n], () => {
    const box = $("#vote");
    box.replaceChildren();
    if (open) {
      box.append(el("h3", { id: "ballot-heading" }, open.question), el("p", { class: "vote-progress" }, T.methods[open.method], " · ", castProgress(open.cast, open.eligible.length, n)));
      if (open.kind === "board") box.append(boardProposed(open));
      const mayVote = open.eligible.includes(ctx.you.member);
      const voted = mayVote && ctx.state.you.cast_in_open_vote;
      const counting = isCounting(open);
      if (mayVote && !voted && !counting) {
        box.append(choiceButtons(open));
        if (ctx.ballots.has(open.vote)) box.append(el("p", { class: "muted", "data-focus": `ballot-${open.vote}`, tabindex: -1 }, T.ballot_sent));
      } else if (voted) {
        box.append(el("p", { class: "message success", "data-focus": `ballot-${open.vote}`, tabindex: -1 }, T.you_voted, ctx.receipts[open.vote] ? ` ${T.your_receipt} ${ctx.receipts[open.vote]}` : ""));
      } else if (ctx.you.member && !counting) {
        const row = ctx.state.roll.find((r) => r.member === ctx.you.member);
        box.append(el("p", { class: "message warning" }, T.not_eligible, " ", row && row.may_vote_why_not ? T.why_not[row.may_vote_why_not] || "" : ""));
      }
      if (counting) box.append(el("p", { class: "message", "data-focus": "vote-control", tabindex: -1 }, T.vote_counting));
      else if (is("chair")) box.append(el("button", { type: "button", class: "secondary", "data-focus": "vote-control", on: { click: () => send("vote.close", { vote: open.vote }) } }, T.close_vote));
    } else if (chairing) {
      box.append(openVoteForm());
    } else {
      box.append(el("p", { class: "muted" }, T.no_open_vote));
    }
  });
  const closed = ctx.state.votes.filter((v) => v.status === "closed" || v.status === "void");
  part("results", [closed, ctx.state.votes.filter((v) => v.options && v.options.follows).map((v) => v.options.follows), Boolean(open), is("chair"), ctx.state.meeting.status], () => {
    $("#results").replaceChildren(...closed.reverse().map(resultBlock));
    if (!closed.length) $("#results").append(el("p", { class: "muted" }, T.no_results));
  });
  // The open vote's count changes with every ballot: only its line is rewritten.
  if (open) {
    const line = $("#vote .vote-progress");
    const text = `${T.methods[open.method]} · ${castProgress(open.cast, open.eligible.length, n)}`;
    if (line && line.textContent !== text) line.textContent = text;
  }
}

// A void vote (an encrypted ballot its board could not count, annulled by the chair): no
// outcome, the reason, and for the chair the same question put again (a new vote).
function voidBlock(v) {
  const items = [el("h3", {}, v.question), el("p", {}, T.methods[v.method], " · ", castProgress(v.result.cast, v.result.eligible, v.result.base ?? v.result.eligible)),
    el("p", { class: "outcome void" }, T.outcome.void), el("p", { class: "explanation" }, keepCounts(v.result.void.explanation))];
  const later = ctx.state.votes.some((w) => w.vote > v.vote && w.item === v.item && w.kind === v.kind);
  const noneOpen = !ctx.state.votes.some((w) => w.status === "open");
  if (!later && noneOpen && is("chair") && ctx.state.meeting.status === "in_progress" && ctx.state.current_item === v.item) {
    const keys = ["subject", "forms", "subject_holds_post", "candidates", "seats", "post", "follows", "conclusion"];
    const options = Object.fromEntries(Object.entries(v.options || {}).filter(([k]) => keys.includes(k)));
    items.push(el("button", { type: "button", "data-focus": `revote-${v.vote}`, on: { click: () => send("vote.open", { kind: v.kind, question: v.question, method: v.method, options, encrypted: true }) } }, T.revote));
  }
  return el("article", { class: "card result" }, items);
}

// A show of hands on the vote-counting board: whom the members vote for.
const boardProposed = (v) => el("p", { class: "board-proposed" }, T.board_proposed.replace("%(names)s", (v.options.members || []).map(nameOf).join(", ")));

function resultBlock(v) {
  if (v.status === "void") return voidBlock(v);
  const d = v.result.decision;
  const eligible = v.result.eligible ?? v.eligible.length;
  const n = v.result.base ?? eligible;
  const items = [el("h3", {}, v.question), el("p", {}, T.methods[v.method], " · ", castProgress(v.result.cast, eligible, n))];
  if (v.kind === "board") items.push(boardProposed(v));
  if (v.result.tally) items.push(el("p", {}, tallyLine(v, n)));
  if (d && d.required !== null && d.required !== undefined) {
    const requirement = ["election", "discipline"].includes(v.kind) ? T.required_of_base : T.required_yes_of_base;
    items.push(el("p", {}, requirement.replace("%(required)s", d.required).replace("%(n)s", n)));
  }
  if (d) items.push(el("p", { class: `outcome ${d.status}` }, T.outcome[d.status] || d.status), el("p", { class: "explanation" }, keepCounts(d.explanation)));
  if (v.kind === "election") {
    if (v.options.post) items.unshift(el("p", { class: "muted" }, T.electing.replace("%(post)s", T.posts[v.options.post]).replace("%(n)s", v.attempt || 1)));
    const followed = ctx.state.votes.some((w) => w.options && w.options.follows === v.vote);
    const unfinished = d && (d.status === "partial" || d.status === "failed");
    const noneOpen = !ctx.state.votes.some((w) => w.status === "open");
    if (unfinished && !followed && noneOpen && is("chair") && ctx.state.meeting.status === "in_progress") {
      const label = d.runoff.length ? T.open_runoff.replace("%(names)s", d.runoff.map(nameOf).join(", ")) : T.open_next_round;
      items.push(el("button", { type: "button", on: { click: () => send("vote.open", {
        kind: "election", question: v.question, options: { follows: v.vote } }) } }, label));
    }
  }
  if (v.result.named) items.push(el("details", {}, el("summary", {}, T.named_votes), el("ul", {}, Object.entries(v.result.named).map(([m, c]) => el("li", {}, `${nameOf(Number(m))}: ${Array.isArray(c) ? c.map((x) => nameOf(x)).join(", ") : T[c] || T.forms[c] || c}`)))));
  if (v.result.receipts) {
    const mine = ctx.receipts[v.vote];
    items.push(el("details", {}, el("summary", {}, T.counted_receipts), el("p", { class: "ctx.receipts" }, v.result.receipts.join(" ")),
      mine ? el("p", {}, v.result.receipts.includes(mine) ? T.receipt_found.replace("%(r)s", mine) : T.receipt_missing.replace("%(r)s", mine)) : ""));
  }
  return el("article", { class: "card result" }, items);
}

function openVoteForm() {
  // Only the kinds the charter lets this meeting vote on for the current item (R-O4: no
  // discipline or election online); the server checks again.
  const item = ctx.state.agenda.find((i) => i.id === ctx.state.current_item);
  const allowed = item ? item.vote_kinds : Object.keys(T.kinds);
  const kind = el("select", { id: "vote-kind", "data-keep": "vote-kind" }, ...Object.entries(T.kinds).filter(([value]) => allowed.includes(value)).map(([value, label]) => el("option", { value }, label)));
  // The question starts as the item's draft resolution (the chair may edit it before opening).
  const question = el("input", { type: "text", id: "vote-question", "data-keep": "vote-question", maxlength: 500, required: true, value: (item && item.draft_resolution) || "" });
  const method = el("select", { id: "vote-method", "data-keep": "vote-method" }, el("option", { value: "" }, T.method_default), ...Object.entries(T.methods).map(([value, label]) => el("option", { value }, label)));
  const people = el("select", { id: "vote-people", "data-keep": "vote-people", multiple: true, size: 5 }, ...ctx.state.roll.map((r) => el("option", { value: r.member }, r.name)));
  const seats = el("input", { type: "number", id: "vote-seats", "data-keep": "vote-seats", min: 1, value: 1 });
  const post = el("select", { id: "vote-post", "data-keep": "vote-post" }, ...Object.entries(T.posts).map(([value, label]) => el("option", { value }, label)));
  const conclusion = el("input", { type: "checkbox", id: "vote-conclusion", "data-keep": "vote-conclusion", checked: item && item.kind === "resolution" });
  // The vote-counting board put to a show of hands: official members present who may vote
  // (the server checks again, and names one who may not).
  const servers = ctx.state.roll.filter((r) => r.status === "present" && !r.may_vote_why_not);
  const boardBoxes = servers.map((r) => el("label", { class: "choice" }, el("input", { type: "checkbox", name: "board-member", value: r.member, "data-keep": `board-member-${r.member}` }), ` ${r.name}`));
  // Shown only while the kind chosen is the board's (it would push the form's button out of view).
  const boardField = el("fieldset", { class: "field", id: "vote-board", "aria-describedby": "vote-board-help" }, el("legend", {}, T.vote_board), ...boardBoxes,
    el("p", { class: "help", id: "vote-board-help" }, T.vote_board_help));
  const showBoard = () => { boardField.hidden = kind.value !== "board"; };
  kind.addEventListener("change", showBoard);
  showBoard();
  const form = el("form", { class: "stack", on: { submit: (event) => {
    event.preventDefault();
    const picked = Array.from(people.selectedOptions, (o) => Number(o.value));
    const options = {};
    if (kind.value === "election") { options.candidates = picked; options.seats = Number(seats.value); options.post = post.value; }
    if (kind.value === "discipline") options.subject = picked[0];
    if (kind.value === "resolution") options.conclusion = conclusion.checked;
    if (kind.value === "board") {
      const members = boardBoxes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => Number(i.value));
      if (members.length) options.members = members;
    }
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
  ...(allowed.includes("board") ? [boardField] : []),
  ...(allowed.includes("election") ? [
    el("div", { class: "field" }, el("label", { for: "vote-seats" }, T.vote_seats), seats),
    el("div", { class: "field" }, el("label", { for: "vote-post" }, T.vote_post), post)] : []),
  el("button", { type: "submit" }, T.open_vote));
  return form;
}


