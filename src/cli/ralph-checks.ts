import { constants, statSync } from "node:fs";
import { access } from "node:fs/promises";
import { basename, delimiter, isAbsolute, join } from "node:path";
import type { Config } from "../config.ts";
import { currentHost, findExecutable, ralphTool, type HostFacts } from "../execute/preflight.ts";
import { RALPH_TEMPLATE_DIR, resolveRalphCommand } from "../execute/ralph-command.ts";
import type { DoctorCheck } from "./doctor-check.ts";

/**
 * RALPH_COMMAND as a run would resolve it: a template copied into workspaces, a per-workspace script, an
 * absolute path or a command on PATH — and whether what it names is there and executable.
 */
export async function ralphCheck(config: Config, env: NodeJS.ProcessEnv): Promise<DoctorCheck> {
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
      detail: `${shown} is per-workspace: each project's repository must carry it (${carried(spec.file)}), or put a template at ${spec.template}, or set RALPH_COMMAND to an absolute path`,
    };
  }
  if (isAbsolute(spec.file)) return { level: "ok", name, detail: `${spec.file}` };
  const onPath = await findOnPath(spec.file, env);
  return onPath
    ? { level: "ok", name, detail: `${spec.file} → ${onPath} (a file of that name in a workspace is preferred)` }
    : { level: "warn", name, detail: `${spec.file} is not on PATH; it runs only in workspaces that contain it` };
}

/** What a repository carries to run `file`: snarktank/ralph's ralph.sh comes with its prompt files; another script is named as RALPH_COMMAND names it. */
function carried(file: string): string {
  return basename(file) === "ralph.sh"
    ? "snarktank/ralph's ralph.sh with prompt.md/CLAUDE.md"
    : `the script ${basename(file)}`;
}

/** jq (ralph.sh tracks branches with it) and the Claude CLI's root refusal, as the run preflight sees them. */
export function ralphHostChecks(
  config: Config,
  env: NodeJS.ProcessEnv,
  host: HostFacts = currentHost(),
): DoctorCheck[] {
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

/** A regular file this user may execute. */
async function executable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Where `name` resolves on `env.PATH`, as a shell would find it. */
async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    if (await executable(candidate)) return candidate;
  }
  return undefined;
}
