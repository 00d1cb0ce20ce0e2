import { cliHint } from "./failure-hint.ts";
import type { Config } from "../config.ts";
import type { RunReport } from "../execute/executor.ts";
import { chooseExecutor } from "../runtime/choose-executor.ts";
import { startStandaloneGuard } from "../execute/standalone-guard.ts";
import { createLogger } from "../log.ts";
import { createCoreServices } from "../projects/core-services.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { readSwitchArguments } from "./read-args.ts";

export const EXECUTE_USAGE = `usage: planbot execute [slug] [--dry-run]
  Runs every approved project (or only <slug>) through Ralph in approval order and waits for the runs
  to end; --dry-run prints the remote, branch, base and command of each without touching anything.`;

/**
 * `planbot execute [slug] [--dry-run]`: one executor pass, printing one line per project. First records
 * the outcome of runs that ended while no planbot watched them. Exit 0 when every run completed (or
 * nothing was due), 1 when one failed, was blocked or was refused by the preflight (also with --dry-run), 2 usage, 3 not approved, 4 unknown slug.
 */
export async function runExecute(
  argv: string[],
  config: Config,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = readSwitchArguments(argv, { name: "dry-run", positionals: true }, EXECUTE_USAGE, io);
  if (typeof parsed === "number") return parsed;
  if (parsed.positionals.length > 1) {
    io.err(`execute takes at most one slug; unexpected "${parsed.positionals.slice(1).join(" ")}"\n${EXECUTE_USAGE}`);
    return EXIT.usage;
  }
  const slug = parsed.positionals[0];
  const dryRun = parsed.on;
  const services = createCoreServices(config);
  // Its output is a line per run for a person on stdout, refusals and failures included: JSON logs of the
  // same events on the same terminal only bury them. Errors still log; LOG_LEVEL, when set, decides.
  const log = createLogger(env.LOG_LEVEL ? config.logLevel : "error", 2, config.logFormat);
  const executor = chooseExecutor({
    ...services,
    log,
    env,
    queue: config.queue,
    maxMinutes: config.progress.maxMinutes,
  });

  if (!dryRun) {
    const reconciled = await executor.reconcileFinishedRuns();
    if (reconciled.ok) for (const report of reconciled.recorded) io.out(line(report));
  }
  // RALPH_MAX_MINUTES holds for these runs too, with or without a planbot start watching them.
  const stopGuard = dryRun ? undefined : startStandaloneGuard({ config, store: services.store, executor, log, env });
  const result = await executor.runOnce({ slug, dryRun });
  await stopGuard?.();
  // Nothing is running for this pass any more; a queue executor's Redis connections would keep the process up.
  await executor.close();
  if (!result.ok) {
    io.err(`error: ${result.message}${cliHint(result)}`);
    return exitCodeFor(result.code);
  }
  if (result.runs.length === 0) io.out("nothing to run: no approved projects");
  for (const report of result.runs) io.out(line(report));
  return result.runs.some(
    (report) => report.outcome === "failed" || report.outcome === "blocked" || report.outcome === "refused",
  )
    ? EXIT.failure
    : EXIT.ok;
}

/** `<slug>: <what happened>` — every report message already starts with its outcome. */
function line(report: RunReport): string {
  return `${report.slug}: ${report.message}${report.failure ? cliHint(report.failure) : ""}`;
}
