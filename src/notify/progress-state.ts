import { join } from "node:path";
import { z } from "zod";
import { createLockedJsonFile, type LockedJsonFile } from "../projects/locked-json-file.ts";
import { describeZodError } from "../projects/schemas.ts";

/** One chat's progress message of one run. */
export const ProgressMessageSchema = z.looseObject({
  adapter: z.string(),
  channel_id: z.string(),
  thread_id: z.string().nullable().optional(),
  message_id: z.string(),
  sent_at: z.string(),
});
export type ProgressMessage = z.infer<typeof ProgressMessageSchema>;

/** One run's progress messages; `ended_at` once its final edit went out (kept a day, then pruned). */
export const ProgressRunSchema = z.looseObject({
  slug: z.string(),
  run_id: z.string(),
  messages: z.array(ProgressMessageSchema),
  ended_at: z.string().nullable().optional(),
});
export type ProgressRun = z.infer<typeof ProgressRunSchema>;

/** `progress-messages.json`: by `<slug> <runId>`. */
export const ProgressStateSchema = z.looseObject({ runs: z.record(z.string(), ProgressRunSchema) });
export type ProgressState = z.infer<typeof ProgressStateSchema>;

/** The key of a run in the state file. */
export const runKey = (slug: string, runId: string): string => `${slug.toLowerCase()} ${runId}`;

/**
 * `<data>/progress-messages.json` through the locked JSON helper: which message in which chat shows which
 * run's progress, so a restarted planbot goes on editing the same messages instead of posting new ones.
 */
export function createProgressStateFile(dataDir: string): LockedJsonFile<ProgressState> {
  return createLockedJsonFile<ProgressState>({
    path: join(dataDir, "progress-messages.json"),
    empty: () => ({ runs: {} }),
    parse: (value) => {
      const parsed = ProgressStateSchema.safeParse(value);
      return parsed.success
        ? { ok: true, data: value as ProgressState }
        : { ok: false, problem: describeZodError(parsed.error) };
    },
  });
}
