// The patient's consult at a glance, kept fresh by polling the API's own status routes:
// their place in the drop-in queue (GET /api/v1/queue/me) and whether a consult has started
// (GET /api/v1/bookings: `started_at` is set when the clinician opens it), which shows
// "Join video consult", then the room's state (waiting room, in the consult).

import { callApi } from "./api.js";
import { el } from "./dom.js";

const POLL_MS = 10_000;
const IN_PROGRESS = new Set(["booked", "arrived"]);

/** Where "Join video consult" leads: the patient's video consult page. */
export function videoRoomUrl(appointmentId) {
  return `/video/${encodeURIComponent(appointmentId)}`;
}

export class ConsultStatus {
  /**
   * @param {{section: HTMLElement, queue: HTMLElement, video: HTMLElement}} parts
   * @param {{token: Function, onExpired: Function}} session
   */
  constructor({ section, queue, video }, { token, onExpired }) {
    this.section = section;
    this.queue = queue;
    this.video = video;
    this.token = token;
    this.onExpired = onExpired;
    this.timer = null;
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && this.timer !== null) this.refresh();
    });
  }

  start() {
    this.stop();
    this.timer = setInterval(() => {
      if (!document.hidden) this.refresh();
    }, POLL_MS);
    return this.refresh();
  }

  stop() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.#show(null, null);
  }

  async refresh() {
    const token = this.token();
    if (!token) return this.stop();
    const [place, bookings] = await Promise.allSettled([
      callApi("/api/v1/queue/me", { token }),
      callApi("/api/v1/bookings", { token }),
    ]);
    if ([place, bookings].some((r) => r.status === "rejected" && r.reason?.status === 401)) {
      this.onExpired();
      return;
    }
    // Not in the queue answers 404; other failures leave the last known state on screen.
    const queued = place.status === "fulfilled" ? place.value : place.reason?.status === 404 ? null : undefined;
    const started =
      bookings.status === "fulfilled"
        ? bookings.value.find((b) => b.started_at && IN_PROGRESS.has(b.status)) ?? null
        : undefined;
    // Where the patient is in the consult's video room: not in yet, waiting, or admitted.
    let room = null;
    if (started) {
      try {
        const path = `/api/v1/video/consults/${encodeURIComponent(started.id)}/room`;
        room = (await callApi(path, { token })).room;
      } catch {
        room = null;
      }
    }
    this.#show(queued, started, room);
  }

  #show(queued, started, room = null) {
    if (queued !== undefined) {
      const text = queued ? queueText(queued) : "";
      // Only a change is written, so screen readers announce news rather than every poll.
      if (this.queue.textContent !== text) this.queue.textContent = text;
      this.queue.hidden = !text;
    }
    if (started !== undefined) {
      const href = started ? videoRoomUrl(started.id) : null;
      const [text, action] = videoText(room);
      const shown = href ? `${href} ${text}` : "";
      if (this.video.dataset.shown !== shown) {
        this.video.dataset.shown = shown;
        this.video.replaceChildren(
          ...(href
            ? [el("span", {}, `${text} `), el("a", { class: "button primary", href }, action)]
            : []),
        );
      }
      this.video.hidden = !href;
    }
    this.section.hidden = this.queue.hidden && this.video.hidden;
  }
}

/** What the chat says about the video room, and the link's words. */
function videoText(room) {
  if (room?.state === "live" && room.patient === "connected") {
    return ["You are in your video consult.", "Back to the video"];
  }
  if (room?.state === "waiting" && room.patient === "connected") {
    return ["You are in the waiting room. Your clinician will let you in shortly.", "Back to the waiting room"];
  }
  return ["Your clinician is ready for you.", "Join video consult"];
}

function queueText(place) {
  const wait = place.estimated_wait_minutes;
  const estimate =
    wait === null || wait === undefined
      ? "No doctor is on duty right now, so the wait is not known."
      : `Estimated wait: about ${wait} minutes.`;
  return `You are number ${place.position} in the drop-in queue. ${estimate}`;
}
