// Encrypted secret ballots on the meeting page (docs/secret-ballot.md). Hooks into room.js
// through DOM events only: `room:rendered` (the state after each redraw), `room:send` (a
// command through the page's one socket), `room:cast-encrypted` (the voter's choice) and
// `room:connected` (a new connection).
// A board member's page takes its part by itself from the board's public state: round 1, round
// 2, opening its shares, and the partial decryption once the chair closes the vote. Its
// private values stay in this browser (localStorage), so a reload resumes where it was.
import { T as roomTexts } from "./room-texts.js";
import * as sb from "./secret-ballot.js";

const root = document.getElementById("room");
const T = roomTexts.secret;
const meetingId = Number(root.dataset.meeting);
const inFlight = new Set(); // `${vote}:${command}` sent and not yet answered
const badDealers = new Map(); // vote → board number whose share did not check
const verified = new Map(); // vote → text of the in-page check's outcome
let state = null;

// The room is at …/sinh-hoat/<id>/phong-hop/; the record at …/sinh-hoat/<id>/phieu-kin/<vote>.json.
const recordUrl = (vote) => location.pathname.replace(/phong-hop\/?$/, `phieu-kin/${vote}.json`);
const trackerKey = (vote) => `tracker-${meetingId}-${vote}`;
const memberKey = (vote, member) => `board-${meetingId}-${vote}-${member}`;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "on") Object.entries(value).forEach(([type, fn]) => node.addEventListener(type, fn));
    else node.setAttribute(key, value);
  }
  node.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== ""));
  return node;
}

function send(vote, type, fields) {
  const key = `${vote}:${type}`;
  if (inFlight.has(key)) return;
  inFlight.add(key);
  document.dispatchEvent(new CustomEvent("room:send", { detail: { type, fields, onReply: () => inFlight.delete(key) } }));
}

// A new connection (room.js): a part sent on the old one and never answered was lost with it
// (a server killed or restarted while it was on its way). Forgetting it lets the next drawing
// send it again: the server takes the same round 1 and round 2 once (`duplicate`) and a partial
// decryption as often as it comes until the count. Ballots are room.js's to send again.
document.addEventListener("room:connected", () => {
  for (const key of inFlight) if (!key.endsWith(":ballot.cast")) inFlight.delete(key);
});

// The board member's part, from the board's public state.
function takePart(v) {
  const board = v.board;
  const me = state.you.member;
  const index = board.members.indexOf(me) + 1;
  // No longer on the board (the chair changed it during the key ceremony): nothing to keep.
  if (!index) { localStorage.removeItem(memberKey(v.vote, me)); return; }
  // Counted (or void: never to be counted): this member's share has done its work; erased, a
  // later leak cannot open ballots.
  if (board.phase === "counted" || board.phase === "void") { localStorage.removeItem(memberKey(v.vote, me)); return; }
  const member = sb.BoardMember.open(memberKey(v.vote, me), board.manifest, index);
  const n = board.members.length;
  if (board.phase === "keying") {
    if (!board.commitments[index]) send(v.vote, "board.commit", { vote: v.vote, commitment: member.commitment() });
    else if (Object.keys(board.commitments).length === n && !board.sealed[index]) {
      send(v.vote, "board.deal", { vote: v.vote, shares: member.shares(board.commitments) });
    }
    return;
  }
  try {
    member.receive(board.sealed, board.commitments);
  } catch (error) {
    badDealers.set(v.vote, error.dealer);
    return;
  }
  if (board.phase === "counting" && !board.decrypted.includes(index)) {
    send(v.vote, "board.decrypt", { vote: v.vote, partial: member.partialDecryption(board.tally) });
  }
}

// The voter's choice (as room.js's buttons give it) as positions among the manifest's options.
function positions(manifest, choice) {
  const chosen = Array.isArray(choice) ? choice.map(String) : [String(choice)];
  return chosen.map((c) => manifest.options.indexOf(c)).filter((i) => i >= 0);
}

const waitingChoice = new Map(); // vote → choice made while the board was still making the key

