/** One line of a bench's output: what was measured, its figures, and optionally a ratio against a goal. */
export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
  ratio?: { value: number; goal: string; met: boolean };
}

/** Formats a figure: integers as is, other numbers with three significant decimals at most. */
function formatFigure(value: number | string): string {
  if (typeof value === "string") return value;
  if (Number.isInteger(value)) return String(value);
  const abs = Math.abs(value);
  // Tiny ratios (a warm path against a cold one) keep two significant digits instead of printing 0.000.
  if (abs > 0 && abs < 0.01) return value.toPrecision(2);
  return value.toFixed(abs >= 100 ? 1 : abs >= 1 ? 2 : 3);
}

/** Renders results as aligned lines: name column, then `key=value` figures, then the ratio and whether its goal is met. */
export function formatResults(results: BenchResult[]): string {
  const nameWidth = Math.max(0, ...results.map((result) => result.name.length));
  const figureTexts = results.map((result) =>
    Object.entries(result.figures)
      .map(([key, value]) => `${key}=${formatFigure(value)}`)
      .join("  "),
  );
  const figureWidth = Math.max(0, ...figureTexts.map((text) => text.length));
  return results
    .map((result, index) => {
      const ratio = result.ratio
        ? `ratio=${formatFigure(result.ratio.value)}  goal ${result.ratio.goal}  ${result.ratio.met ? "met" : "NOT MET"}`
        : "";
      return `${result.name.padEnd(nameWidth)}  ${ratio ? figureTexts[index]!.padEnd(figureWidth) : figureTexts[index]!}${ratio ? `  ${ratio}` : ""}`.trimEnd();
    })
    .join("\n");
}

/** Prints {@link formatResults} to stdout. */
export function printResults(results: BenchResult[]): void {
  process.stdout.write(`${formatResults(results)}\n`);
}

/** p50, p99 and max of latency samples (nearest-rank), the figures every round-trip bench reports. */
export interface LatencyStats {
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank quantile `q` (0..1) of `samples`, shared so every bench computes p50/p99 the same way. */
export function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Nearest-rank p50, p99 and max of `samples`. */
export function latencyStats(samples: number[]): LatencyStats {
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), max: Math.max(...samples) };
}

/** One result line of a round-trip bench: how many commands, and their latency figures. */
export function latencyLine(name: string, commands: number, stats: LatencyStats): BenchResult {
  return { name, figures: { commands, p50_ms: stats.p50, p99_ms: stats.p99, max_ms: stats.max } };
}
