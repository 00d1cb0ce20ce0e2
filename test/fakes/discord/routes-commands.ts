import type { RouteEnv } from "./messages.ts";
import type { RestContext, RestResult, Route } from "./rest.ts";
import type { CommandRecord } from "./state.ts";
import { apiError, validateCommands, type ApiError } from "./validation.ts";

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

/** Application command registration: global (`/applications/:app/commands`) and guild scoped, stored with ids. */
export function commandRoutes(env: RouteEnv): Route[] {
  const { state } = env;

  const scopeOf = (ctx: RestContext): string | ApiError => {
    if (ctx.params.appId !== state.identity.applicationId) return apiError(403, 50001, "Missing Access");
    const guildId = ctx.params.guildId;
    if (guildId === undefined) return "global";
    return guildId === state.identity.guildId ? guildId : apiError(403, 50001, "Missing Access");
  };

  const toRecord = (scope: string, raw: unknown, existing: CommandRecord | undefined): CommandRecord => {
    const body = asObject(raw);
    const type = typeof body.type === "number" ? body.type : 1;
    return {
      ...body,
      id: existing?.id ?? state.commandIdsByName.get(String(body.name)) ?? state.ids.next(),
      application_id: state.identity.applicationId,
      version: state.ids.next(),
      type,
      name: String(body.name),
      description: typeof body.description === "string" ? body.description : "",
      options: Array.isArray(body.options) ? body.options : [],
      default_member_permissions: body.default_member_permissions ?? null,
      nsfw: body.nsfw ?? false,
      contexts: body.contexts ?? null,
      integration_types: body.integration_types ?? [0],
      ...(scope === "global" ? { dm_permission: body.dm_permission ?? true } : { guild_id: scope }),
    };
  };

  const list = (scope: string) => state.commands.get(scope) ?? [];
  const find = (scope: string, id: string | undefined) => list(scope).find((c) => c.id === id);
  const sameKey = (a: { name: unknown; type?: unknown }, b: { name: unknown; type?: unknown }) =>
    a.name === b.name && (a.type ?? 1) === (b.type ?? 1);

  const routesFor = (base: string): Route[] => [
    {
      method: "GET",
      pattern: base,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        return typeof scope === "string" ? { status: 200, body: list(scope) } : scope;
      },
    },
    {
      method: "PUT",
      pattern: base,
      handler: (ctx): RestResult | ApiError => {
        const scope = scopeOf(ctx);
        if (typeof scope !== "string") return scope;
        const bodies = Array.isArray(ctx.body) ? ctx.body : [];
        const invalid = validateCommands(bodies);
        if (invalid) return invalid;
        const previous = list(scope);
        const next = bodies.map((b) =>
          toRecord(
            scope,
            b,
            previous.find((p) => sameKey(p, asObject(b) as { name: unknown })),
          ),
        );
        state.commands.set(scope, next);
        return { status: 200, body: next };
      },
    },
    {
      method: "POST",
      pattern: base,
      handler: (ctx): RestResult | ApiError => {
        const scope = scopeOf(ctx);
        if (typeof scope !== "string") return scope;
        const invalid = validateCommands([ctx.body]);
        if (invalid) return invalid;
        const current = list(scope);
        const existing = current.find((p) => sameKey(p, asObject(ctx.body) as { name: unknown }));
        const record = toRecord(scope, ctx.body, existing);
        state.commands.set(scope, existing ? current.map((c) => (c === existing ? record : c)) : [...current, record]);
        return { status: existing ? 200 : 201, body: record };
      },
    },
    {
      method: "GET",
      pattern: `${base}/:commandId`,
      handler: (ctx) => {
        const scope = scopeOf(ctx);
        if (typeof scope !== "string") return scope;
        const found = find(scope, ctx.params.commandId);
        return found ? { status: 200, body: found } : apiError(404, 10063, "Unknown application command");
      },
    },
    {
      method: "PATCH",
      pattern: `${base}/:commandId`,
      handler: (ctx): RestResult | ApiError => {
        const scope = scopeOf(ctx);
        if (typeof scope !== "string") return scope;
        const found = find(scope, ctx.params.commandId);
        if (!found) return apiError(404, 10063, "Unknown application command");
        const merged = { ...found, ...asObject(ctx.body) };
        const invalid = validateCommands([merged]);
        if (invalid) return invalid;
        const record = toRecord(scope, merged, found);
        state.commands.set(
          scope,
          list(scope).map((c) => (c === found ? record : c)),
        );
        return { status: 200, body: record };
      },
    },
    {
      method: "DELETE",
      pattern: `${base}/:commandId`,
      handler: (ctx): RestResult | ApiError => {
        const scope = scopeOf(ctx);
        if (typeof scope !== "string") return scope;
        const found = find(scope, ctx.params.commandId);
        if (!found) return apiError(404, 10063, "Unknown application command");
        state.commands.set(
          scope,
          list(scope).filter((c) => c !== found),
        );
        return { status: 204 };
      },
    },
  ];

  return [...routesFor("/applications/:appId/commands"), ...routesFor("/applications/:appId/guilds/:guildId/commands")];
}
