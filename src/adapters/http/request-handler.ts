import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../../log.ts";
import { sendError, sendJson, sendText } from "./http-io.ts";
import type { Router } from "./router.ts";
import { checkHost, checkOrigin, type TokenGate } from "./security.ts";
import { PAGE_HEADERS, loginHtml, loginNext } from "./static-page.ts";

/**
 * The dashboard's handling of one request, in the order that keeps it safe: a valid target, the Host
 * check (without a token, against DNS rebinding), the token gate before routing (so without the token
 * not even which paths exist is visible), 404/405, the Origin check on writes, then the route.
 */
export function createRequestHandler(deps: {
  router: Router;
  gate: TokenGate;
  log: Logger;
  /** The origins a browser may send from; known once the server listens (its port may be picked then). */
  origins: () => Set<string>;
}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { router, gate, log } = deps;
  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://dashboard.invalid");
    } catch {
      return sendJson(res, 400, { error: "bad_request", message: "the request target is not a valid path" });
    }
    const refuse = (error: { status: number; body: Record<string, unknown> }, why: string) => {
      log.warn(
        {
          method: req.method,
          path: url.pathname,
          status: error.status,
          origin: req.headers.origin,
          remote: req.socket.remoteAddress,
        },
        why,
      );
      sendError(res, error);
    };
    if (!gate.required) {
      const badHost = checkHost(req, deps.origins());
      if (badHost) return refuse(badHost, "refused a request for another host name (DNS rebinding?)");
    }
    const match = router.match(req.method ?? "GET", url.pathname);
    const route = "route" in match ? match.route : undefined;
    // The token gate comes before routing, so without it nothing, not even which paths exist, is visible.
    const admitted = route?.public ? undefined : gate.admit(req);
    if (admitted && !admitted.ok && admitted.throttled) return sendError(res, admitted.throttled);
    if (admitted && !admitted.ok) {
      if (url.pathname === "/" && req.method === "GET")
        return sendText(
          res,
          401,
          "text/html; charset=utf-8",
          loginHtml(undefined, loginNext(url.searchParams.get("next"))),
          PAGE_HEADERS,
        );
      return sendJson(
        res,
        401,
        { error: "unauthorized", message: "send DASHBOARD_TOKEN as `Authorization: Bearer <token>`, or log in at /" },
        { "WWW-Authenticate": 'Bearer realm="planbot"' },
      );
    }
    if (!("route" in match)) {
      if (match.status === 405)
        return sendJson(
          res,
          405,
          { error: "method_not_allowed", message: `use ${match.allow} for ${url.pathname}` },
          { Allow: match.allow },
        );
      return sendJson(res, 404, { error: "not_found", message: `no endpoint ${req.method} ${url.pathname}` });
    }
    if (match.route.method === "POST" || match.route.originChecked) {
      const badOrigin = checkOrigin(req, deps.origins());
      if (badOrigin) return refuse(badOrigin, "refused a cross-origin request");
    }
    await match.route.handler({ req, res, url, params: match.params });
  };
}
