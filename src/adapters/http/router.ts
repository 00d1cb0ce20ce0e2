import type { IncomingMessage, ServerResponse } from "node:http";

/** What a handler gets: the raw request and response plus the path's parameters. */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: Record<string, string>;
}

/** One row of the route table. */
export interface Route {
  method: "GET" | "POST";
  /** A path with `:name` segments, e.g. `/api/projects/:slug/plan/state`. */
  path: string;
  handler: (context: RequestContext) => Promise<void> | void;
  /** Reachable without the token (the login endpoint). */
  public?: boolean;
  /** Long-lived and cross-origin-sensitive like a write: the Origin check applies (the SSE stream). */
  originChecked?: boolean;
}

/** A route table compiled for matching. */
export interface Router {
  match(
    method: string,
    pathname: string,
  ): { route: Route; params: Record<string, string> } | { status: 404 } | { status: 405; allow: string };
}

/**
 * A dozen fixed routes need no framework: each path compiles to one anchored regular expression, the
 * first path that matches decides between the handler, 405 (with `Allow`) and 404.
 */
export function createRouter(routes: Route[]): Router {
  const compiled = routes.map((route) => {
    const names: string[] = [];
    const source = route.path
      .split("/")
      .map((segment) => {
        if (!segment.startsWith(":")) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(segment.slice(1));
        return "([^/]+)";
      })
      .join("/");
    return { route, names, pattern: new RegExp(`^${source}$`) };
  });
  return {
    match(method, pathname) {
      const allowed: string[] = [];
      for (const { route, names, pattern } of compiled) {
        const found = pattern.exec(pathname);
        if (!found) continue;
        if (route.method !== method) {
          allowed.push(route.method);
          continue;
        }
        const params: Record<string, string> = {};
        names.forEach((name, index) => {
          const raw = found[index + 1]!;
          try {
            params[name] = decodeURIComponent(raw);
          } catch {
            params[name] = raw;
          }
        });
        return { route, params };
      }
      return allowed.length ? { status: 405, allow: [...new Set(allowed)].join(", ") } : { status: 404 };
    },
  };
}
