// The patient's privacy page (/privacy): a copy of their data, erasure of non-medical data
// (with a confirm step, then its status and written confirmation), and who read their data.
// It shares the chat page's login (same tab), or logs in with the development stand-in.

import { ApiError } from "./api.js";
import { el, facts } from "./dom.js";
import { humanise, when } from "./format.js";
import { staffLogin } from "./staff_login.js";

const $ = (id) => document.getElementById(id);

// The chat page's own key: logging in on either page logs in on both (in this tab).
const PATIENT_SESSION_KEY = "clinic.session";
const LOG_PAGE = 100;

const ui = {
  givenName: $("given-name"),
  copy: $("copy-button"),
  copyStatus: $("copy-status"),
  erase: $("erase-button"),
  confirm: $("erase-confirm"),
  eraseYes: $("erase-yes"),
  eraseNo: $("erase-no"),
  erasureError: $("erasure-error"),
  erasureStatus: $("erasure-status"),
  erasures: $("erasure-list"),
  logStatus: $("log-status"),
  log: $("access-log"),
};

const { token, api, loggedOut, boot } = staffLogin({
  role: "patient",
  sessionKey: PATIENT_SESSION_KEY,
  fields: () => ({ given_name: ui.givenName.value.trim() || null }),
  offMessage:
    "Development login is off on this server: log in on the chat page, then come back.",
  accountName: (me) => me.given_name,
  onLoggedIn: () => Promise.all([showErasures(), showAccessLog()]),
});

function explain(error) {
  return error instanceof ApiError ? error.explain() : String(error);
}

// -- a copy of the data ------------------------------------------------------------------

function filenameOf(response) {
  const header = response.headers.get("Content-Disposition") ?? "";
  return /filename="([^"]+)"/.exec(header)?.[1] ?? "my-data.zip";
}

/** Fetch the archive with the login (a plain link cannot carry it) and save it. */
async function saveArchive(path) {
  let response;
  try {
    response = await fetch(path, {
      headers: { Authorization: `Bearer ${token()}` },
      cache: "no-store",
    });
  } catch {
    throw new ApiError(0, "unreachable", "The clinic's server cannot be reached.");
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => null);
    if (response.status === 401) loggedOut("Your login has expired.");
    throw new ApiError(
      response.status,
      answer?.code ?? `http_${response.status}`,
      answer?.message ?? `The server answered with status ${response.status}.`,
    );
  }
  const name = filenameOf(response);
  const url = URL.createObjectURL(await response.blob());
  const link = el("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has started saving; the object URL is not needed after that.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

ui.copy.addEventListener("click", async () => {
  ui.copy.disabled = true;
  ui.copyStatus.textContent = "Preparing your copy…";
  try {
    const asked = await api("/api/v1/privacy/exports", { method: "POST" });
    const name = await saveArchive(asked.download_path);
    ui.copyStatus.textContent = `Your copy is downloaded (${name}). Keep it safe: it holds health data.`;
    // Making the copy read the medical record: it shows in the list below.
    showAccessLog();
  } catch (error) {
    ui.copyStatus.textContent = `No copy this time: ${explain(error)}`;
  } finally {
    ui.copy.disabled = false;
  }
});

// -- erasure ---------------------------------------------------------------------------

function erasureItem(request) {
  const done = Boolean(request.completed_at);
  return el(
    "li",
    {},
    el(
      "article",
      { class: "card" },
      el("h3", { class: "card-title" }, `Erasure asked for ${when(request.requested_at)}`),
      facts([
        [
          "Status",
          done
            ? `Done ${when(request.completed_at)}`
            : `Waiting: done by ${when(request.due_at)} at the latest`,
        ],
        ["Confirmation", request.confirmation],
      ]),
    ),
  );
}

async function showErasures() {
  ui.erasureStatus.textContent = "";
  try {
    const requests = await api("/api/v1/privacy/erasure-requests");
    ui.erasures.replaceChildren(...requests.map(erasureItem));
    const open = requests.some((r) => !r.completed_at);
    ui.erase.disabled = open;
    if (open) ui.erasureStatus.textContent = "Your erasure request is in progress.";
    else if (!requests.length) ui.erasureStatus.textContent = "You have not asked for erasure.";
  } catch (error) {
    ui.erasureStatus.textContent = explain(error);
  }
}

function askToConfirm(open) {
  ui.confirm.hidden = !open;
  ui.erase.hidden = open;
  ui.erasureError.hidden = true;
  (open ? ui.eraseNo : ui.erase).focus();
}

ui.erase.addEventListener("click", () => askToConfirm(true));
ui.eraseNo.addEventListener("click", () => askToConfirm(false));
ui.eraseYes.addEventListener("click", async () => {
  ui.eraseYes.disabled = true;
  try {
    await api("/api/v1/privacy/erasure-requests", { method: "POST" });
    askToConfirm(false);
    await showErasures();
    ui.erasureStatus.textContent =
      "Your erasure request is registered. You will get a written confirmation when it is done.";
  } catch (error) {
    ui.erasureError.textContent = explain(error);
    ui.erasureError.hidden = false;
  } finally {
    ui.eraseYes.disabled = false;
  }
});

// -- who read the data -----------------------------------------------------------------

function whatWasDone(action) {
  const [subject, verb] = String(action).split(".");
  const done = { read: "read", export: "put in a copy of your data" }[verb] ?? humanise(verb);
  return `${humanise(subject)}: ${done}`;
}

function logItem(line) {
  const refused = line.outcome === "denied";
  return el(
    "li",
    {},
    el(
      "article",
      { class: refused ? "card card-cancellation" : "card" },
      el("h3", { class: "card-title" }, `${when(line.at)}: ${line.actor_name}`),
      facts([
        ["Who", `${line.actor_name} (${line.actor_role})`],
        ["What", whatWasDone(line.action)],
        ["Why", line.purpose],
        ["Outcome", refused ? "Refused" : "Allowed"],
      ]),
    ),
  );
}

async function showAccessLog() {
  ui.logStatus.textContent = "Loading…";
  try {
    const lines = await api(`/api/v1/privacy/access-log?limit=${LOG_PAGE}`);
    ui.log.replaceChildren(...lines.map(logItem));
    ui.logStatus.textContent = lines.length ? "" : "Nobody has read your medical data.";
  } catch (error) {
    ui.log.replaceChildren();
    ui.logStatus.textContent = explain(error);
  }
}

boot();
