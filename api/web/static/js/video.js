// The patient's video consult page (/video/{appointment_id}): camera preview, the waiting
// room with its device check, the clinician's video once admitted, the end.

import { ApiError } from "./api.js";
import { currentSession } from "./auth.js";
import { DeviceCheck } from "./check.js";
import { Room, cameraProblem, openCamera, play } from "./room.js";

const $ = (id) => document.getElementById(id);

const ui = {
  status: $("room-status"),
  error: $("room-error"),
  login: $("login-link"),
  camera: $("camera-button"),
  reconnect: $("reconnect-button"),
  sound: $("sound-button"),
  stage: $("stage"),
  remoteTile: $("remote-tile"),
  remoteVideo: $("remote-video"),
  localTile: $("local-tile"),
  localVideo: $("local-video"),
};

const check = new DeviceCheck($("device-check"));
let room = null;
let remoteStream = null;
let snapshot = { state: "waiting", clinician: "absent" };
let phase = "joining";

function say(text) {
  // Only a change is written, so a screen reader announces news, not every update.
  if (ui.status.textContent !== text) ui.status.textContent = text;
}

function showError(text) {
  ui.error.textContent = text;
  ui.error.hidden = !text;
}

function appointmentId() {
  const id = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() ?? "");
  return id;
}

function render() {
  const live = phase === "in_room" && snapshot.state === "live";
  ui.stage.classList.toggle("live", live);
  ui.remoteTile.hidden = !live;
  ui.reconnect.hidden = !["dropped", "replaced"].includes(phase);
  if (phase === "ended") {
    ui.localTile.hidden = true;
    ui.remoteTile.hidden = true;
    ui.sound.hidden = true;
    $("device-check").hidden = true;
    say("The consult has ended. Thank you for using the clinic.");
  } else if (phase === "joining") {
    say("Joining the waiting room…");
  } else if (phase === "reconnecting") {
    say("The connection dropped. Reconnecting…");
  } else if (phase === "dropped") {
    say("The connection to the consult was lost. Press Reconnect to join again.");
  } else if (phase === "replaced") {
    say(
      "You joined this consult in another window or on another device. " +
        "Press Reconnect to continue here.",
    );
  } else if (phase === "in_room" && live) {
    say(
      snapshot.clinician === "away"
        ? "Your clinician's connection dropped. Please wait while they reconnect."
        : "You are in the consult with your clinician.",
    );
  } else if (phase === "in_room") {
    say("Waiting for your clinician to let you in.");
  }
}

const events = {
  onPhase(next, detail) {
    phase = next;
    if (next === "refused") {
      showError(detail instanceof ApiError ? detail.explain() : String(detail));
      // A 401 about the login (not about a join token) means logging in again.
      if (detail?.status === 401 && !String(detail.code).startsWith("token_")) {
        ui.login.hidden = false;
      }
      // Too early, still in the queue, someone else in the room: worth another try later.
      ui.reconnect.hidden = detail?.status !== 409;
      ui.reconnect.textContent = "Try again";
      room.stopCamera();
      ui.localTile.hidden = true;
      say("You cannot join this consult.");
      return;
    }
    ui.reconnect.textContent = "Reconnect";
    if (next === "dropped" && detail) {
      showError(detail instanceof ApiError ? detail.explain() : String(detail));
    } else if (next === "in_room" || next === "ended") {
      showError("");
    }
    render();
  },
  onRoom(message) {
    snapshot = message;
    render();
  },
  onCheck(report) {
    if (phase !== "ended") check.show(report);
  },
  onRemoteStream(stream) {
    remoteStream = stream;
    play(ui.remoteVideo, stream, () => {
      ui.sound.hidden = false;
    });
  },
};

async function startCamera() {
  ui.camera.hidden = true;
  showError("");
  say("Starting your camera and microphone…");
  try {
    const stream = await openCamera();
    ui.localTile.hidden = false;
    play(ui.localVideo, stream);
    return stream;
  } catch (error) {
    showError(cameraProblem(error));
    say("Your camera and microphone are needed for the consult.");
    ui.camera.hidden = false;
    return null;
  }
}

/** Token, camera, room; the token first, so that a consult that is not this patient's
 * (or not open yet) is refused before the browser asks for the camera. */
async function enter() {
  ui.reconnect.hidden = true;
  showError("");
  say("Checking your consult…");
  let grant;
  try {
    grant = await room.requestToken();
  } catch (error) {
    events.onPhase("refused", error);
    return;
  }
  const stream = await startCamera();
  if (stream) await room.join(stream, grant);
}

ui.camera.addEventListener("click", () => enter());

ui.reconnect.addEventListener("click", () => {
  showError("");
  if (room.stream?.active) room.reconnect();
  else enter();
});

ui.sound.addEventListener("click", () => {
  ui.remoteVideo.muted = false;
  ui.sound.hidden = true;
  if (remoteStream) play(ui.remoteVideo, remoteStream);
});

addEventListener("pagehide", () => room?.leave());

async function boot() {
  const session = currentSession();
  if (!session) {
    say("Log in to join your video consult.");
    ui.login.hidden = false;
  } else {
    room = new Room({ appointmentId: appointmentId(), accessToken: session.access_token, events });
    await enter();
  }
  document.body.dataset.ready = "true";
}

boot();
