// Voice and picture in the live room (docs/media.md): the meeting's Janus VideoRoom, reached with
// the tokens the server signs for this participant. The websocket of room.js and the media here
// recover independently: a media drop never touches the roll.
//
// The server decides whose microphone is open (VideoRoom `moderate`); the buttons here only mute
// oneself or turn one's camera off. Janus's client library and the WebRTC adapter come from
// Debian's packages, served as our static files (window.Janus, window.adapter).

const settings = JSON.parse(document.getElementById("media-settings").textContent);
const T = settings.texts;
const section = document.getElementById("media");
const status = document.getElementById("media-status");
const checkForm = document.getElementById("media-check");
const controls = document.getElementById("media-controls");
const tiles = document.getElementById("media-tiles");
const preview = document.getElementById("media-preview");
const micState = document.getElementById("media-mic-state");
const AUDIO_ONLY_KEY = "media-audio-only";
const RETRY_MAX = 30000;
const PUBLISH_TIMEOUT = 60000;

let access = null; // the server's answer: tokens, room, feed, ICE servers, participants
let janus = null;
let publisher = null; // our handle: joined as publisher, sends our audio (mid "0") and video
let privateId = null;
let subscriptions = new Map(); // feed → { handle, tile }
let speakers = new Set(); // members whose microphone the floor opens (chair, floor holder)
let meetingStatus = null;
let wanted = false; // the participant asked to be connected (reconnect while true)
let closedFor = null; // why the room's socket closed for good (room.js): media stays closed
let retry = 1000;
let retryTimer = null;
let previewStream = null;
let selfMuted = false;
let cameraOff = false;
let noCamera = false; // the camera could not be opened: publishing the microphone alone
const relayOnly = new URLSearchParams(location.search).get("relay") === "1";

function say(text) { status.textContent = text; }
function fill(template, values) { return template.replace(/%\((\w+)\)s/g, (_, key) => values[key] ?? ""); }
function audioOnly() { return document.getElementById("media-audio-only").checked; }
function nameOf(feed) { return access?.participants.find((p) => p.feed === feed); }
function csrf() { return document.cookie.split("; ").find((c) => c.startsWith("csrftoken="))?.split("=")[1] ?? ""; }

// --- Device check before joining -----------------------------------------------------------

async function listDevices() {
  const devices = await navigator.mediaDevices.enumerateDevices();
  for (const [id, kind] of [["media-camera", "videoinput"], ["media-microphone", "audioinput"], ["media-speaker", "audiooutput"]]) {
    const select = document.getElementById(id);
    const chosen = select.value;
    const options = [new Option(T.default_device, "")];
    devices.filter((d) => d.kind === kind && d.deviceId && d.deviceId !== "default").forEach((d, n) => {
      options.push(new Option(d.label || `${kind} ${n + 1}`, d.deviceId));
    });
    select.replaceChildren(...options);
    select.value = chosen;
  }
}

function constraint(id) {
  const value = document.getElementById(id).value;
  return value ? { deviceId: { exact: value } } : true;
}

async function testDevices() {
  stopPreview();
  const open = (video) => navigator.mediaDevices.getUserMedia({
    audio: constraint("media-microphone"), video: video ? constraint("media-camera") : false,
  });
  try {
    previewStream = await open(!audioOnly());
  } catch (error) {
    // No camera (or a busy one): the microphone alone is checked, as joining will use it alone.
    try {
      if (audioOnly()) throw error;
      previewStream = await open(false);
      say(T.check_no_camera);
    } catch {
      say(fill(T.no_devices, { reason: error.message }));
      return;
    }
  }
  preview.srcObject = previewStream;
  await listDevices(); // labels are known once a device was granted
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  context.createMediaStreamSource(previewStream).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  const meter = document.getElementById("media-level");
  const tick = () => {
    if (!previewStream) { context.close(); meter.value = 0; return; }
    analyser.getByteTimeDomainData(samples);
    meter.value = Math.max(...samples.map((s) => Math.abs(s - 128))) / 128;
    requestAnimationFrame(tick);
  };
  tick();
}

function stopPreview() {
  previewStream?.getTracks().forEach((track) => track.stop());
  previewStream = null;
  preview.srcObject = null;
}

// --- Tiles ----------------------------------------------------------------------------------

