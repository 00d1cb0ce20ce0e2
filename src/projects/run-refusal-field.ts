import { readRunRefusal, type ProjectEntry, type RunRefusalField } from "./schemas.ts";

/**
 * Stores why the executor's preflight refused a local run (the project stays approved). The same refusal
 * again — same check, same words, as on every EXECUTE_AT tick until someone fixes it — keeps the first
 * one's `at`, which is what the notifier announces once, so chats hear it once and not every day.
 * `answered` marks a refusal the person who asked (`/run`) was already told in their reply.
 */
export function noteLocalRefusal(
  entry: ProjectEntry,
  refusal: {
    at: string;
    message: string;
    check: string | null;
    repoPath?: string | null;
    path?: string | null;
    answered: boolean;
  },
): void {
  if (repeatsStoredRefusal(entry, { ...refusal, worker: null })) return;
  const field: RunRefusalField = {
    at: refusal.at,
    message: refusal.message,
    worker: null,
    check: refusal.check,
    ...(refusal.repoPath ? { repo_path: refusal.repoPath } : {}),
    ...(refusal.path ? { path: refusal.path } : {}),
    ...(refusal.answered ? { answered: true } : {}),
  };
  (entry as Record<string, unknown>).run_refusal = field;
}

/** True when `entry` already stores this refusal (same worker, check and words): a repeat to keep quiet about. */
export function repeatsStoredRefusal(
  entry: ProjectEntry,
  refusal: { message: string; check?: string | null | undefined; worker?: string | null | undefined },
): boolean {
  const previous = readRunRefusal(entry as { run_refusal?: unknown });
  return (
    !!previous &&
    (previous.worker ?? null) === (refusal.worker ?? null) &&
    previous.message === refusal.message &&
    (previous.check ?? null) === (refusal.check ?? null)
  );
}

/** Forgets the last refusal: a run started, or a person approved, unapproved, re-planned or cancelled the project. */
export function clearRunRefusal(entry: ProjectEntry): void {
  delete (entry as Record<string, unknown>).run_refusal;
}

/**
 * A stored refusal split into why Ralph was not started and what to do. The preflight words its refusals
 * "Ralph was not started: <why>. Fix: <what to do>" (src/execute/preflight.ts); other words are all `why`.
 */
export function refusalParts(refusal: Pick<RunRefusalField, "message">): { why: string; fix: string | null } {
  const text = refusal.message.replace(/^Ralph was not started:\s*/, "").trim();
  const at = text.indexOf(". Fix: ");
  if (at < 0) return { why: text, fix: null };
  return { why: text.slice(0, at), fix: text.slice(at + ". Fix: ".length) };
}
