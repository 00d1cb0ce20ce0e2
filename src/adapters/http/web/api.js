// The dashboard API from the page: JSON in and out, errors as ApiError with the server's words.

/** A non-2xx answer: `status`, the server's `code` (`error` key) and its `message`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || body?.error || `the server answered ${status}`);
    this.status = status;
    this.code = body?.error;
    this.body = body || {};
  }
}

/** Calls the API; a 401 means the session cookie is gone, so the page reloads into the login form. */
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
    throw new ApiError(0, { error: "offline", message: "planbot did not answer; is it still running?" });
  }
  let data = {};
  try {
    data = await res.json();
  } catch {
    data = {};
  }
  if (res.status === 401) {
    location.reload();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** `/api/projects/<slug>/<rest>` with the slug encoded. */
export function projectPath(slug, rest) {
  return `/api/projects/${encodeURIComponent(slug)}/${rest}`;
}
