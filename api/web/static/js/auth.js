// Logging in the way an OIDC client does: authorization code with PKCE (RFC 7636).
//
// The page asks the API where to log in (/api/v1/auth/config), sends the browser there with
// a PKCE challenge and a random state, and on the way back trades the code for the API's
// access token. In development the "provider" is the API's own form; a real provider
// (BankID over OIDC) only changes what the config answers, not this file.

import { ApiError, callApi } from "./api.js";

const SESSION_KEY = "clinic.session";
const PENDING_KEY = "clinic.pending-login";
// The clinician console's login, kept apart from a patient's in the same browser tab.
export const CLINICIAN_SESSION_KEY = "clinic.clinician-session";

export class LoginError extends Error {}

function randomString(bytes) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return base64url(values);
}

function base64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

async function s256(verifier) {
  if (!crypto.subtle) {
    throw new LoginError("This page must be opened over HTTPS to log in.");
  }
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

function readJson(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? "null");
  } catch {
    return null;
  }
}

/**
 * The stored login, if it is still valid. Kept in sessionStorage: it survives a reload but
 * not the closing of the tab, and other sites cannot read it.
 */
export function currentSession(key = SESSION_KEY) {
  const session = readJson(key);
  if (!session?.access_token) return null;
  if (Date.parse(session.expires_at) <= Date.now()) {
    sessionStorage.removeItem(key);
    return null;
  }
  return session;
}

export function forgetSession(key = SESSION_KEY) {
  sessionStorage.removeItem(key);
}

/**
 * The development stand-in for BankID (POST /api/v1/auth/dev-login): the API answers 404
 * where development login is off, which is always the case in production. `extra` is sent
 * along (the privacy page's patient gives a first name).
 */
export async function devLogin(nationalId, role, key, extra = {}) {
  const session = await callApi("/api/v1/auth/dev-login", {
    method: "POST",
    json: { national_id: nationalId, role, ...extra },
  });
  sessionStorage.setItem(key, JSON.stringify(session));
  return session;
}

/** Leave for the identity provider's login page. */
export async function startLogin() {
  const config = await callApi("/api/v1/auth/config");
  const verifier = randomString(48);
  const state = randomString(24);
  const redirectUri = `${location.origin}/`;
  sessionStorage.setItem(
    PENDING_KEY,
    JSON.stringify({
      state,
      verifier,
      redirectUri,
      clientId: config.client_id,
      tokenEndpoint: config.token_endpoint,
    }),
  );
  const target = new URL(config.authorization_endpoint, location.origin);
  target.search = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: redirectUri,
    scope: config.scope,
    state,
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  }).toString();
  location.assign(target.toString());
}

/**
 * Finish a login if the provider just sent the browser back here (?code= or ?error=).
 * Resolves with the new session, or null when this page load is not a login's return.
 */
export async function completeLogin() {
  const params = new URLSearchParams(location.search);
  if (!params.has("code") && !params.has("error")) return null;
  // The code must not stay in the address bar, the history or a bookmark.
  history.replaceState(null, "", location.pathname);
  const pending = readJson(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY);
  // A return this tab did not start (or one replayed from elsewhere) is not ours to finish.
  if (!pending || params.get("state") !== pending.state) {
    throw new LoginError("The login could not be finished here. Please log in again.");
  }
  if (params.has("error")) {
    throw new LoginError(
      params.get("error") === "access_denied"
        ? "You cancelled the login."
        : "The login did not succeed. Please try again.",
    );
  }
  try {
    const session = await callApi(pending.tokenEndpoint, {
      method: "POST",
      form: {
        grant_type: "authorization_code",
        code: params.get("code"),
        redirect_uri: pending.redirectUri,
        client_id: pending.clientId,
        code_verifier: pending.verifier,
      },
    });
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    return session;
  } catch (error) {
    throw new LoginError(error instanceof ApiError ? error.explain() : String(error));
  }
}
