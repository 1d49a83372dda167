// The clinician's side of a consult's video room, in the console: their preview, the
// patient's video, the patient's presence, Admit, End consult and the journal note.

import { ApiError, callApi } from "./api.js";
import { DeviceCheck } from "./check.js";
import { Room, cameraProblem, openCamera, play } from "./room.js";

const $ = (id) => document.getElementById(id);

function presenceText(phase, snapshot) {
  if (phase === "ended") return "The consult has ended.";
  if (phase === "joining") return "Joining the room…";
  if (phase === "reconnecting") return "Your connection dropped. Reconnecting…";
  if (phase === "dropped") return "Your connection to the room was lost. Press Reconnect.";
  if (phase === "replaced") {
    return "You joined this consult in another window. Press Reconnect to continue here.";
  }
  if (phase !== "in_room") return "";
  switch (snapshot.patient) {
    case "connected":
      return snapshot.state === "live"
        ? "The patient is in the consult."
        : "The patient is in the waiting room.";
    case "away":
      return "The patient's connection dropped. They have a minute to come back.";
    default:
      return "The patient has not joined yet.";
  }
}

export class ConsultRoom {
  /** `token()` is the clinician's access token; `onClosed()` runs when the consult ends. */
  constructor({ token, onClosed }) {
    this.token = token;
    this.onClosed = onClosed;
    this.room = null;
    this.appointmentId = null;
    this.phase = null;
    this.snapshot = { state: "waiting", patient: "absent" };
    this.ui = {
      panel: $("room-panel"),
      title: $("room-title"),
      presence: $("presence"),
      error: $("room-error"),
      stage: $("stage"),
      remoteVideo: $("remote-video"),
      localVideo: $("local-video"),
      admit: $("admit-button"),
      end: $("end-button"),
      reconnect: $("reconnect-button"),
      sound: $("sound-button"),
      noteForm: $("note-form"),
      note: $("note"),
      noteStatus: $("note-status"),
    };
    this.check = new DeviceCheck($("device-check"));
    const { ui } = this;
    ui.admit.addEventListener("click", () => this.#act("admit"));
    ui.end.addEventListener("click", () => this.#act("end"));
    ui.reconnect.addEventListener("click", () => {
      this.#error("");
      this.room?.reconnect();
    });
    ui.sound.addEventListener("click", () => {
      ui.remoteVideo.muted = false;
      ui.sound.hidden = true;
      if (ui.remoteVideo.srcObject) play(ui.remoteVideo, ui.remoteVideo.srcObject);
    });
    ui.noteForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.#saveNote();
    });
    addEventListener("pagehide", () => this.room?.leave());
  }

  get active() {
    return this.room !== null && !this.room.ended;
  }

  /** Join `appointment`'s room as its clinician. */
  async start(appointment, label) {
    const { ui } = this;
    this.room?.leave();
    this.appointmentId = appointment.id;
    this.snapshot = { state: "waiting", patient: "absent" };
    ui.panel.hidden = false;
    ui.title.textContent = `Video consult: ${label}`;
    ui.note.value = "";
    ui.noteStatus.textContent = "";
    ui.end.disabled = false;
    ui.stage.hidden = false;
    this.#error("");
    const room = new Room({
      appointmentId: appointment.id,
      accessToken: this.token(),
      // A room left for another consult has no say on the panel any more.
      events: this.#events(() => this.room === room),
    });
    this.room = room;
    ui.panel.scrollIntoView({ block: "start" });
    this.#loadNote(appointment.id);
    let stream;
    try {
      stream = await openCamera();
    } catch (error) {
      this.#error(cameraProblem(error));
      this.#render("dropped");
      return;
    }
    play(ui.localVideo, stream);
    await this.room.join(stream);
  }

  #events(current) {
    return {
      onPhase: (phase, detail) => {
        if (!current()) return;
        if (detail instanceof ApiError) this.#error(detail.explain());
        else if (phase === "in_room") this.#error("");
        this.#render(phase);
        if (phase === "ended") this.onClosed();
      },
      onRoom: (snapshot) => {
        if (!current()) return;
        this.snapshot = snapshot;
        this.#render(this.phase);
      },
      onCheck: (report) => {
        if (current()) this.check.show(report);
      },
      onRemoteStream: (stream) => {
        if (!current()) return;
        play(this.ui.remoteVideo, stream, () => {
          this.ui.sound.hidden = false;
        });
      },
    };
  }

  #render(phase) {
    const { ui, snapshot } = this;
    this.phase = phase;
    const text = presenceText(phase, snapshot);
    if (ui.presence.textContent !== text) ui.presence.textContent = text;
    const inRoom = phase === "in_room";
    ui.admit.disabled = !(inRoom && snapshot.state === "waiting" && snapshot.patient === "connected");
    ui.end.disabled = phase === "ended";
    ui.reconnect.hidden = !["dropped", "replaced", "refused"].includes(phase);
    ui.stage.classList.toggle("live", inRoom && snapshot.state === "live");
    // After the end only the journal note is left to write.
    ui.stage.hidden = phase === "ended";
    if (phase === "ended") {
      ui.remoteVideo.srcObject = null;
      ui.localVideo.srcObject = null;
      ui.sound.hidden = true;
      this.check.container.hidden = true;
    }
  }

  async #act(action) {
    const { ui } = this;
    const button = action === "admit" ? ui.admit : ui.end;
    button.disabled = true;
    this.#error("");
    try {
      const { room } = await this.room.act(action);
      this.snapshot = room;
      if (action === "end") this.room.finish();
      else this.#render(this.phase);
    } catch (error) {
      this.#error(error instanceof ApiError ? error.explain() : String(error));
      this.#render(this.phase);
    }
  }

  /** The note written so far, if any (a consult reopened after a reload keeps its note). */
  async #loadNote(appointmentId) {
    try {
      const note = await callApi(
        `/api/v1/clinician/appointments/${encodeURIComponent(appointmentId)}/note`,
        { token: this.token() },
      );
      if (this.appointmentId === appointmentId && !this.ui.note.value) this.ui.note.value = note.text;
    } catch {
      // No note yet (404): the box stays empty.
    }
  }

  async #saveNote() {
    const { ui } = this;
    ui.noteStatus.textContent = "Saving…";
    try {
      await callApi(`/api/v1/clinician/appointments/${encodeURIComponent(this.appointmentId)}/note`, {
        method: "PUT",
        json: { text: ui.note.value },
        token: this.token(),
      });
      ui.noteStatus.textContent = "The note is saved.";
    } catch (error) {
      ui.noteStatus.textContent = `Not saved: ${
        error instanceof ApiError ? error.explain() : String(error)
      }`;
    }
  }

  #error(text) {
    this.ui.error.textContent = text;
    this.ui.error.hidden = !text;
  }
}
