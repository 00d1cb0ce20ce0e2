import { join } from "node:path";
import type { Config } from "../config.ts";
import { deliveryCheck } from "../deliver/doctor-check.ts";
import { runGuardCheck } from "../execute/guard-doctor-check.ts";
import { plannerLoginCheck } from "../planning/planner-login-check.ts";
import type { DoctorCheck } from "./doctor-check.ts";
import { folderCheck } from "./folder-check.ts";
import { ralphCheck, ralphHostChecks } from "./ralph-checks.ts";
import { executeAtCheck, remoteCheck, tokenChecks } from "./settings-checks.ts";
import { gitCheck, plannerCheck } from "./tool-checks.ts";
import { variableNameChecks } from "./variable-names-check.ts";

/** Options of {@link runDoctorChecks}. */
export interface DoctorOptions {
  env?: NodeJS.ProcessEnv;
  /** Where `.env` is looked for; default the working directory, as the configuration does. */
  cwd?: string;
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
    ...variableNameChecks(env, options.cwd ?? process.cwd()),
  ];
  checks.push(await folderCheck("data dir", config.dataDir, "PLANBOT_DATA_DIR"));
  // The workspace folder follows the data folder unless PLANBOT_WORKSPACE_DIR moved it: name the one to fix.
  const workspaceVariable =
    config.workspaceDir === join(config.dataDir, "workspace") ? "PLANBOT_DATA_DIR" : "PLANBOT_WORKSPACE_DIR";
  checks.push(await folderCheck("workspace dir", config.workspaceDir, workspaceVariable));
  checks.push(await gitCheck(env, timeoutMs));
  checks.push(await ralphCheck(config, env));
  checks.push(...ralphHostChecks(config, env));
  checks.push(await plannerCheck(config.planner.command, env, timeoutMs));
  if (checks.at(-1)!.level !== "fail") checks.push(await plannerLoginCheck(config.planner.command, env, timeoutMs));
  checks.push(remoteCheck(config.execute.gitRemoteBase));
  checks.push(deliveryCheck(config));
  checks.push(runGuardCheck(config.progress));
  checks.push(...tokenChecks(config));
  checks.push(executeAtCheck(config.execute.at, options.now ?? new Date()));
  return checks;
}
