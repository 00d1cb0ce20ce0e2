import { createServer, type IncomingMessage, type Server, type ServerOptions, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../../log.ts";
import type { DashboardHost, RunningAdapter } from "../contract.ts";
import { createDashboardOutbound } from "./dashboard-outbound.ts";
import { followRunProgress } from "./progress-events.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { DEFAULT_BODY_LIMIT, sendJson } from "./http-io.ts";
import { createListSource } from "./list-source.ts";
import { pageRoutes } from "./page-routes.ts";
import { planRoutes } from "./plan-routes.ts";
import { projectRoutes } from "./project-routes.ts";
import { deliverRoutes } from "./deliver-route.ts";
import { editRoutes } from "./edit-route.ts";
import { createRouter } from "./router.ts";
import { workspaceRoutes } from "./workspace-routes.ts";
import { createRequestHandler } from "./request-handler.ts";
import { exposureProblem } from "./exposure.ts";
import { allowedOrigins, createTokenGate, requestReceiptLimits, urlHost } from "./security.ts";
import { createSseHub, sseFrame } from "./sse-hub.ts";
import { followStoreHealth } from "./store-health-events.ts";
import { followPlannerTurns } from "./turn-events.ts";

/** Tuning knobs, mostly for tests; production uses the defaults. */
export interface DashboardOptions {
  /** SSE keep-alive interval (default 15 s, echo-core's). */
  pingMs?: number;
  /** Unsent bytes after which a stream client is dropped (default 4 MiB: a few 1,000-project payloads). */
  highWaterMark?: number;
  /** How long a stream client may refuse writes before it is dropped (default 3 pings). */
  stallMs?: number;
  /** Request body limit (default 64 KiB). */
  bodyLimit?: number;
  /** How long receiving one request (headers and body) may take, default 30 s; see requestReceiptLimits. */
  requestTimeoutMs?: number;
  /** How often Node checks that bound (default 5 s; tests use less). */
  requestCheckIntervalMs?: number;
  /** The token-guess throttle's clock in ms (tests move it instead of sleeping). */
  now?: () => number;
}

/** The running dashboard: stop it, and where it listens (DASHBOARD_PORT=0 picks a free port). */
export interface RunningDashboard extends RunningAdapter {
  port: number;
  url: string;
  /** Connected stream clients. */
  streamClients(): number;
}

/**
 * Starts the dashboard adapter: echo-core's `/api/projects` API, its SSE stream and a small page, on
 * `node:http` with a route table — a dozen routes, body limits and SSE take less code than a framework
 * would add. The dashboard is also a chat (`dashboard:<slug>`) the core can send to. Refuses to listen
 * on a non-loopback address without DASHBOARD_TOKEN: the API can approve and re-plan projects.
 */
export async function startDashboardAdapter(
  runtime: DashboardHost,
  options: DashboardOptions = {},
): Promise<RunningDashboard> {
  const { host, port, token, origins: extraOrigins } = runtime.config.dashboard;
  const exposed = exposureProblem(host, token);
  if (exposed) throw new Error(exposed);
  const deps = dashboardDeps(runtime, options);
  const { log, hub, source, messages, gate } = deps;
  const router = createRouter([
    ...pageRoutes(deps),
    ...projectRoutes(deps),
    ...editRoutes(deps),
    ...deliverRoutes(deps),
    ...planRoutes(deps),
    ...workspaceRoutes(deps),
  ]);
  let origins = new Set<string>();
  const handle = createRequestHandler({ router, gate, log, origins: () => origins });
  const server = createDashboardServer(handle, requestReceiptLimits(options), log);

  await listen(server, host, port);
  server.on("error", (error) => log.error({ err: error }, "dashboard server error"));
  const boundPort = (server.address() as AddressInfo).port;
  origins = allowedOrigins(host, boundPort, extraOrigins);

  // One serialisation per watcher change, written to every stream client.
  const unsubscribe = runtime.watcher.subscribe((change) => {
    if (hub.size() > 0) hub.broadcast(sseFrame(source.serialise(change)));
  });
  const unsubscribeProgress = followRunProgress(runtime, hub);
  const unsubscribeHealth = followStoreHealth(runtime, hub, source);
  const unsubscribeTurns = followPlannerTurns(runtime, hub);
  runtime.outbound.register("dashboard", messages);
  if (runtime.watcher.current().sequence === 0)
    log.warn(
      "the change watcher is not running: /api/projects is computed per request and the stream sends no updates",
    );
  const url = `http://${urlHost(host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host)}:${boundPort}/`;
  // "tokenRequired", not "token": the logger redacts every "token" field, which hid this yes/no as well.
  log.info({ url, tokenRequired: gate.required }, "dashboard listening");

  return {
    port: boundPort,
    url,
    streamClients: () => hub.size(),
    async stop() {
      unsubscribe();
      unsubscribeProgress();
      unsubscribeHealth();
      unsubscribeTurns();
      runtime.outbound.unregister("dashboard");
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The dashboard's own pieces around the runtime: its logger, stream hub, list source, chat and token gate. */
function dashboardDeps(runtime: DashboardHost, options: DashboardOptions): DashboardDeps {
  const log = runtime.log.child({ adapter: "dashboard" });
  const hub = createSseHub({ log, ...options });
  return {
    runtime,
    log,
    source: createListSource(runtime),
    hub,
    messages: createDashboardOutbound({
      clock: runtime.core.clock,
      onMessage: (message) =>
        hub.broadcast(sseFrame(JSON.stringify({ type: "planner", slug: message.slug, message: message.message }))),
    }),
    gate: createTokenGate(runtime.config.dashboard.token, { log, ...(options.now ? { now: options.now } : {}) }),
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
  };
}

/**
 * The HTTP server over `handle`: a handler that throws answers 500 `internal_error` (or drops a response
 * already under way) and is logged; every request is logged at debug with its status and time.
 */
function createDashboardServer(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  receive: ServerOptions,
  log: Logger,
): Server {
  return createServer(receive, (req, res) => {
    const started = performance.now();
    handle(req, res)
      .catch((error: unknown) => {
        log.error({ err: error, method: req.method, path: req.url }, "dashboard request failed");
        if (!res.headersSent)
          sendJson(res, 500, {
            error: "internal_error",
            message: "the dashboard hit an unexpected error; see planbot's log",
          });
        else res.destroy();
      })
      .finally(() =>
        log.debug(
          { method: req.method, path: req.url, status: res.statusCode, ms: Math.round(performance.now() - started) },
          "dashboard request",
        ),
      );
  });
}

/** Listens on `host:port`; a failure (port taken, address unknown) names the setting to change. */
function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      reject(
        new Error(
          `the dashboard could not listen on ${host}:${port} (${error.code ?? error.message}); change DASHBOARD_HOST or DASHBOARD_PORT`,
        ),
      );
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}
