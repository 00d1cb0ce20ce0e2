/**
 * When something happened, as people read it: "12 min ago" within a day (the elapsed words of run
 * progress), the UTC date and minute after that ("on 2026-12-01 16:44 UTC"). Stored data and `--json`
 * keep the ISO timestamp; a timestamp that does not parse is shown as it is.
 */
export function whenText(iso: string, now: Date): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return iso;
  if (now.getTime() - at < DAY_MS) return `${elapsedText(iso, now)} ago`;
  return `on ${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** "less than a minute", "12 min", "2 h 5 min": elapsed time at minute precision, so it changes at most once a minute. */
export function elapsedText(fromIso: string, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - Date.parse(fromIso)) / 60_000));
  if (!Number.isFinite(minutes) || minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}
