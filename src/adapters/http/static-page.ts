/**
 * The login page: a plain form (no script, so it works before the app's files may be fetched), styled
 * with the app's stylesheet. The app itself is in `web/` and served by `web-assets.ts`.
 */

/** Security headers of the HTML pages. */
export const PAGE_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

/** What the login page says after a wrong token. */
export const WRONG_TOKEN = "That token is not right. Check DASHBOARD_TOKEN and try again.";

/**
 * Where to go after logging in: a page of the app (`#/p/<slug>`, `#/p/<slug>/plan` …) that the page asked for
 * with `/?next=`, else the board. Only a fragment of the app's own routes, so a link cannot send anyone away.
 */
export function loginNext(value: unknown): string {
  return typeof value === "string" && /^#\/(?!\/)[\w.~%/-]{0,200}$/.test(value) ? value : "";
}

/**
 * The login page shown instead of the dashboard when the token is missing (a plain form: no script needed),
 * with `problem` as its alert (a wrong token, too many of them) when there is one, and `next` (see
 * {@link loginNext}) carried through the form.
 */
export function loginHtml(problem?: string, next = ""): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>planbot login</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app/style.css"></head><body>
<main class="login panel"><h1>planbot</h1>${problem ? `<p class="alert" role="alert">${escapeHtml(problem)}</p>` : "<p>This dashboard needs its token (DASHBOARD_TOKEN).</p>"}
<form method="post" action="/api/login">${next ? `<input type="hidden" name="next" value="${escapeHtml(next)}">` : ""}<label for="token">Dashboard token</label><input id="token" type="password" name="token" autocomplete="current-password" autofocus required> <button class="primary">Log in</button></form>
</main></body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
