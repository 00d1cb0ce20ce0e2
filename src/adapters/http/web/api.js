// The dashboard API from the page: JSON in and out, errors as ApiError with the server's words.

/** A non-2xx answer: `status`, the server's `code` (`error` key) and its `message`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || body?.error || withoutWords(status));
    this.status = status;
    this.code = body?.error;
    this.body = body || {};
  }
}

/** Fired on `window` when planbot answers 401: the session is gone (the token changed, or it was ended). */
export const LOGGED_OUT = "planbot:logged-out";

/**
 * Calls the API. A 401 means the session is gone: the page says so and offers to log in again (see app.js)
 * rather than reloading into the login form at once, which would drop what the person just typed.
 */
export async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (method !== "GET") {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body ?? {});
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, {
      error: "offline",
      message: "planbot did not answer: it may be stopped or restarting. Try again once the header shows live.",
    });
  }
  let data = {};
  try {
    data = await res.json();
  } catch {
    data = {};
  }
  if (res.status === 401) {
    dispatchEvent(new Event(LOGGED_OUT));
    throw new ApiError(401, {
      ...data,
      message:
        method === "GET"
          ? "You are logged out: planbot no longer accepts this browser's session. Press Log in again at the top."
          : "You are logged out, so nothing was done: planbot no longer accepts this browser's session. Press Log in again at the top, then try once more.",
    });
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** `/api/projects/<slug>/<rest>` with the slug encoded. */
export function projectPath(slug, rest) {
  return `/api/projects/${encodeURIComponent(slug)}/${rest}`;
}

/** The message of an answer without planbot's own words (a proxy's error page, a crash before the body). */
function withoutWords(status) {
  if (status >= 500)
    return `planbot answered ${status} without saying why, so this may not have been done: try again in a moment; if it keeps failing, planbot's log says why.`;
  return `planbot refused this with ${status} without saying why.`;
}
