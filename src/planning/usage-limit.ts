/**
 * Reading when a Claude usage limit resets from what the CLI says. Known wordings:
 * - `Claude AI usage limit reached|1750708800` (epoch seconds after the bar);
 * - `You've hit your limit · resets 1pm (Europe/Lisbon)`, `… session limit · resets 3:30am (Asia/Calcutta)`;
 * - `Claude usage limit reached. Your limit will reset at 9am (America/Chicago).`
 */

const LIMIT = /usage limit reached|hit your (?:\w+ )?limit|rate limit/i;
const EPOCH = /usage limit reached\|(\d{9,11})/i;
const WALL_CLOCK = /resets?(?: at)? (\d{1,2})(?::(\d{2}))?\s*(am|pm)\b(?:\s*\(([A-Za-z_+\-/0-9]+)\))?/i;

/** Whether the CLI's text says a usage limit stopped the turn. */
export function isUsageLimit(text: string): boolean {
  return LIMIT.test(text);
}

/** When the limit resets, if the text says (always in the future of `now`), else undefined. */
export function usageLimitResetAt(text: string, now: Date): Date | undefined {
  const epoch = EPOCH.exec(text);
  if (epoch) {
    const at = new Date(Number(epoch[1]) * 1000);
    return at.getTime() > now.getTime() ? at : undefined;
  }
  const clock = WALL_CLOCK.exec(text);
  if (!clock) return undefined;
  let hour = Number(clock[1]) % 12;
  if (clock[3]!.toLowerCase() === "pm") hour += 12;
  const minute = Number(clock[2] ?? 0);
  const zone = clock[4] ?? "UTC";
  const current = wallClockMinutes(now, zone);
  if (current === undefined) return undefined;
  const ahead = (hour * 60 + minute - current + 24 * 60) % (24 * 60) || 24 * 60;
  const at = new Date(now.getTime() + ahead * 60_000);
  at.setUTCSeconds(0, 0);
  return at;
}

/** Minutes since midnight of `now` in time zone `zone`; undefined for a zone Intl does not know. */
function wallClockMinutes(now: Date, zone: string): number | undefined {
  try {
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
    const hour = Number(parts.find((part) => part.type === "hour")?.value);
    const minute = Number(parts.find((part) => part.type === "minute")?.value);
    return Number.isFinite(hour) && Number.isFinite(minute) ? hour * 60 + minute : undefined;
  } catch {
    return undefined;
  }
}
