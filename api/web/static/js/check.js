// The device check: what the clinic's server receives from this participant's camera,
// microphone and connection (pushed every 2 seconds on the room's socket), and the advice
// when something is not good enough.

import { el } from "./dom.js";

const ROWS = [
  ["camera", "Camera"],
  ["microphone", "Microphone"],
  ["connection", "Connection"],
  ["fps", "Frames per second"],
  ["loss", "Packet loss"],
  ["rtt", "Round trip"],
];

// What a failing check reads as; a passing one reads "OK".
const FAILING = { camera: "No picture", microphone: "No sound", connection: "Unstable" };

export class DeviceCheck {
  /** Fills `container` (a section with its own heading) with the check's rows and advice. */
  constructor(container) {
    this.container = container;
    this.values = {};
    const list = el("dl", { class: "facts check" });
    for (const [name, term] of ROWS) {
      this.values[name] = el("dd", { "data-check": name }, "Checking…");
      list.append(el("dt", {}, term), this.values[name]);
    }
    // Announced only when the verdict changes, not every two seconds.
    this.summary = el("p", { class: "check-summary", role: "status" });
    this.advice = el("ul", { class: "advice" });
    this.adviceText = "";
    container.append(this.summary, list, this.advice);
  }

  show(report) {
    this.container.hidden = false;
    for (const name of ["camera", "microphone", "connection"]) {
      const ok = Boolean(report[name]);
      const text = ok ? "OK" : FAILING[name];
      const detail =
        name === "camera" && ok && report.video?.width
          ? ` (${report.video.width} × ${report.video.height})`
          : "";
      this.#set(name, text + detail, ok);
    }
    const fps = report.video?.per_second;
    this.#set("fps", typeof fps === "number" ? String(fps) : "–");
    const loss = report.packet_loss;
    this.#set("loss", typeof loss === "number" ? `${(loss * 100).toFixed(1)} %` : "–");
    const rtt = report.round_trip_ms;
    this.#set("rtt", typeof rtt === "number" ? `${Math.round(rtt)} ms` : "–");

    const summary = report.all_good
      ? "Your camera, microphone and connection are working."
      : "Something is not working yet. See what to try below.";
    if (this.summary.textContent !== summary) this.summary.textContent = summary;
    const advice = report.advice ?? [];
    if (advice.join("\n") !== this.adviceText) {
      this.adviceText = advice.join("\n");
      this.advice.replaceChildren(...advice.map((sentence) => el("li", {}, sentence)));
    }
    this.advice.hidden = advice.length === 0;
  }

  #set(name, text, ok = null) {
    const value = this.values[name];
    if (value.textContent !== text) value.textContent = text;
    value.classList.toggle("ok", ok === true);
    value.classList.toggle("bad", ok === false);
  }
}
