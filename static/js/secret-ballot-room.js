// Encrypted secret ballots on the meeting page (docs/secret-ballot.md). Hooks into room.js
// through three DOM events only: `room:rendered` (the state after each redraw), `room:send`
// (a command through the page's one socket) and `room:cast-encrypted` (the voter's choice).
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

// The board member's part, from the board's public state.
function takePart(v) {
  const board = v.board;
  const me = state.you.member;
  const index = board.members.indexOf(me) + 1;
  if (!index) return;
  // Counted: this member's share has done its work; erased, a later leak cannot open ballots.
  if (board.phase === "counted") { localStorage.removeItem(memberKey(v.vote, me)); return; }
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
    waitingChoice.set(vote, choice);
    show(T.board_keying);
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

function block(v) {
  const board = v.board;
  const items = [];
  const mine = localStorage.getItem(trackerKey(v.vote));
  const index = board.members.indexOf(state.you.member) + 1;
  if (index && board.phase !== "counted") items.push(el("p", { class: "message warning" }, T.board_you.replace("%(n)s", index)));
  if (badDealers.has(v.vote)) items.push(el("p", { class: "message error" }, T.board_bad_share.replace("%(n)s", badDealers.get(v.vote))));
  if (board.phase === "keying") items.push(el("p", {}, T.board_keying));
  if (board.phase === "counting") items.push(el("p", {}, T.counting.replace("%(t)s", board.threshold).replace("%(n)s", board.members.length)));
  if (mine) items.push(el("p", {}, T.your_tracker, " ", el("code", { class: "tracker" }, mine)));
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

// Redrawn only when what it shows changed: every room event calls this, and a redraw would take
// focus from its buttons.
let drawn = null;
function render() {
  if (!state) return;
  const latest = state.votes.filter((v) => v.board).slice(-1);
  const shown = JSON.stringify([latest, state.you.member, [...verified], [...badDealers],
    latest.map((v) => localStorage.getItem(trackerKey(v.vote)))]);
  if (shown === drawn) return;
  drawn = shown;
  section().replaceChildren(...latest.map(block));
}

document.addEventListener("room:rendered", (event) => {
  state = event.detail;
  for (const v of state.votes) if (v.board && state.you.member) takePart(v);
  render();
  // A choice made while the key was being made is cast as soon as it is ready.
  for (const [vote, choice] of waitingChoice) castEncrypted(vote, choice);
});
