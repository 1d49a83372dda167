// The clinician console (/console): login, today's consults with their triaged summaries,
// the drop-in queue, the renewal and certificate queues, and the consult's video room.

import { ApiError } from "./api.js";
import { CLINICIAN_SESSION_KEY } from "./auth.js";
import { ConsultRoom } from "./consult_room.js";
import { el, facts } from "./dom.js";
import { day, humanise, serviceName, when } from "./format.js";
import { staffLogin } from "./staff_login.js";

const $ = (id) => document.getElementById(id);

const ui = {
  next: $("next-button"),
  refresh: $("refresh-button"),
  consultsStatus: $("consults-status"),
  consults: $("consult-list"),
  renewalsStatus: $("renewals-status"),
  renewals: $("renewal-list"),
  certificatesStatus: $("certificates-status"),
  certificates: $("certificate-list"),
};

const clock = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Oslo",
  hour: "2-digit",
  minute: "2-digit",
});

const { token, api, showNotice, boot } = staffLogin({
  role: "clinician",
  sessionKey: CLINICIAN_SESSION_KEY,
  onLoggedIn: showAll,
  onLoggedOut: () => room.room?.leave(),
});

const room = new ConsultRoom({ token, onClosed: () => showConsults() });

/** Today in Oslo as YYYY-MM-DD (the consults route takes the clinic's calendar day). */
function osloToday() {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Oslo",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(new Date());
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

function explain(error) {
  return error instanceof ApiError ? error.explain() : String(error);
}

function consultLabel(appointment) {
  const at = appointment.starts_at ?? appointment.started_at ?? appointment.created_at;
  const mode = appointment.mode === "drop_in" ? "drop-in" : "booked";
  return `${clock.format(new Date(at))}, ${mode}`;
}

function summaryOf(check) {
  const a = check.answers;
  const fever = a.fever === null || a.fever === undefined ? null : a.fever ? "Yes" : "No";
  return [
    el("h4", {}, `Symptom check: ${humanise(check.level)}`),
    facts([
      ["Complaint", a.chief_complaint],
      ["Onset", a.onset],
      ["Duration", a.duration_days === null ? null : `${a.duration_days} days`],
      ["Severity", a.severity === null ? null : `${a.severity} of 10`],
      ["Fever", fever && a.temperature_c ? `${fever}, ${a.temperature_c} °C` : fever],
      ["Age", a.age_years === null ? null : `${a.age_years} years`],
      ["Pregnant", a.pregnant ? "Yes" : null],
      ["Medication", a.medication],
      ["Allergies", a.allergies],
      ["Why", check.reasons.map(humanise).join(", ")],
      ["Red flags", check.red_flags.map(humanise).join(", ")],
    ]),
  ];
}

function symptomSummary(appointment) {
  const box = el("div", { class: "summary" }, "Loading the symptom check…");
  api(`/api/v1/clinician/appointments/${encodeURIComponent(appointment.id)}/symptom-check`)
    .then((check) => box.replaceChildren(...summaryOf(check)))
    .catch((error) =>
      box.replaceChildren(
        error instanceof ApiError && error.status === 404 ? "No symptom check." : explain(error),
      ),
    );
  return box;
}

async function consultItem(appointment) {
  const label = consultLabel(appointment);
  const headingId = `consult-${appointment.id}`;
  const start = el(
    "button",
    { type: "button", class: "button primary", "aria-describedby": headingId },
    "Start video",
  );
  const open = ["booked", "arrived"].includes(appointment.status);
  start.disabled = !open;
  start.addEventListener("click", async () => {
    start.disabled = true;
    await room.start(appointment, label);
    start.disabled = !open;
  });
  return el(
    "li",
    { class: "card consult", "data-appointment": appointment.id },
    el("h3", { class: "card-title", id: headingId }, label),
    facts([
      ["Service", serviceName(appointment.service)],
      ["Status", humanise(appointment.status)],
      ["Started", appointment.started_at ? when(appointment.started_at) : null],
    ]),
    symptomSummary(appointment),
    el("div", { class: "actions" }, start),
  );
}

async function showConsults() {
  ui.consultsStatus.textContent = "Loading…";
  try {
    const date = osloToday();
    const rows = await api(`/api/v1/clinician/appointments?date=${date}`);
    ui.consults.replaceChildren(...(await Promise.all(rows.map(consultItem))));
    ui.consultsStatus.textContent = rows.length
      ? `${rows.length} consult${rows.length === 1 ? "" : "s"} on ${day(date)}.`
      : `No consults on ${day(date)}.`;
  } catch (error) {
    ui.consultsStatus.textContent = explain(error);
  }
}

async function showQueue(path, status, list, item) {
  try {
    const rows = await api(path);
    list.replaceChildren(...rows.map(item));
    status.textContent = rows.length ? "" : "Nothing is waiting.";
  } catch (error) {
    list.replaceChildren();
    status.textContent = explain(error);
  }
}

function renewalItem(renewal) {
  return el(
    "li",
    { class: "card" },
    el("h3", { class: "card-title" }, renewal.medication_text || renewal.substance),
    facts([
      ["Substance", `${renewal.substance} (${renewal.atc})`],
      ["Supply", `${renewal.supply_days} days`],
      ["Due", when(renewal.due_at)],
      ["Place", renewal.queue_position],
    ]),
  );
}

function certificateItem(certificate) {
  return el(
    "li",
    { class: "card" },
    el("h3", { class: "card-title" }, humanise(certificate.kind)),
    facts([
      ["Days", certificate.days],
      ["Education", certificate.education],
      ["Travel date", certificate.travel_date ? day(certificate.travel_date) : null],
      ["Note", certificate.note],
      ["Requested", when(certificate.created_at)],
    ]),
  );
}

function showAll() {
  return Promise.all([
    showConsults(),
    showQueue("/api/v1/clinician/renewals", ui.renewalsStatus, ui.renewals, renewalItem),
    showQueue(
      "/api/v1/clinician/certificates/pending",
      ui.certificatesStatus,
      ui.certificates,
      certificateItem,
    ),
  ]);
}

ui.next.addEventListener("click", async () => {
  ui.next.disabled = true;
  try {
    const { appointment } = await api("/api/v1/clinician/queue/next", { method: "POST" });
    showNotice(
      appointment
        ? `You have taken the next drop-in patient (${consultLabel(appointment)}).`
        : "Nobody is waiting in the drop-in queue.",
    );
    if (appointment) await showConsults();
  } catch (error) {
    showNotice(explain(error));
  } finally {
    ui.next.disabled = false;
  }
});

ui.refresh.addEventListener("click", () => showAll());

boot();
