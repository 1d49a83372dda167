// The login shared by the staff pages (doctor console, support inbox and dashboard) and the
// patient's privacy page: the development login form, logging out, a 401 logging out, and
// the boot (the stored session's workspace, else the login form).
//
// Each page says what differs: its role and session key, what else the dev login sends,
// the words for "development login is off", how the account is named, and what happens
// once logged in or out.

import { ApiError, callApi } from "./api.js";
import { currentSession, devLogin, forgetSession } from "./auth.js";

const IDS = {
  account: "account-name",
  logout: "logout-button",
  notice: "notice",
  loginForm: "login-form",
  nationalId: "national-id",
  loginError: "login-error",
  workspace: "workspace",
};

/**
 * Wire a page's login. Returns `{ token, api, showNotice, loggedOut, boot }`:
 * `token()` is the stored access token (or null); `api(path, options)` is callApi with it,
 * where a 401 logs out ("Your login has expired."); `boot()` shows the workspace for a
 * stored login, else the login form, then marks the page ready (body[data-ready]).
 */
export function staffLogin({
  role,
  sessionKey,
  // More fields for the dev login, read when the form is sent.
  fields = () => ({}),
  offMessage = "Development login is off on this server.",
  accountName = (me) => `${me.given_name} ${me.family_name}`,
  // After the workspace is shown and the account named.
  onLoggedIn = async () => {},
  // First thing on logging out, before the session is forgotten.
  onLoggedOut = () => {},
  ids = {},
}) {
  const ui = Object.fromEntries(
    Object.entries({ ...IDS, ...ids }).map(([name, id]) => [name, document.getElementById(id)]),
  );

  const token = () => currentSession(sessionKey)?.access_token ?? null;

  function showNotice(text) {
    ui.notice.textContent = text;
    ui.notice.hidden = !text;
  }

  /** A call with the page's token; a 401 logs out. */
  async function api(path, options = {}) {
    try {
      return await callApi(path, { ...options, token: token() });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) loggedOut("Your login has expired.");
      throw error;
    }
  }

  async function loggedIn() {
    ui.loginForm.hidden = true;
    ui.workspace.hidden = false;
    ui.logout.hidden = false;
    try {
      const me = await api("/api/v1/auth/me");
      ui.account.textContent = `Logged in as ${accountName(me)}`;
    } catch {
      return;
    }
    await onLoggedIn();
  }

  function loggedOut(reason = "") {
    onLoggedOut();
    forgetSession(sessionKey);
    ui.workspace.hidden = true;
    ui.logout.hidden = true;
    ui.account.textContent = "";
    ui.loginForm.hidden = false;
    showNotice(reason);
  }

  ui.loginForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    ui.loginError.hidden = true;
    ui.nationalId.removeAttribute("aria-invalid");
    try {
      await devLogin(ui.nationalId.value.trim(), role, sessionKey, fields());
    } catch (error) {
      ui.loginError.textContent =
        error instanceof ApiError && error.status === 404
          ? offMessage
          : error instanceof ApiError
            ? error.explain()
            : String(error);
      ui.loginError.hidden = false;
      ui.nationalId.setAttribute("aria-invalid", "true");
      ui.nationalId.focus();
      return;
    }
    showNotice("");
    await loggedIn();
  });

  ui.logout.addEventListener("click", () => {
    loggedOut("You are logged out.");
    ui.nationalId.focus();
  });

  async function boot() {
    if (token()) await loggedIn();
    else loggedOut();
    document.body.dataset.ready = "true";
  }

  return { token, api, showNotice, loggedOut, boot };
}
