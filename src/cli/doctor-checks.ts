import { constants, statSync } from "node:fs";
import { access } from "node:fs/promises";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { execa } from "execa";
import { exposureProblem, isLoopbackHost, STRONG_TOKEN_RULE } from "../adapters/http/security.ts";
import type { Config } from "../config.ts";
import { plannerLoginCheck } from "../planning/planner-login-check.ts";
import { deliveryCheck } from "../deliver/doctor-check.ts";
import { gitEnv, runGit } from "../execute/git.ts";
import { RALPH_TEMPLATE_DIR, resolveRalphCommand } from "../execute/ralph-command.ts";
import { parseRemoteBase, redactUrl } from "../execute/remote-url.ts";
import { currentHost, findExecutable, ralphTool, type HostFacts } from "../execute/preflight.ts";
import { nextOccurrence } from "../execute/schedule.ts";
import { runGuardCheck } from "../execute/guard-doctor-check.ts";

/** One doctor line. */
export interface DoctorCheck {
  level: "ok" | "warn" | "fail";
  name: string;
  detail: string;
}

/** Options of {@link runDoctorChecks}. */
export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** Time limit of each external command (`git --version`, `<planner> --version`); default 10 s. */
  timeoutMs?: number;
  now?: Date;
}

/**
 * Checks what planbot needs before it can plan and execute: folders, git, the Ralph command, the
 * planner, GIT_REMOTE_BASE, the adapters' tokens (reported as set or not, never shown) and EXECUTE_AT.
 * Nothing is created or changed.
 */
export async function runDoctorChecks(config: Config, options: DoctorOptions = {}): Promise<DoctorCheck[]> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const checks: DoctorCheck[] = [
    { level: "ok", name: "config", detail: `loaded (data ${config.dataDir}, workspaces ${config.workspaceDir})` },
  ];
  checks.push(await folderCheck("data dir", config.dataDir));
  checks.push(await folderCheck("workspace dir", config.workspaceDir));
  checks.push(await gitCheck(env, timeoutMs));
  checks.push(await ralphCheck(config, env));
  checks.push(...ralphHostChecks(config, env));
  checks.push(await plannerCheck(config.planner.command, env, timeoutMs));
  if (checks.at(-1)!.level !== "fail") checks.push(await plannerLoginCheck(config.planner.command, env, timeoutMs));
  checks.push(remoteCheck(config.execute.gitRemoteBase));
  checks.push(deliveryCheck(config));
  checks.push(runGuardCheck(config.progress));
  checks.push(...tokenChecks(config));
  checks.push(
    config.execute.at
      ? {
          level: "ok",
          name: "EXECUTE_AT",
          detail: `daily at ${config.execute.at} local time inside planbot start (next ${nextOccurrence(config.execute.at, options.now ?? new Date()).toString()})`,
        }
      : {
          level: "ok",
          name: "EXECUTE_AT",
          detail: "not set: approved projects run on /run or planbot execute (e.g. from cron)",
        },
  );
  return checks;
}

/** `ok    name: detail` — one line per check. */
export function formatCheck(check: DoctorCheck): string {
  return `${check.level.padEnd(5)} ${check.name}: ${check.detail}`;
}

async function folderCheck(name: string, path: string): Promise<DoctorCheck> {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats) {
    if (!stats.isDirectory()) return { level: "fail", name, detail: `${path} exists but is not a folder` };
    try {
      await access(path, constants.W_OK | constants.X_OK);
      return { level: "ok", name, detail: `${path} (writable)` };
    } catch {
      return { level: "fail", name, detail: `${path} is not writable by this user` };
    }
  }
  let parent = dirname(path);
  while (!statSync(parent, { throwIfNoEntry: false }) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    await access(parent, constants.W_OK | constants.X_OK);
    return { level: "ok", name, detail: `${path} does not exist yet; it is created on first use` };
  } catch {
    return { level: "fail", name, detail: `${path} does not exist and cannot be created (${parent} is not writable)` };
  }
}

async function gitCheck(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  const version = await runGit(["--version"], { cwd: process.cwd(), env: gitEnv(env), timeoutMs });
  return version.ok
    ? { level: "ok", name: "git", detail: version.stdout.trim() }
    : {
        level: "fail",
        name: "git",
        detail: `${version.message}. The executor clones and branches with git: install it.`,
      };
}

