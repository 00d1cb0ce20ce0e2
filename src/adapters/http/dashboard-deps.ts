import type { Incoming } from "../../chat/incoming.ts";
import type { Logger } from "../../log.ts";
import { normalizeSlug } from "../../projects/validation.ts";
import type { DashboardHost } from "../contract.ts";
import type { DashboardOutbound } from "./dashboard-outbound.ts";
import { readBody, sendError } from "./http-io.ts";
import type { ListSource } from "./list-source.ts";
import type { RequestContext } from "./router.ts";
import type { TokenGate } from "./security.ts";
import type { SseHub } from "./sse-hub.ts";

/** What the route handlers share: the runtime's services plus the dashboard's own pieces. */
export interface DashboardDeps {
  runtime: DashboardHost;
  log: Logger;
  source: ListSource;
  hub: SseHub;
  messages: DashboardOutbound;
  gate: TokenGate;
  bodyLimit: number;
}

/**
 * The dashboard's chat of a project, as the core sees it: adapter `dashboard`, channel = the slug (the
 * planning key of echo-core's dashboard), one shared user — whoever holds DASHBOARD_TOKEN.
 */
export function dashboardIncoming(slug: string, text: string): Incoming {
  return { adapter: "dashboard", channelId: normalizeSlug(slug), userId: "dashboard", userName: "dashboard", text };
}

/** Reads the JSON body, or answers the error (413/415/400) itself and returns undefined. */
export async function jsonBody(
  context: RequestContext,
  deps: DashboardDeps,
): Promise<Record<string, unknown> | undefined> {
  const read = await readBody(context.req, deps.bodyLimit);
  if (read.ok) return read.body;
  sendError(context.res, read.error);
  return undefined;
}

/**
 * Checks that the named fields are strings (or absent/null), since echo-core's dashboard called `.strip()` on
 * whatever arrived and crashed on a number. Returns the per-field problems, empty when all is well.
 */
export function stringFields(body: Record<string, unknown>, names: string[]): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const name of names) {
    const value = body[name];
    if (value !== undefined && value !== null && typeof value !== "string") problems[name] = `${name} must be a string`;
  }
  return problems;
}

/** A string field trimmed, with empty and missing both meaning "not given". */
export function optionalText(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
