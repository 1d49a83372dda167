// A consult's video room, for the patient's page and the clinician's console alike.
//
// One peer connection to the clinic's server (which relays media between patient and
// clinician): a join token from the API, an offer with the camera and microphone, the
// server's answer, then a WebSocket for the room's events and the device check. ICE is not
// trickled: the offer is sent once every candidate is gathered. If the connection or the
// socket drops, the room tries once by itself to join again with a new token; after that
// the page offers a "Reconnect" button (reconnect()).

import { ApiError, callApi } from "./api.js";

const GATHERING_TIMEOUT_MS = 5_000;
const STATS_EVERY_MS = 2_000;
// "disconnected" often heals by itself within a few seconds; "failed" does not.
const DISCONNECTED_GRACE_MS = 5_000;
const AUTO_RETRY_DELAY_MS = 1_000;
// The room's end (or its closing) as the server announces it.
const CLOSING_EVENTS = new Set(["ended", "closed_empty", "closed_shutdown"]);
// Refusals that mean the consult is over.
const ENDED_CODES = new Set(["room_ended", "not_in_progress"]);
// Join tokens are single use and short lived; a new one is asked for.
const STALE_TOKEN = new Set(["token_expired", "token_used"]);

/** Camera and microphone, sized for a consult rather than a film. */
export function openCamera() {
  return navigator.mediaDevices.getUserMedia({
    audio: { echoCancellation: true, noiseSuppression: true },
    video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 15 } },
  });
}

/** Why the browser gave no camera or microphone, in a patient's words. */
export function cameraProblem(error) {
  switch (error?.name) {
    case "NotAllowedError":
    case "SecurityError":
      return (
        "This page may not use your camera and microphone. Allow them (the camera symbol " +
        "in the address bar) and try again."
      );
    case "NotFoundError":
    case "OverconstrainedError":
      return "No camera or microphone was found. Connect one and try again.";
    case "NotReadableError":
      return "Your camera or microphone is in use by another app. Close it and try again.";
    default:
      return "Your camera and microphone could not be started. Reload the page and try again.";
  }
}

function gatheringComplete(pc) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") finish();
    };
    // Whatever was gathered by then is sent: one slow interface must not stop the consult.
    const timer = setTimeout(finish, GATHERING_TIMEOUT_MS);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

async function roundTripMs(pc) {
  const stats = await pc.getStats();
  let pair = null;
  stats.forEach((report) => {
    if (report.type === "transport" && report.selectedCandidatePairId) {
      pair = stats.get(report.selectedCandidatePairId) ?? pair;
    }
  });
  if (!pair) {
    stats.forEach((report) => {
      if (report.type === "candidate-pair" && report.nominated && report.state === "succeeded") {
        pair = report;
      }
    });
  }
  const seconds = pair?.currentRoundTripTime;
  return typeof seconds === "number" ? seconds * 1000 : null;
}

/** One attempt at being in the room: a peer connection and the room's socket. */
class Connection {
  constructor(room, grant) {
    this.room = room;
    this.grant = grant;
    this.key = null;
    this.socket = null;
    this.statsTimer = null;
    this.disconnectTimer = null;
    this.closed = false;
    this.remote = new MediaStream();
    this.pc = new RTCPeerConnection({
      iceServers: grant.ice_servers.map((server) => ({
        urls: server.urls,
        ...(server.username ? { username: server.username } : {}),
        ...(server.credential ? { credential: server.credential } : {}),
      })),
    });
  }

  async open(stream) {
    const { pc, grant } = this;
    // addTrack (not recvonly transceivers): one audio and one video line, sent and received.
    for (const track of stream.getTracks()) pc.addTrack(track, stream);
    pc.addEventListener("track", (event) => {
      this.remote.addTrack(event.track);
      this.room.events.onRemoteStream?.(this.remote);
    });
    pc.addEventListener("connectionstatechange", () => this.#connectionChanged());
    await pc.setLocalDescription(await pc.createOffer());
    await gatheringComplete(pc);
    if (this.closed) return;
    const answer = await callApi(`/api/v1/video/rooms/${encodeURIComponent(grant.room_id)}/join`, {
      method: "POST",
      json: { token: grant.token, role: grant.role, type: "offer", sdp: pc.localDescription.sdp },
    });
    if (this.closed) return;
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    this.key = answer.participant_key;
    this.room.events.onRoom?.(answer.room);
    this.#openSocket();
    this.statsTimer = setInterval(() => this.#sendStats(), STATS_EVERY_MS);
  }

  #openSocket() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const path = `/api/v1/video/rooms/${encodeURIComponent(this.grant.room_id)}/events`;
    const socket = new WebSocket(`${scheme}//${location.host}${path}`);
    this.socket = socket;
    // A socket cannot carry headers: the participant key is its first message.
    socket.addEventListener("open", () => socket.send(JSON.stringify({ type: "hello", key: this.key })));
    socket.addEventListener("message", (event) => {
      if (this.closed) return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === "room") this.room.roomEvent(this, message);
      else if (message.type === "check") this.room.events.onCheck?.(message.report);
    });
    socket.addEventListener("close", (event) => {
      // The server closes the socket normally (1000) only after the room's end (announced
      // first) or when this participant joined again elsewhere: then this page steps back
      // rather than taking the room back, or two windows would take turns forever.
      if (!this.closed) this.room.dropped(this, event.code === 1000 ? "replaced" : "socket");
    });
  }

