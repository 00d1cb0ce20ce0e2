import { onStopSignal } from "./stop-signals.ts";
import { connectionProblemLog } from "../queue/connection-problem-log.ts";
import { hostname } from "node:os";
import { Worker } from "bullmq";
import type { Config } from "../config.ts";
import { createLogger } from "../log.ts";
import { redactRedisUrl, redisConnection, RUN_QUEUE_NAME } from "../queue/queue-settings.ts";
import { parseRunJob, type RunJobData, type RunJobProgress, type RunJobResult } from "../queue/run-job.ts";
import { runQueuedJob } from "../queue/worker-run.ts";
import { EXIT } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { readNoArguments } from "./read-no-arguments.ts";

export const WORKER_USAGE = `usage: planbot worker
  Takes Ralph runs from the job queue at PLANBOT_QUEUE_URL, WORKER_CONCURRENCY at a time, and runs them in
  this machine's PLANBOT_WORKSPACE_DIR (needs git, the Claude CLI and Ralph here). Stop it with Ctrl-C:
  it finishes the runs it has.`;

/**
 * `planbot worker`: a BullMQ worker on the run queue. It never touches the store — every result goes back
 * through Redis and the bot records it. A worker that dies loses its job lock after QUEUE_LOCK_MS; the
 * bot's (or another worker's) stalled-job check then fails the run (or, with QUEUE_STALL_RETRIES, puts it
 * back for the next worker), and the dead worker's Ralph is killed by its reaper (src/queue/ralph-reaper.ts).
 */
export async function runWorker(
  argv: string[],
  config: Config,
  io: CliIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const refused = readNoArguments(argv, WORKER_USAGE, io);
  if (refused !== undefined) return refused;
  const settings = config.queue;
  if (!settings) {
    io.err("planbot worker needs PLANBOT_QUEUE_URL (e.g. redis://127.0.0.1:6379), the same Redis the bot uses.");
    return EXIT.usage;
  }
  const log = createLogger(config.logLevel, 2, config.logFormat);
  const name = `${hostname()}:${process.pid}`;
  const redis = redisConnection(settings.url);
  redis.on("error", () => undefined);
  const signalled = new Promise<string>((resolve) => onStopSignal(resolve));
  // BullMQ leaves a connection it was given open on close(): it is ours to end.
  const workerConnection = redisConnection(settings.url);
  const worker = new Worker<RunJobData, RunJobResult>(
    RUN_QUEUE_NAME,
    async (job) => {
      const parsed = parseRunJob(job.data);
      if (!parsed.ok)
        return {
          outcome: "failed",
          summary: `failed: ${parsed.message}`,
          error: parsed.message,
          worker: name,
          exitCode: null,
          branch: null,
          prd: null,
          delivery: null,
        };
      return runQueuedJob(
        {
          config,
          env,
          cwd: process.cwd(),
          log: log.child({ worker: name }),
          worker: name,
          redis,
          report: (sample: RunJobProgress) => job.updateProgress(sample as unknown as object),
        },
        job.id ?? "",
        parsed.job,
      );
    },
    {
      connection: workerConnection,
      name,
      concurrency: settings.concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.lockMs,
      maxStalledCount: settings.stallRetries,
    },
  );
  worker.on("error", connectionProblemLog(log, "worker"));
  worker.on("failed", (job, error) => log.error({ jobId: job?.id, err: error }, "worker: a run threw"));
  // Until Redis answers, ioredis keeps retrying and waitUntilReady waits: a stop asked meanwhile must stop
  // the worker (SIGTERM is handled above, so nothing else would end the process).
  const stoppedEarly = await Promise.race([worker.waitUntilReady().then(() => undefined), signalled]);
  if (stoppedEarly) {
    log.info({ signal: stoppedEarly }, "worker: stopping before Redis answered");
    workerConnection.disconnect();
    redis.disconnect();
    await worker.close(true);
    return EXIT.ok;
  }
  io.out(
    `planbot worker ${name}: taking runs from ${redactRedisUrl(settings.url)}, ${settings.concurrency} at a time, in ${config.workspaceDir}`,
  );
  const signal = await signalled;
  log.info({ signal }, "worker: stopping after the runs it has");
  await worker.close();
  workerConnection.disconnect();
  redis.disconnect();
  return EXIT.ok;
}