function castEncrypted(vote, choice) {
  const board = state.votes.find((v) => v.vote === vote)?.board;
  if (board && (board.phase === "counting" || board.phase === "counted")) {
    waitingChoice.delete(vote);
    show(T.closed);
    return;
  }
  if (!board || board.phase !== "voting" || !board.key) {
    // Held, not cast: said so, or the member would think they must vote again, or leave.
    waitingChoice.set(vote, choice);
    show(T.board_keying_held);
    return;
  }
  waitingChoice.delete(vote);
  show(T.encrypting);
  // Let the message paint before the work (about a tenth of a second).
  setTimeout(() => {
    const ballot = sb.encryptBallot(board.manifest, board.key, positions(board.manifest, choice));
    localStorage.setItem(trackerKey(vote), sb.tracker(ballot));
    send(vote, "ballot.cast", { vote, ballot: crypto.randomUUID(), encrypted: ballot });
    render();
  }, 30);
}

document.addEventListener("room:cast-encrypted", (event) => castEncrypted(event.detail.vote.vote, event.detail.choice));

function show(text) {
  const box = section();
  drawn = null;
  box.replaceChildren(el("p", { class: "message status" }, text));
  say(text);
}

// Said through the room's one live region (room.js), never by this box re-drawing itself.
function say(text, kind = "status") {
  document.dispatchEvent(new CustomEvent("room:announce", { detail: { text, kind } }));
}

function section() {
  let box = document.getElementById("secret-ballot");
  if (!box) {
    box = el("section", { id: "secret-ballot" });
    const votes = document.getElementById("vote");
    if (votes) votes.after(box);
    else root.append(box);
  }
  return box;
}

async function check(v, out) {
  out.textContent = T.verifying;
  try {
    const response = await fetch(recordUrl(v.vote), { credentials: "same-origin" });
    const text = await response.text();
    const result = sb.verifyRecord(text);
    if (result.fingerprint !== v.result.fingerprint) throw new Error("fingerprint");
    verified.set(v.vote, T.verified.replace("%(f)s", result.fingerprint));
    say(verified.get(v.vote));
  } catch (error) {
    verified.set(v.vote, T.verify_failed.replace("%(why)s", error.message));
    say(verified.get(v.vote), "error");
  }
  render();
}

// The chair's view of the board: who has not yet done their part, and the way out when one of
// them cannot (change the board during the key ceremony; annul a count that cannot finish).
const nameOf = (member) => state.roll.find((r) => r.member === member)?.name || `#${member}`;
const isChair = () => state.you.member && state.meeting.chair === state.you.member;

function pendingMembers(board) {
  const done = board.phase === "keying" ? board.sealed : Object.fromEntries(board.decrypted.map((i) => [i, true]));
  return board.members.filter((m, i) => !done[i + 1]);
}

function partOf(board, member) {
  const index = board.members.indexOf(member) + 1;
  if (board.phase === "keying") {
    if (!board.commitments[index]) return T.part_commit;
    // Shares are dealt once every member has committed: until then this one waits on others.
    return Object.keys(board.commitments).length < board.members.length ? T.part_waiting : T.part_deal;
  }
  return T.part_decrypt;
}

function chairPanel(v) {
  const board = v.board;
  if (!isChair() || v.status !== "open" || !["keying", "counting"].includes(board.phase)) return null;
  const online = new Set(state.online || []);
  const pending = pendingMembers(board);
  const items = [el("h4", {}, T.board_title)];
  items.push(el("ul", { class: "board-members" }, board.members.map((m, i) => el("li", {},
    `${i + 1}. ${nameOf(m)} — `, pending.includes(m) ? partOf(board, m) : T.part_done,
    online.has(m) ? "" : ` (${T.not_online})`))));
  if (board.phase === "keying") {
    items.push(el("button", { type: "button", class: "secondary", "aria-haspopup": "dialog", "data-focus": "board-change", on: { click: (e) => openChange(v, e.currentTarget) } }, T.change_board));
  } else {
    items.push(el("p", {}, T.counting_short.replace("%(t)s", board.threshold)));
    items.push(el("button", { type: "button", class: "secondary danger", "aria-haspopup": "dialog", "data-focus": "board-annul", on: { click: (e) => openAnnul(v, e.currentTarget) } }, T.annul));
  }
  return el("div", { class: "board-chair" }, items);
}

