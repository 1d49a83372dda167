// How the page writes money, times and names: Norwegian kroner, clinic time (Europe/Oslo).

const CLINIC_TIME_ZONE = "Europe/Oslo";

const kroner = new Intl.NumberFormat("nb-NO", { maximumFractionDigits: 0 });

const dateTime = new Intl.DateTimeFormat("en-GB", {
  timeZone: CLINIC_TIME_ZONE,
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "2-digit",
  minute: "2-digit",
});

const dateOnly = new Intl.DateTimeFormat("en-GB", {
  timeZone: CLINIC_TIME_ZONE,
  weekday: "short",
  day: "numeric",
  month: "short",
});

/** 37500 øre -> "375 kr" (the way the assistant writes prices). */
export function money(ore) {
  return `${kroner.format(Number(ore) / 100)} kr`;
}

/** An ISO instant from the API, in clinic time: "Fri 12 Jun, 10:00". */
export function when(iso) {
  const instant = new Date(iso);
  return Number.isNaN(instant.getTime()) ? "" : dateTime.format(instant);
}

/** An ISO date (YYYY-MM-DD): "Fri 12 Jun". */
export function day(isoDate) {
  const instant = new Date(`${isoDate}T12:00:00Z`);
  return Number.isNaN(instant.getTime()) ? "" : dateOnly.format(instant);
}

const SERVICES = {
  doctor_consult: "Video consult with a doctor",
  psychologist_session: "Video session with a psychologist",
  prescription_renewal: "Prescription renewal",
  new_prescription: "New prescription",
};

export function serviceName(service) {
  return SERVICES[service] ?? "Consult";
}

/** "school_absence" -> "School absence". */
export function humanise(code) {
  const words = String(code ?? "").replaceAll("_", " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "";
}