  #connectionChanged() {
    if (this.closed) return;
    const state = this.pc.connectionState;
    clearTimeout(this.disconnectTimer);
    if (state === "connected") {
      this.room.connected(this);
    } else if (state === "failed") {
      this.room.dropped(this, "connection");
    } else if (state === "disconnected") {
      this.disconnectTimer = setTimeout(() => {
        if (this.pc.connectionState === "disconnected") this.room.dropped(this, "connection");
      }, DISCONNECTED_GRACE_MS);
    }
  }

  async #sendStats() {
    if (this.closed || this.socket?.readyState !== WebSocket.OPEN) return;
    const rtt = await roundTripMs(this.pc).catch(() => null);
    if (rtt !== null && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify({ type: "stats", round_trip_ms: rtt }));
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.statsTimer);
    clearTimeout(this.disconnectTimer);
    this.socket?.close();
    this.pc.close();
  }
}

/**
 * A participant's presence in one consult's room, across reconnections.
 *
 * `events` are the page's callbacks: onPhase(phase, detail) with phase one of "joining",
 * "in_room", "reconnecting", "dropped" (the page shows Reconnect), "replaced" (joined
 * again from another window; Reconnect takes the room back), "refused" (detail is the
 * ApiError), "ended"; onRoom(snapshot); onCheck(report); onRemoteStream(stream).
 */
export class Room {
  constructor({ appointmentId, accessToken, events }) {
    this.appointmentId = appointmentId;
    this.accessToken = accessToken;
    this.events = events;
    this.stream = null;
    this.connection = null;
    this.key = null;
    this.autoRetries = 1;
    this.ended = false;
    if (window.__exposeRoomForTests) window.__room = this;
  }

  /** The current peer connection (the tests read its statistics). */
  get pc() {
    return this.connection?.pc ?? null;
  }

  /** A join token for this consult, or an ApiError saying why not (404, too_early...). */
  requestToken() {
    return callApi(`/api/v1/video/consults/${encodeURIComponent(this.appointmentId)}/join-token`, {
      method: "POST",
      token: this.accessToken,
    });
  }

  /** Enter the room with the camera's stream; `grant` is a token already fetched, if any. */
  async join(stream, grant = null) {
    this.stream = stream;
    await this.#connect(grant);
  }

  /** The page's "Reconnect" button. */
  reconnect() {
    this.autoRetries = 1;
    return this.#connect(null);
  }

  async #connect(grant) {
    if (this.ended) return;
    this.connection?.close();
    this.connection = null;
    this.events.onPhase?.("joining");
    let connection = null;
    try {
      connection = new Connection(this, grant ?? (await this.requestToken()));
      this.connection = connection;
      await connection.open(this.stream);
      // A newer attempt (a second press of Reconnect) has taken over: it reports, not this.
      if (connection !== this.connection || connection.closed) return;
      this.key = connection.key;
      this.events.onPhase?.("in_room");
    } catch (error) {
      connection?.close();
      if (connection !== null && this.connection !== connection) return;
      this.connection = null;
      if (this.ended) return;
      if (grant !== null && error instanceof ApiError && STALE_TOKEN.has(error.code)) {
        // The token fetched before the camera was allowed has run out meanwhile.
        await this.#connect(null);
      } else if (error instanceof ApiError && ENDED_CODES.has(error.code)) {
        this.finish();
      } else if (error instanceof ApiError && error.status !== 0 && error.status < 500) {
        this.events.onPhase?.("refused", error);
      } else {
        this.events.onPhase?.("dropped", error);
      }
    }
  }

  roomEvent(connection, message) {
    if (connection !== this.connection) return;
    this.events.onRoom?.(message);
    if (CLOSING_EVENTS.has(message.event) || message.state === "ended") this.finish(message.event);
  }

  connected(connection) {
    if (connection === this.connection) this.autoRetries = 1;
  }

  dropped(connection, reason) {
    if (connection !== this.connection || this.ended) return;
    connection.close();
    if (reason === "replaced") {
      this.events.onPhase?.("replaced", null);
    } else if (this.autoRetries > 0) {
      this.autoRetries -= 1;
      this.events.onPhase?.("reconnecting");
      // A moment's pause: the room's end may be on its way, and networks settle.
      setTimeout(() => this.#connect(null), AUTO_RETRY_DELAY_MS);
    } else {
      this.events.onPhase?.("dropped", null);
    }
  }

  /** Actions only the clinician may take (the server refuses a patient's key). */
  act(action) {
    const roomId = this.connection?.grant.room_id ?? this.appointmentId;
    return callApi(`/api/v1/video/rooms/${encodeURIComponent(roomId)}/${action}`, {
      method: "POST",
      headers: { "X-Participant-Key": this.key },
    });
  }

  /** The consult is over (announced by the server, or ended by this clinician). */
  finish(event = "ended") {
    if (this.ended) return;
    this.ended = true;
    this.connection?.close();
    this.stopCamera();
    this.events.onPhase?.("ended", event);
  }

  stopCamera() {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
  }

  /** Leave without ending the consult (closing the page does the same). */
  leave() {
    this.ended = true;
    this.connection?.close();
    this.connection = null;
    this.stopCamera();
  }
}

/**
 * Show a stream in a video element. Browsers may refuse to play sound before the person
 * has touched the page: the picture then plays muted and `onMuted` is told, so that the
 * page can offer a "Turn on sound" button.
 */
export async function play(video, stream, onMuted = () => {}) {
  if (video.srcObject !== stream) video.srcObject = stream;
  try {
    await video.play();
  } catch (error) {
    if (error?.name !== "NotAllowedError" || video.muted) return;
    video.muted = true;
    await video.play().catch(() => {});
    onMuted();
  }
}