// The dialogs: native modal <dialog>s (focus stays inside, Escape cancels), built once.
let opener = null;
function dialog(id) {
  let box = document.getElementById(id);
  if (box) return box;
  box = el("dialog", { id, class: "room-dialog", "aria-labelledby": `${id}-title` });
  // Back to the control that opened it, or to its successor when the box was redrawn meanwhile
  // (the board changed), or to the box itself.
  box.addEventListener("close", () => {
    if (!opener) return;
    const key = opener.dataset.focus;
    const target = opener.isConnected ? opener : section().querySelector(`[data-focus="${key}"]`);
    if (target) target.focus();
    else { section().setAttribute("tabindex", "-1"); section().focus(); }
  });
  root.append(box);
  return box;
}

function openChange(v, button) {
  opener = button;
  const box = dialog("board-change-dialog");
  const online = new Set(state.online || []);
  const present = new Set(state.roll.filter((r) => r.status === "present" && !r.may_vote_why_not).map((r) => r.member));
  const candidates = v.eligible.filter((m) => present.has(m));
  // As large as those present allow (the server checks again): the chair chooses who, not how few.
  const size = Math.min(3, candidates.length);
  const error = el("p", { id: "board-change-error", class: "message error", role: "alert", hidden: "" });
  const boxes = candidates.map((m) => {
    const input = el("input", { type: "checkbox", name: "member", value: String(m) });
    input.checked = v.board.members.includes(m) && online.has(m);
    const away = el("span", { class: "muted" }, `(${T.not_online})`);
    away.hidden = online.has(m);
    return el("label", { class: "choice", "data-member": String(m) }, input, ` ${nameOf(m)} `, away);
  });
  const form = el("form", { class: "stack", novalidate: "" },
    el("h2", { id: "board-change-dialog-title" }, T.change_board),
    el("p", { id: "board-change-help" }, T.change_help.replace("%(n)s", size)),
    el("fieldset", { "aria-describedby": "board-change-help board-change-error" }, el("legend", {}, T.change_legend), boxes),
    error,
    el("div", { class: "actions" },
      el("button", { type: "submit" }, T.change_confirm),
      el("button", { type: "button", class: "secondary", on: { click: () => box.close() } }, T.cancel)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const members = [...form.querySelectorAll("input[name=member]:checked")].map((i) => Number(i.value));
    if (members.length !== size) {
      error.textContent = T.change_count.replace("%(n)s", size);
      error.hidden = false;
      form.querySelector("input[name=member]")?.focus();
      return;
    }
    document.dispatchEvent(new CustomEvent("room:send", { detail: { type: "board.change", fields: { vote: v.vote, members }, onReply: (frame) => {
      if (frame.type === "ack") { box.close(); say(T.changed); } else { error.textContent = frame.message; error.hidden = false; }
    } } }));
  });
  box.replaceChildren(form);
  box.showModal();
  (form.querySelector("input[name=member]") || form.querySelector("button")).focus();
}

function openAnnul(v, button) {
  opener = button;
  const box = dialog("board-annul-dialog");
  const error = el("p", { class: "message error", role: "alert", hidden: "" });
  const pending = pendingMembers(v.board).map(nameOf).join(", ");
  const form = el("form", { class: "stack" },
    el("h2", { id: "board-annul-dialog-title" }, T.annul_title),
    el("p", {}, T.annul_help.replace("%(who)s", pending)),
    error,
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "danger" }, T.annul),
      el("button", { type: "button", class: "secondary", on: { click: () => box.close() } }, T.annul_back)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    document.dispatchEvent(new CustomEvent("room:send", { detail: { type: "vote.annul", fields: { vote: v.vote }, onReply: (frame) => {
      if (frame.type === "ack") { box.close(); say(T.annulled); } else { error.textContent = frame.message; error.hidden = false; }
    } } }));
  });
  box.replaceChildren(form);
  box.showModal();
  form.querySelector("button[type=submit]").focus();
}

