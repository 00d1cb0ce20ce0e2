/** One doctor line: how it stands, what was checked, and what was found (or what to do). */
export interface DoctorCheck {
  level: "ok" | "warn" | "fail";
  name: string;
  detail: string;
}

/** `ok    name: detail` — one line per check. */
export function formatCheck(check: DoctorCheck): string {
  return `${check.level.padEnd(5)} ${check.name}: ${check.detail}`;
}
