import type { ProgressSettings } from "../config.ts";

/** `planbot doctor`'s line about the run guard and progress messages (README, "Run guardrails"). */
export function runGuardCheck(settings: ProgressSettings): { level: "ok" | "warn"; name: string; detail: string } {
  const cap =
    settings.maxMinutes === null
      ? "RALPH_MAX_MINUTES=0: no wall-time cap, a runaway run goes on until someone cancels it"
      : `a run is stopped after RALPH_MAX_MINUTES=${settings.maxMinutes} minutes`;
  const stall =
    settings.stallMinutes === null
      ? "RALPH_STALL_MINUTES=0: no stall notices"
      : `a stall notice after RALPH_STALL_MINUTES=${settings.stallMinutes} minutes without prd.json or log changes`;
  return {
    level: settings.maxMinutes === null ? "warn" : "ok",
    name: "run guard",
    detail: `${cap}; ${stall}; progress messages edited at most every PROGRESS_EDIT_SECONDS=${settings.editIntervalSeconds} s`,
  };
}