function tileFor(feed) {
  let tile = tiles.querySelector(`[data-feed="${feed}"]`);
  if (tile) return tile;
  const who = nameOf(feed) ?? { name: String(feed), probationary: false };
  tile = document.createElement("li");
  tile.className = "media-tile";
  tile.dataset.feed = feed;
  const video = document.createElement("video");
  video.autoplay = true;
  video.playsInline = true;
  video.muted = true; // the picture; the sound plays from the audio element
  const audio = document.createElement("audio");
  audio.autoplay = true;
  const caption = document.createElement("p");
  caption.className = "media-name";
  caption.textContent = feed === access.feed ? fill(T.you, { name: who.name }) : who.name;
  if (who.probationary) {
    const badge = document.createElement("span");
    badge.className = "badge probationary";
    badge.textContent = T.probationary;
    caption.append(" ", badge);
  }
  tile.append(video, audio, caption);
  if (settings.is_chair && feed !== access.feed) {
    const mute = document.createElement("button");
    mute.type = "button";
    mute.className = "secondary small";
    mute.textContent = fill(T.mute_member, { name: who.name });
    mute.addEventListener("click", () => muteMember(feed, who.name));
    tile.append(mute);
  }
  tiles.append(tile);
  markSpeakers();
  return tile;
}

function dropTile(feed) {
  tiles.querySelector(`[data-feed="${feed}"]`)?.remove();
}

function markSpeakers() {
  // The floor's holder; else the hall of a hybrid meeting (where the chair sits); else the chair.
  const hall = access?.participants.find((p) => p.hall)?.feed;
  const holder = [...speakers].find((m) => m !== access?.chair && m !== hall) ?? (subscriptions.has(hall) ? hall : access?.chair);
  for (const tile of tiles.children) {
    const speaking = Number(tile.dataset.feed) === holder;
    tile.classList.toggle("speaking", speaking);
    tile.setAttribute("aria-current", speaking ? "true" : "false");
  }
  const feed = subscriptions.get(holder);
  for (const [other, sub] of subscriptions) chooseQuality(sub, other === holder);
  if (feed && !feed.tile.previousElementSibling) return;
  if (feed) tiles.prepend(feed.tile); // the speaker's tile first, and large (CSS)
}

function chooseQuality(sub, large) {
  // Simulcast: thumbnails take the lowest layer, the speaker's tile the highest.
  const mid = sub.videoMid;
  if (mid === undefined || sub.large === large) return;
  sub.large = large;
  sub.handle.send({ message: { request: "configure", streams: [{ mid, substream: large ? 2 : 0, temporal: large ? 2 : 0 }] } });
}

