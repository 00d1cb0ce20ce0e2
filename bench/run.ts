/**
 * `npm run bench`: runs every bench module below, one after the other, and prints their results.
 * Add a bench by exporting `async function benchX(): Promise<BenchResult[]>` and listing it here.
 */
import { printResults, type BenchResult } from "./bench-result.ts";
import { machineLoadLine } from "./machine-load.ts";
import { benchCli } from "./cli.bench.ts";
import { benchStore } from "./store.bench.ts";
import { benchCommands } from "./commands.bench.ts";
import { benchPlanner } from "./planner.bench.ts";
import { benchDiscord } from "./discord.bench.ts";
import { benchTelegram } from "./telegram.bench.ts";
import { benchNotify } from "./notify.bench.ts";
import { benchHttp } from "./http.bench.ts";
import { benchRss } from "./rss.bench.ts";
import { benchWeb } from "./web.bench.ts";
import { benchQueue } from "./queue.bench.ts";
import { benchReport } from "./report.bench.ts";
import { benchProgress } from "./progress.bench.ts";

const BENCHES: Array<{ name: string; run: () => Promise<BenchResult[]> }> = [
  { name: "cli", run: benchCli },
  { name: "store", run: benchStore },
  { name: "commands", run: benchCommands },
  { name: "planner", run: benchPlanner },
  { name: "discord", run: benchDiscord },
  { name: "telegram", run: benchTelegram },
  { name: "notify", run: benchNotify },
  { name: "http", run: benchHttp },
  { name: "rss", run: benchRss },
  { name: "web", run: benchWeb },
  { name: "queue", run: benchQueue },
  { name: "report", run: benchReport },
  { name: "progress", run: benchProgress },
];

// `npm run bench -- store http` runs only the named benches.
const only = process.argv.slice(2);
const unknown = only.filter((name) => !BENCHES.some((bench) => bench.name === name));
if (unknown.length) {
  process.stderr.write(
    `unknown bench ${unknown.join(", ")}: the benches are ${BENCHES.map((bench) => bench.name).join(", ")}\n`,
  );
  process.exit(2);
}

process.stdout.write(`${machineLoadLine()}\n`);
let failed = false;
for (const bench of BENCHES) {
  if (only.length && !only.includes(bench.name)) continue;
  process.stdout.write(`== ${bench.name}\n`);
  try {
    printResults(await bench.run());
  } catch (error) {
    failed = true;
    process.stdout.write(`bench ${bench.name} failed: ${(error as Error).stack ?? String(error)}\n`);
  }
}
process.exitCode = failed ? 1 : 0;
