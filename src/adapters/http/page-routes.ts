import type { DashboardDeps } from "./dashboard-deps.ts";
import { readBody, sendError, sendJson, sendText } from "./http-io.ts";
import type { RequestContext, Route } from "./router.ts";
import { PAGE_HEADERS, WRONG_TOKEN, loginHtml, loginNext } from "./static-page.ts";
import { sendAsset, webAssets } from "./web-assets.ts";

/**
 * The web app's page and files, and logging in and out. Login takes `{token}` as JSON (scripts) or as a
 * plain form (the login page), and answers with the HttpOnly, SameSite=Strict session cookie that
 * every later request, the stream included, can use instead of a bearer header.
 */
export function pageRoutes(deps: DashboardDeps): Route[] {
  async function login({ req, res }: RequestContext) {
    const read = await readBody(req, deps.bodyLimit, true);
    if (!read.ok) return sendError(res, read.error);
    if (!deps.gate.required) return sendJson(res, 200, { ok: true, token_required: false });
    const token = typeof read.body.token === "string" ? read.body.token : "";
    const next = loginNext(read.body.next);
    const admitted = deps.gate.admitLogin(req, token);
    if (!admitted.ok && admitted.throttled) {
      // The login form is a page: it says so in the page, not as the API's JSON shown raw.
      if (!read.form) return sendError(res, admitted.throttled);
      const { status, headers } = admitted.throttled;
      const wait = headers?.["Retry-After"] ?? "a few";
      const page = loginHtml(`Too many wrong tokens from your address: wait ${wait} s, then try again.`, next);
      return sendText(res, status, "text/html; charset=utf-8", page, { ...PAGE_HEADERS, ...headers });
    }
    if (!admitted.ok) {
      if (read.form) return sendText(res, 401, "text/html; charset=utf-8", loginHtml(WRONG_TOKEN, next), PAGE_HEADERS);
      return sendJson(res, 401, { error: "unauthorized", message: "that token is not DASHBOARD_TOKEN" });
    }
    const cookie = { "Set-Cookie": deps.gate.loginCookie() };
    if (read.form) {
      // Back to the page that asked for the login (the fragment is the app's route), else the board.
      res.writeHead(303, { ...cookie, Location: `/${next}`, "Cache-Control": "no-store" });
      res.end();
      return;
    }
    sendJson(res, 200, { ok: true }, cookie);
  }

  function asset({ req, res, url }: RequestContext) {
    const etag = req.headers["if-none-match"];
    if (!sendAsset(url.pathname, url.searchParams.get("v"), Array.isArray(etag) ? etag[0] : etag, res))
      sendJson(res, 404, { error: "not_found", message: `no asset ${url.pathname}` });
  }

  return [
    {
      method: "GET",
      path: "/",
      // The page learns whether a token guards it, so it offers "Log out" only where logging out means something.
      handler: ({ res }) =>
        sendText(
          res,
          200,
          "text/html; charset=utf-8",
          webAssets().html.replace("<body>", `<body data-token="${deps.gate.required ? "required" : "none"}">`),
          { "Content-Security-Policy": webAssets().csp },
        ),
    },
    // Static code only (the app and its libraries), public so the login page can use the stylesheet.
    { method: "GET", path: "/assets/:group/:name", handler: asset, public: true },
    { method: "POST", path: "/api/login", handler: login, public: true },
    {
      method: "POST",
      path: "/api/logout",
      handler: ({ res }) => sendJson(res, 200, { ok: true }, { "Set-Cookie": deps.gate.logoutCookie() }),
      public: true,
    },
  ];
}
