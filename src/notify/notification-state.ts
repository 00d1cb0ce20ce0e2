import { join } from "node:path";
import { z } from "zod";
import { createLockedJsonFile, type LockedJsonFile } from "../projects/locked-json-file.ts";
import { describeZodError } from "../projects/schemas.ts";

/** A message waiting to be delivered; it leaves the outbox only when the platform accepted it. */
export const OutboxItemSchema = z.looseObject({
  id: z.string(),
  slug: z.string(),
  status: z.string(),
  target: z.looseObject({ adapter: z.string(), channel_id: z.string(), thread_id: z.string().nullable().optional() }),
  reply: z.looseObject({
    text: z.string(),
    tone: z.string().optional(),
    actions: z
      .array(z.looseObject({ label: z.string(), command: z.string(), style: z.string().optional() }))
      .optional(),
    /** A document sent with the message (the approved notice's `final-plan.md`). */
    attachment: z
      .looseObject({ name: z.string(), content: z.string(), path: z.string().optional(), slug: z.string().optional() })
      .optional(),
    /** The message in the operator's words, for the terminal (Reply.operatorText). */
    operatorText: z.string().optional(),
  }),
  attempts: z.number().int(),
  next_attempt_at: z.string(),
  created_at: z.string(),
  last_error: z.string().nullable().optional(),
  /** Parts of the reply an earlier attempt delivered (text chunks, then the document): a retry sends the rest. */
  delivered_parts: z.number().int().nonnegative().optional(),
});
export type OutboxItem = z.infer<typeof OutboxItemSchema>;

/** What the notifier persists: the last status it announced per project, and the outbox. */
export const NotificationStateSchema = z.looseObject({
  initialized: z.boolean(),
  last_status: z.record(z.string(), z.string()),
  outbox: z.array(OutboxItemSchema),
});
export type NotificationState = z.infer<typeof NotificationStateSchema>;

/** `notifications.json` in the data folder, through the same locked atomic helper as the stores. */
export function createNotificationStateFile(dataDir: string): LockedJsonFile<NotificationState> {
  return createLockedJsonFile<NotificationState>({
    path: join(dataDir, "notifications.json"),
    empty: () => ({ initialized: false, last_status: {}, outbox: [] }),
    parse: (value) => {
      const parsed = NotificationStateSchema.safeParse(value);
      return parsed.success
        ? { ok: true, data: value as NotificationState }
        : { ok: false, problem: describeZodError(parsed.error) };
    },
  });
}