function block(v) {
  const board = v.board;
  const items = [];
  const mine = localStorage.getItem(trackerKey(v.vote));
  const index = board.members.indexOf(state.you.member) + 1;
  if (index && board.phase !== "counted") items.push(el("p", { class: "message warning" }, T.board_you.replace("%(n)s", index)));
  if (badDealers.has(v.vote)) items.push(el("p", { class: "message error" }, T.board_bad_share.replace("%(n)s", badDealers.get(v.vote))));
  // Who sits on the board and who named it: the meeting's show of hands, the chair, or the rule
  // (with why an elected board could not serve).
  const how = T.board_how[board.chosen_by || "default"] || "";
  items.push(el("p", { class: "board-names" }, T.board_names.replace("%(names)s", board.members.map(nameOf).join(", ")).replace("%(how)s", how)));
  if (board.note) items.push(el("p", { class: "message warning board-note" }, board.note));
  if (board.phase === "keying") items.push(el("p", {}, T.board_keying));
  if (board.phase === "counting") items.push(el("p", {}, T.counting.replace("%(t)s", board.threshold).replace("%(n)s", board.members.length)));
  if (board.phase === "void") items.push(el("p", { class: "message warning" }, T.void));
  items.push(chairPanel(v));
  if (mine) items.push(el("p", {}, T.your_tracker, " ", el("code", { class: "tracker" }, mine)));
  if (v.status === "void" && v.result && v.result.trackers && mine) {
    items.push(el("p", {}, v.result.trackers.includes(mine) ? T.tracker_kept : T.tracker_missing));
  }
  if (v.status === "closed" && v.result && v.result.trackers) {
    const trackers = v.result.trackers;
    items.push(el("details", {}, el("summary", {}, T.trackers.replace("%(n)s", trackers.length)),
      el("ul", { class: "trackers" }, trackers.map((t) => el("li", {}, el("code", {}, t))))));
    if (mine) items.push(el("p", { class: trackers.includes(mine) ? "message success" : "message error" }, trackers.includes(mine) ? T.tracker_found : T.tracker_missing));
    const out = el("p", { class: "verification" }, verified.get(v.vote) || "");
    items.push(el("p", {},
      el("button", { type: "button", class: "secondary", on: { click: () => check(v, out) } }, T.verify), " ",
      el("a", { href: recordUrl(v.vote) }, T.download)), out);
  }
  return el("article", { class: "card secret-ballot", "data-vote": v.vote }, el("h3", {}, v.question), items);
}

// The open "Đổi ban kiểm phiếu" dialog follows who is connected (attendance.changed) without
// being redrawn: the chair's ticks and focus stay as they are.
function markOnline() {
  const box = document.getElementById("board-change-dialog");
  if (!box || !box.open) return;
  const online = new Set(state.online || []);
  for (const label of box.querySelectorAll("label[data-member]")) {
    label.querySelector("span.muted").hidden = online.has(Number(label.dataset.member));
  }
}

// Redrawn only when what it shows changed: every room event calls this, and a redraw would take
// focus from its buttons.
let drawn = null;
function render() {
  if (!state) return;
  markOnline();
  const latest = state.votes.filter((v) => v.board).slice(-1);
  const shown = JSON.stringify([latest, state.you.member, [...verified], [...badDealers], isChair() ? [state.online, state.roll] : null,
    latest.map((v) => localStorage.getItem(trackerKey(v.vote)))]);
  if (shown === drawn) return;
  drawn = shown;
  // Focus on one of its controls stays on it (or its successor, or the box) through the redraw.
  const box = section();
  const focused = box.contains(document.activeElement) ? document.activeElement.dataset.focus || "" : null;
  box.replaceChildren(...latest.map(block));
  if (focused !== null) {
    const target = focused && box.querySelector(`[data-focus="${focused}"]`);
    if (target) target.focus();
    else { box.setAttribute("tabindex", "-1"); box.focus(); }
  }
}

document.addEventListener("room:rendered", (event) => {
  state = event.detail;
  for (const v of state.votes) if (v.board && state.you.member) takePart(v);
  render();
  // A choice made while the key was being made is cast as soon as it is ready.
  for (const [vote, choice] of waitingChoice) castEncrypted(vote, choice);
});
