import { exposureProblem, isLoopbackHost, STRONG_TOKEN_RULE } from "../adapters/http/exposure.ts";
import type { Config } from "../config.ts";
import { parseRemoteBase, redactUrl } from "../execute/remote-url.ts";
import { nextOccurrence } from "../execute/schedule.ts";
import type { DoctorCheck } from "./doctor-check.ts";
import { statIfThere } from "./folder-check.ts";

/** GIT_REMOTE_BASE: a local folder must exist; a remote is named (credentials redacted) but never contacted. */
export function remoteCheck(base: string | undefined): DoctorCheck {
  const name = "GIT_REMOTE_BASE";
  if (!base)
    return { level: "ok", name, detail: "not set: each project gets a fresh local repository in its workspace" };
  const parsed = parseRemoteBase(base);
  if (parsed.kind === "local" || parsed.kind === "file") {
    if (!parsed.path) return { level: "fail", name, detail: `${base} is not a usable file URL` };
    const stats = statIfThere(parsed.path);
    if (!stats?.isDirectory())
      return {
        level: "fail",
        name,
        detail: `${parsed.path} does not exist: create it or fix GIT_REMOTE_BASE (projects clone ${parsed.path}/<repo>)`,
      };
    return { level: "ok", name, detail: `local folder ${parsed.path} (projects clone ${parsed.path}/<repo>)` };
  }
  return {
    level: "ok",
    name,
    detail: `${parsed.kind === "scp" ? "ssh" : "remote"} ${redactUrl(parsed.base)} (not contacted; projects clone ${redactUrl(parsed.base)}${parsed.base.endsWith(":") ? "" : "/"}<repo>)`,
  };
}

/** The chat adapters' and the dashboard's settings: tokens reported as set or not, never shown. */
export function tokenChecks(config: Config): DoctorCheck[] {
  const discord = config.discord.token;
  const telegram = config.telegram.token;
  const checks: DoctorCheck[] = [
    chatAdapterCheck("discord", "DISCORD", discord, {
      set: Boolean(config.discord.notifyChannelId),
      variable: "DISCORD_NOTIFY_CHANNEL_ID",
      what: "channel",
    }),
    chatAdapterCheck("telegram", "TELEGRAM", telegram, {
      set: Boolean(config.telegram.notifyChatId),
      variable: "TELEGRAM_NOTIFY_CHAT_ID",
      what: "chat",
    }),
  ];
  if (!discord && !telegram)
    checks.push({
      level: "warn",
      name: "adapters",
      detail: "no chat adapter configured: set DISCORD_TOKEN or TELEGRAM_TOKEN (planbot chat works without)",
    });
  const { host, port, token } = config.dashboard;
  const exposed = exposureProblem(host, token);
  const loopback = isLoopbackHost(host);
  checks.push(
    exposed
      ? { level: "fail", name: "dashboard", detail: `${exposed} The dashboard refuses to start.` }
      : loopback
        ? {
            level: "ok",
            name: "dashboard",
            detail: `${host}:${port}, ${token ? "DASHBOARD_TOKEN set" : "DASHBOARD_TOKEN not set (loopback only)"}`,
          }
        : {
            level: "ok",
            name: "dashboard",
            detail: `${host}:${port}, DASHBOARD_TOKEN set and strong enough (off loopback it must be ${STRONG_TOKEN_RULE})`,
          },
  );
  return checks;
}

/** A chat adapter's line: whether its token is set (so the adapter runs) and where its notifications go. */
function chatAdapterCheck(
  name: string,
  prefix: string,
  token: string | undefined,
  notify: { set: boolean; variable: string; what: string },
): DoctorCheck {
  const where = notify.set
    ? `, notify ${notify.what} set`
    : `, ${notify.variable} not set (no ${notify.what} notifications)`;
  return {
    level: "ok",
    name,
    detail: token ? `${prefix}_TOKEN set${where}` : `${prefix}_TOKEN not set (adapter off)`,
  };
}

/** EXECUTE_AT: when the next scheduled run is, or that runs happen on /run or planbot execute only. */
export function executeAtCheck(at: string | undefined, now: Date): DoctorCheck {
  return at
    ? {
        level: "ok",
        name: "EXECUTE_AT",
        detail: `daily at ${at} local time inside planbot start (next ${nextOccurrence(at, now).toString()})`,
      }
    : {
        level: "ok",
        name: "EXECUTE_AT",
        detail: "not set: approved projects run on /run or planbot execute (e.g. from cron)",
      };
}