async function muteMember(feed, name) {
  const body = new URLSearchParams({ member: String(feed) });
  const answer = await fetch(settings.mute_url, { method: "POST", body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" });
  const result = await answer.json();
  say(answer.ok ? fill(T.muted_member, { name }) : result.message);
}

// --- Janus ----------------------------------------------------------------------------------

function refused(reason) {
  say(fill(T.refused, { reason }));
  section.dataset.refused = reason;
}

async function join() {
  if (closedFor) return;
  wanted = true;
  clearTimeout(retryTimer);
  say(T.joining);
  let answer;
  try {
    const hall = settings.hall && document.getElementById("media-hall")?.checked;
    answer = await fetch(hall ? `${settings.access_url}?thiet-bi=hall` : settings.access_url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch {
    scheduleRetry();
    return;
  }
  const body = answer.headers.get("content-type")?.includes("json") ? await answer.json() : null;
  if (!answer.ok || !body) {
    say(body?.message ?? T.reconnecting);
    if (answer.status >= 500) scheduleRetry();
    else wanted = false;
    return;
  }
  if (closedFor) return; // signed out while the tokens were on their way
  access = body;
  speakers = new Set(access.speakers);
  stopPreview();
  Janus.init({
    debug: false,
    dependencies: Janus.useDefaultDependencies({ adapter: window.adapter }),
    callback: () => {
      janus = new Janus({
        server: access.server,
        token: access.token,
        iceServers: access.ice_servers,
        iceTransportPolicy: relayOnly ? "relay" : undefined,
        success: attachPublisher,
        error: () => dropped(), // Janus unreachable, or our session lost: start again
        destroyed: () => {},
      });
    },
  });
}

function attachPublisher() {
  janus.attach({
    plugin: "janus.plugin.videoroom",
    success: (handle) => {
      publisher = handle;
      handle.send({ message: { request: "join", ptype: "publisher", room: access.room, id: access.feed, display: nameOf(access.feed)?.name, token: access.room_token } });
    },
    error: (error) => refused(String(error)),
    onmessage: onPublisherMessage,
    onlocaltrack: (track, on) => {
      if (track.kind !== "video") return;
      const video = tileFor(access.feed).querySelector("video");
      video.srcObject = on ? new MediaStream([track]) : null;
    },
    webrtcState: (up) => {
      if (!up) { dropped(); return; }
      retry = 1000;
      say(access.hall ? T.hall_joined : noCamera ? T.joined_no_camera : T.joined);
      const body = new URLSearchParams({ feed: String(access.feed) }); // the member, or the hall
      fetch(settings.published_url, { method: "POST", body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
        .then((r) => r.json()).then((r) => { micState.textContent = r.open ? T.mic_open : T.moderated; });
    },
    iceState: (state) => { if (state === "failed") dropped(); },
  });
}

function onPublisherMessage(message, jsep) {
  if (message.error_code) { refused(`${message.error_code} ${message.error}`); wanted = false; leave(false); return; }
  if (message.videoroom === "joined") {
    privateId = message.private_id;
    checkForm.hidden = true;
    controls.hidden = false;
    tileFor(access.feed);
    publish();
    (message.publishers ?? []).forEach(subscribe);
  } else if (message.videoroom === "destroyed") {
    wanted = false;
    say(T.ended);
    leave(false);
  } else if (message.videoroom === "event") {
    (message.publishers ?? []).forEach(subscribe);
    if (message.leaving === "ok" && message.reason === "kicked") { wanted = false; leave(false); say(closedFor ?? T.kicked); return; }
    const gone = message.unpublished ?? message.leaving ?? message.kicked;
    if (gone !== undefined && gone !== "ok") unsubscribe(gone);
    if (message.moderation && message.id === access.feed) micState.textContent = message.moderation === "muted" ? T.moderated : T.mic_open;
    if (message.configured === undefined && message.error) say(message.error);
  }
  if (jsep) publisher.handleRemoteJsep({ jsep });
}

// A camera that cannot be opened (none, or another program holds it) must not keep a member
// silent: the page publishes the microphone alone and says so; it still receives pictures.
function publish(video = !audioOnly()) {
  const tracks = [{ type: "audio", capture: constraint("media-microphone"), recv: false }];
  if (video) tracks.push({ type: "video", capture: constraint("media-camera"), recv: false, simulcast: true });
  noCamera = !video && !audioOnly();
  document.getElementById("media-camera-toggle").hidden = !video; // no picture to turn off
  publisher.createOffer({
    tracks,
    success: (jsep) => {
      publisher.send({ message: { request: "configure", audio: true, video }, jsep });
      if (selfMuted) publisher.muteAudio();
    },
    error: (error) => {
      if (video) publish(false);
      else say(fill(T.no_devices, { reason: error.message ?? String(error) }));
    },
  });
}

function report(feed) {
  // Someone started publishing: the server moderates them at once (docs/media.md).
  const body = new URLSearchParams({ feed: String(feed) });
  fetch(settings.published_url, { method: "POST", body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" }).catch(() => {});
}

function subscribe(feed) {
  if (feed.id === access.feed || subscriptions.has(feed.id) || feed.dummy) return;
  report(feed.id);
  const streams = (feed.streams ?? []).filter((s) => !s.disabled && (s.type === "audio" || (s.type === "video" && !audioOnly())));
  if (!streams.length) return;
  const sub = { tile: tileFor(feed.id), handle: null, large: null };
  subscriptions.set(feed.id, sub);
  janus.attach({
    plugin: "janus.plugin.videoroom",
    success: (handle) => {
      sub.handle = handle;
      handle.send({ message: { request: "join", ptype: "subscriber", room: access.room, private_id: privateId, streams: streams.map((s) => ({ feed: feed.id, mid: s.mid })) } });
    },
    error: () => unsubscribe(feed.id),
    onmessage: (message, jsep) => {
      if (message.error_code) { unsubscribe(feed.id); return; }
      for (const s of message.streams ?? []) if (s.type === "video") sub.videoMid = s.mid;
      if (jsep) answerSubscription(sub, jsep);
      if (message.videoroom === "attached") markSpeakers();
    },
    onremotetrack: (track, mid, on) => {
      const element = sub.tile.querySelector(track.kind === "video" ? "video" : "audio");
      if (!on) { if (track.kind === "video") element.srcObject = null; return; }
      element.srcObject = new MediaStream([track]);
      const speaker = document.getElementById("media-speaker").value;
      if (track.kind === "audio" && speaker && element.setSinkId) element.setSinkId(speaker).catch(() => {});
    },
  });
}

function answerSubscription(sub, jsep) {
  sub.handle.createAnswer({
    jsep,
    tracks: [{ type: "data" }],
    success: (answer) => sub.handle.send({ message: { request: "start", room: access.room }, jsep: answer }),
    error: () => {},
  });
}

function unsubscribe(feed) {
  const sub = subscriptions.get(feed);
  subscriptions.delete(feed);
  sub?.handle?.detach();
  dropTile(feed);
}

function dropped() {
  // The network went away (or Janus restarted): start again from new tokens, without leaving
  // the roll (room.js keeps its own websocket).
  if (!wanted) return;
  leave(false);
  checkForm.hidden = true;
  say(T.reconnecting);
  scheduleRetry();
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(join, retry);
  retry = Math.min(retry * 2, RETRY_MAX);
}

function leave(byUser = true) {
  if (byUser) { wanted = false; clearTimeout(retryTimer); say(T.left); }
  for (const feed of [...subscriptions.keys()]) unsubscribe(feed);
  const session = janus;
  janus = null;
  publisher = null;
  try { session?.destroy({ notifyDestroyed: false }); } catch { /* already gone */ }
  tiles.replaceChildren();
  micState.textContent = "";
  controls.hidden = true;
  // Once the room's socket closed for good, nothing (a late "kicked" from Janus) offers to join.
  checkForm.hidden = closedFor !== null || meetingStatus !== "in_progress";
}

// --- The room's state (room.js) drives who may speak and whether media is open --------------

document.addEventListener("room:rendered", (event) => {
  if (closedFor) return;
  const state = event.detail;
  meetingStatus = state.meeting.status;
  if (meetingStatus !== "in_progress") {
    if (wanted || janus) { wanted = false; leave(false); say(T.ended); }
    checkForm.hidden = true;
    if (!status.textContent) say(T.not_in_progress);
    return;
  }
  if (!janus && !wanted) checkForm.hidden = false;
  if (status.textContent === T.not_in_progress) say("");
  const turn = (state.turns ?? []).find((t) => !t.ended_at);
  speakers = new Set([state.meeting.chair, turn?.member].filter(Boolean));
  if (access) markSpeakers();
});

// The room's socket closed for good: 4401 (the session ended: sign-out, expiry, a password
// change) or 4404 (no longer in the meeting). The server has put this member out of the Janus
// room already; the page leaves it too, stops the camera and says why.
document.addEventListener("room:closed", (event) => {
  closedFor = event.detail.code === 4401 ? T.signed_out : T.not_in_meeting;
  wanted = false;
  clearTimeout(retryTimer);
  leave(false);
  stopPreview();
  checkForm.hidden = true;
  say(closedFor);
});

// --- Controls -------------------------------------------------------------------------------

checkForm.addEventListener("submit", (event) => { event.preventDefault(); join(); });
document.getElementById("media-test").addEventListener("click", testDevices);
document.getElementById("media-audio-only").checked = localStorage.getItem(AUDIO_ONLY_KEY) === "1";
document.getElementById("media-audio-only").addEventListener("change", (event) => {
  localStorage.setItem(AUDIO_ONLY_KEY, event.target.checked ? "1" : "0");
});
document.getElementById("media-mic").addEventListener("click", (event) => {
  selfMuted = !selfMuted;
  if (publisher) selfMuted ? publisher.muteAudio() : publisher.unmuteAudio();
  event.target.setAttribute("aria-pressed", String(selfMuted));
  event.target.textContent = selfMuted ? T.mic_on : T.mic_off;
});
document.getElementById("media-camera-toggle").addEventListener("click", (event) => {
  cameraOff = !cameraOff;
  if (publisher) cameraOff ? publisher.muteVideo() : publisher.unmuteVideo();
  event.target.setAttribute("aria-pressed", String(cameraOff));
  event.target.textContent = cameraOff ? T.camera_on : T.camera_off;
});
document.getElementById("media-leave").addEventListener("click", () => leave(true));
if (!settings.on_roll) { checkForm.remove(); say(T.not_on_roll); }
else listDevices().catch(() => {});

// For the browser tests and for support: what this page receives from each participant.
window.chiboMedia = {
  feeds: () => [...subscriptions.keys()],
  async stats(feed) {
    const pc = subscriptions.get(feed)?.handle?.webrtcStuff?.pc;
    const result = { audio: null, video: null, relay: false };
    if (!pc) return result;
    const report = await pc.getStats();
    let pair = null;
    report.forEach((s) => {
      if (s.type !== "inbound-rtp") return;
      const sum = result[s.kind] ?? { bytes: 0, energy: 0, frames: 0 }; // every stream of the kind
      result[s.kind] = { bytes: sum.bytes + s.bytesReceived, energy: sum.energy + (s.totalAudioEnergy ?? 0), frames: sum.frames + (s.framesDecoded ?? 0) };
      if (s.type === "transport" && s.selectedCandidatePairId) pair = report.get(s.selectedCandidatePairId);
    });
    result.relay = pair ? report.get(pair.localCandidateId)?.candidateType === "relay" : false;
    const video = subscriptions.get(feed).tile.querySelector("video");
    result.width = video.videoWidth;
    return result;
  },
  // What a modified page would do: try to open its own microphone …
  unmute() { publisher?.unmuteAudio(); },
  // … or publish a second microphone stream beside the first (an audio stream of another mid).
  secondMicrophone() {
    publisher?.createOffer({
      tracks: [{ type: "audio", capture: true, recv: false, add: true }],
      success: (jsep) => publisher.send({ message: { request: "configure" }, jsep }),
    });
  },
};
