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

// Whether a person from support has the conversation (GET /api/v1/chat/support): while
// they do the assistant is silent, so the page says who is with the patient and shows what
// they write as it arrives; polled often while support is involved, rarely otherwise.
const SUPPORT_ACTIVE_MS = 3_000;
const SUPPORT_IDLE_MS = 15_000;

export const WITH_SUPPORT = "A member of our support team is with you";

function supportText(presence) {
  if (presence?.state === "held") {
    const who = presence.agent ? ` (${presence.agent})` : "";
    return `${WITH_SUPPORT}${who}. They will answer here; the assistant waits until they are done.`;
  }
  if (presence?.state === "waiting") {
    return "Your conversation has been passed to our support team. Someone will answer here; meanwhile the assistant can still help.";
  }
  return "";
}

export class SupportPresence {
  /**
   * @param {HTMLElement} banner
   * @param {{fetch: Function, onReply: Function, onExpired: Function}} hooks
   *   fetch resolves with the presence (or null: no conversation yet); onReply(reply) is
   *   called for each reply, oldest first, and decides itself whether it is news.
   */
  constructor(banner, { fetch, onReply, onExpired }) {
    this.banner = banner;
    this.fetch = fetch;
    this.onReply = onReply;
    this.onExpired = onExpired;
    this.timer = null;
    this.state = "none";
    this.running = false;
  }

  get held() {
    return this.state === "held";
  }

  start() {
    this.stop();
    this.running = true;
    return this.refresh();
  }

  stop() {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.#show(null);
  }

  async refresh() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    try {
      if (!document.hidden) {
        const presence = await this.fetch();
        if (!this.running) return;
        this.#show(presence);
        for (const reply of presence?.replies ?? []) this.onReply(reply);
      }
    } catch (error) {
      if (error?.status === 401) {
        this.onExpired();
        return;
      }
      // Anything else: the last known state stays on screen until the next poll.
    }
    if (!this.running) return;
    const wait = this.state === "none" ? SUPPORT_IDLE_MS : SUPPORT_ACTIVE_MS;
    this.timer = setTimeout(() => this.refresh(), wait);
  }

  #show(presence) {
    this.state = presence?.state ?? "none";
    const text = supportText(presence);
    // Only a change is written, so screen readers announce news rather than every poll.
    if (this.banner.textContent !== text) this.banner.textContent = text;
    this.banner.hidden = !text;
  }
}
