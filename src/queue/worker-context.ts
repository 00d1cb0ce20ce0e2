import type { Redis } from "ioredis";
import type { ExecutorConfig } from "../execute/run-plan.ts";
import type { Logger } from "../log.ts";
import type { RunJobProgress } from "./run-job.ts";

/** What one job needs on the worker. */
export interface WorkerRunContext {
  config: ExecutorConfig;
  env: NodeJS.ProcessEnv;
  cwd: string;
  log: Logger;
  /** This worker's name (host:pid), reported with every sample and the outcome. */
  worker: string;
  redis: Redis;
  /** Sends a progress sample to the bot (BullMQ job progress). */
  report(sample: RunJobProgress): Promise<void>;
  /** How often progress and the cancel key are looked at (default 500 ms). */
  sampleMs?: number;
}
