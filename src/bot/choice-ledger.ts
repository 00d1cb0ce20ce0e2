import { join } from "node:path";
import { z } from "zod";
import { createLockedJsonFile, type LockedJsonFile } from "../projects/locked-json-file.ts";
import type { Result } from "../projects/result.ts";
import { describeZodError } from "../projects/schemas.ts";

/** Who spent a choice, with which button, and when. */
export const ChoiceRecordSchema = z.looseObject({
  label: z.string(),
  command: z.string(),
  by: z.string(),
  adapter: z.string(),
  user_id: z.string(),
  at: z.string(),
});
export type ChoiceRecord = z.infer<typeof ChoiceRecordSchema>;

const ChoicesFileSchema = z.looseObject({ choices: z.record(z.string(), ChoiceRecordSchema) });
type ChoicesFile = z.infer<typeof ChoicesFileSchema>;

/** A choice older than this is forgotten: its buttons then act once more, which after a season is harmless. */
export const CHOICE_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;
/** At most this many choices are kept (the oldest go first), so the file stays small whatever happens. */
const MAX_CHOICES = 5000;

/** The outcome of a claim: this press spent the choice, or someone's earlier press had. */
export type ClaimOutcome = { claimed: true; record: ChoiceRecord } | { claimed: false; record: ChoiceRecord };

/**
 * The durable record of spent choices (`<data>/choices.json`): a button press claims its choice here
 * before its command runs, so a second press — in another chat, by another person, after a restart —
 * finds it spent. Every claim holds the file's lock, so two presses at the same moment cannot both win.
 */
export interface ChoiceLedger {
  claim(choice: string, record: ChoiceRecord): Promise<Result<ClaimOutcome>>;
  /** The record of a spent choice, if any. */
  find(choice: string): Promise<Result<{ record: ChoiceRecord | undefined }>>;
}

/** Creates the {@link ChoiceLedger} over `<dataDir>/choices.json`; `now` dates pruning. */
export function createChoiceLedger(dataDir: string, now: () => Date = () => new Date()): ChoiceLedger {
  const file: LockedJsonFile<ChoicesFile> = createLockedJsonFile<ChoicesFile>({
    path: join(dataDir, "choices.json"),
    empty: () => ({ choices: {} }),
    parse: (value) => {
      const parsed = ChoicesFileSchema.safeParse(value);
      return parsed.success
        ? { ok: true, data: value as ChoicesFile }
        : { ok: false, problem: describeZodError(parsed.error) };
    },
  });

  return {
    claim(choice, record) {
      return file.mutate<ClaimOutcome>((data) => {
        const earlier = data.choices[choice];
        if (earlier) return { ok: true, claimed: false, record: earlier };
        prune(data, now().getTime());
        data.choices[choice] = record;
        return { ok: true, claimed: true, record };
      });
    },
    async find(choice) {
      const read = await file.read();
      return read.ok ? { ok: true, record: read.data.choices[choice] } : read;
    },
  };
}

/** Drops choices past {@link CHOICE_RETENTION_MS}, then the oldest beyond {@link MAX_CHOICES}. */
function prune(data: ChoicesFile, now: number): void {
  for (const [id, record] of Object.entries(data.choices)) {
    const at = Date.parse(record.at);
    if (!Number.isFinite(at) || now - at > CHOICE_RETENTION_MS) delete data.choices[id];
  }
  const ids = Object.keys(data.choices);
  if (ids.length < MAX_CHOICES) return;
  ids.sort((a, b) => Date.parse(data.choices[a]!.at) - Date.parse(data.choices[b]!.at));
  for (const id of ids.slice(0, ids.length - MAX_CHOICES + 1)) delete data.choices[id];
}
