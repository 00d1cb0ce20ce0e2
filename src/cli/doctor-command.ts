import type { Config } from "../config.ts";
import { formatCheck } from "./doctor-check.ts";
import { runDoctorChecks } from "./doctor-checks.ts";
import { adapterChecks } from "../adapters/adapter-status.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { readSwitchArguments } from "./read-args.ts";

export const DOCTOR_USAGE = "usage: planbot doctor [--json]";

/**
 * `planbot doctor`: one line per check (ok / warn / fail) on folders, git, the Ralph command, the
 * planner, GIT_REMOTE_BASE, tokens (set or not, never shown) and EXECUTE_AT. Exit 0 when nothing failed.
 */
export async function runDoctor(
  argv: string[],
  config: Config,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = readSwitchArguments(argv, { name: "json", positionals: false }, DOCTOR_USAGE, io);
  if (typeof parsed === "number") return parsed;
  // What the doctor checks, plus how the adapters of a running planbot start are doing.
  const checks = [...(await runDoctorChecks(config, { env })), ...adapterChecks(config.dataDir)];
  if (parsed.on) io.out(JSON.stringify(checks, null, 2));
  else for (const check of checks) io.out(formatCheck(check));
  return checks.some((check) => check.level === "fail") ? EXIT.failure : EXIT.ok;
}
