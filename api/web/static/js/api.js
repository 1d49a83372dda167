// Calls to the clinic's API; every refusal becomes an ApiError carrying the API's own words.

export class ApiError extends Error {
  constructor(status, code, message, details = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  /** The API's message plus what its validation said about each field, for people. */
  explain() {
    const reasons = this.details
      .map((detail) => String(detail.msg ?? "").replace(/^Value error, /, ""))
      .filter(Boolean);
    return reasons.length ? `${this.message} (${reasons.join("; ")})` : this.message;
  }
}

const UNREACHABLE =
  "The clinic's server cannot be reached. Check your connection and try again.";

/**
 * fetch() for the API: JSON or form bodies, the bearer token when logged in, any other
 * headers the route wants (the video room's participant key).
 * Resolves with the parsed answer; rejects with an ApiError.
 */
export async function callApi(path, { method = "GET", json, form, token, headers: extra } = {}) {
  const headers = { ...extra, Accept: "application/json" };
  let body;
  if (form !== undefined) {
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    body = new URLSearchParams(form);
  } else if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(json);
  }
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body, cache: "no-store" });
  } catch {
    throw new ApiError(0, "unreachable", UNREACHABLE);
  }
  const answer = await response.json().catch(() => null);
  if (!response.ok) {
    const message = answer?.message ?? `The server answered with status ${response.status}.`;
    const details = Array.isArray(answer?.details) ? answer.details : [];
    throw new ApiError(response.status, answer?.code ?? `http_${response.status}`, message, details);
  }
  return answer;
}