async function ralphCheck(config: Config, env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
  const name = "ralph";
  const example = join(config.workspaceDir, "<slug>");
  const resolved = resolveRalphCommand(config.execute.ralphCommand, example, config.dataDir);
  if (!resolved.ok) return { level: "fail", name, detail: resolved.message };
  const spec = resolved.spec;
  if (spec.template && !spec.template.startsWith(join(config.dataDir, RALPH_TEMPLATE_DIR))) {
    if (!(await executable(spec.template)))
      return {
        level: "fail",
        name,
        detail: `RALPH_COMMAND names ${spec.template}, which is missing or not executable`,
      };
    return {
      level: "ok",
      name,
      detail: `${spec.template} is copied into each workspace that lacks ${spec.display.split(" ")[0]} and run there`,
    };
  }
  if (spec.template) {
    const shown = spec.display.split(" ")[0];
    if (await executable(spec.template))
      return {
        level: "ok",
        name,
        detail: `${shown} is per-workspace; the template ${spec.template} is copied into workspaces whose repository lacks it`,
      };
    return {
      level: "warn",
      name,
      detail: `${shown} is per-workspace: each project's repository must carry it (snarktank/ralph's ralph.sh with prompt.md/CLAUDE.md), or put a template in ${dirname(spec.template)}/, or set RALPH_COMMAND to an absolute path`,
    };
  }
  if (isAbsolute(spec.file)) return { level: "ok", name, detail: `${spec.file}` };
  const onPath = await findOnPath(spec.file, env);
  return onPath
    ? { level: "ok", name, detail: `${spec.file} → ${onPath} (a file of that name in a workspace is preferred)` }
    : { level: "warn", name, detail: `${spec.file} is not on PATH; it runs only in workspaces that contain it` };
}

/** jq (ralph.sh tracks branches with it) and the Claude CLI's root refusal, as the run preflight sees them. */
function ralphHostChecks(config: Config, env: NodeJS.ProcessEnv, host: HostFacts = currentHost()): DoctorCheck[] {
  const jq = findExecutable("jq", env);
  const checks: DoctorCheck[] = [
    jq
      ? { level: "ok", name: "jq", detail: `${jq} (ralph.sh reads prd.json's branchName with it)` }
      : {
          level: "fail",
          name: "jq",
          detail:
            "not on PATH: ralph.sh needs it and every run is refused without it; install jq (apt-get install jq, brew install jq)",
        },
  ];
  const resolved = resolveRalphCommand(
    config.execute.ralphCommand,
    join(config.workspaceDir, "<slug>"),
    config.dataDir,
  );
  if (resolved.ok && ralphTool(resolved.spec) === "claude" && host.uid === 0 && env.IS_SANDBOX !== "1") {
    checks.push(
      host.inContainer
        ? {
            level: "ok",
            name: "root",
            detail:
              "planbot runs as root inside a container: Ralph gets IS_SANDBOX=1 so the Claude CLI accepts --dangerously-skip-permissions",
          }
        : {
            level: "fail",
            name: "root",
            detail:
              "planbot runs as root outside a container: the Claude CLI refuses --dangerously-skip-permissions as root, so runs are refused; run planbot as an ordinary user, or set IS_SANDBOX=1 on a disposable machine",
          },
    );
  }
  return checks;
}

async function plannerCheck(command: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DoctorCheck> {
  const name = "planner";
  const result = await execa(command, ["--version"], {
    env,
    reject: false,
    timeout: timeoutMs,
    stdin: "ignore",
    stripFinalNewline: true,
  });
  const missing = `"${command}" was not found: install Claude Code (npm install -g @anthropic-ai/claude-code) and log in, or set PLANNER_COMMAND to its path`;
  if (result.timedOut)
    return {
      level: "fail",
      name,
      detail: `${command} --version did not answer within ${Math.round(timeoutMs / 1000)} s`,
    };
  if (result.exitCode === undefined)
    return {
      level: "fail",
      name,
      detail: /ENOENT/.test(String(result.message)) ? missing : `${command} could not run: ${result.shortMessage}`,
    };
  if (result.exitCode !== 0) {
    const said = `${String(result.stderr ?? "")}\n${String(result.stdout ?? "")}`
      .trim()
      .split("\n")
      .slice(-2)
      .join(" ")
      .slice(0, 200);
    return {
      level: "fail",
      name,
      detail: `${command} --version exited with ${result.exitCode}${said ? `: ${said}` : ""}`,
    };
  }
  const first =
    String(result.stdout ?? "")
      .trim()
      .split("\n")[0] ?? "";
  return { level: "ok", name, detail: `${command}: ${first || "answered --version"}` };
}

function remoteCheck(base: string | undefined): DoctorCheck {
  const name = "GIT_REMOTE_BASE";
  if (!base)
    return { level: "ok", name, detail: "not set: each project gets a fresh local repository in its workspace" };
  const parsed = parseRemoteBase(base);
  if (parsed.kind === "local" || parsed.kind === "file") {
    if (!parsed.path) return { level: "fail", name, detail: `${base} is not a usable file URL` };
    const stats = statSync(parsed.path, { throwIfNoEntry: false });
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

function tokenChecks(config: Config): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const discord = config.discord.token;
  checks.push({
    level: "ok",
    name: "discord",
    detail: discord
      ? `DISCORD_TOKEN set${config.discord.notifyChannelId ? ", notify channel set" : ", DISCORD_NOTIFY_CHANNEL_ID not set (no channel notifications)"}`
      : "DISCORD_TOKEN not set (adapter off)",
  });
  const telegram = config.telegram.token;
  checks.push({
    level: "ok",
    name: "telegram",
    detail: telegram
      ? `TELEGRAM_TOKEN set${config.telegram.notifyChatId ? ", notify chat set" : ", TELEGRAM_NOTIFY_CHAT_ID not set (no chat notifications)"}`
      : "TELEGRAM_TOKEN not set (adapter off)",
  });
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

async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (await executable(candidate)) return candidate;
  }
  return undefined;
}
