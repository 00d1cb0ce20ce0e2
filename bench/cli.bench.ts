/**
 * CPU time of one `bin/planbot projects list` (the whole process, from the kernel's accounting, in a clean
 * environment) against a bare `node` that only imports zod, pino and proper-lockfile, measured in
 * interleaved runs of one bench. Goal: planbot ≤ 1.5 × the bare node. The list has 20 projects.
 * The same call through tsx (dist/ ignored) is printed for reference. A dist/ older than src/ is rebuilt
 * first, since bin/planbot would otherwise fall back to the sources.
 *
 * Run alone with `node --import tsx bench/cli.bench.ts`.
 */
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { systemClock } from "../src/projects/clock.ts";
import { createLifecycle } from "../src/projects/lifecycle.ts";
import { createProjectStore } from "../src/projects/project-store.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import { printResults, type BenchResult } from "./bench-result.ts";
import { childCpu, cleanEnv } from "./child-cpu.ts";
import { ensureDistBuilt } from "./dist-build.ts";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const RUNS = 8;
const SOURCE_RUNS = 2;
const PROJECTS = 20;

/** Runs the CLI bench and returns its result lines. */
export async function benchCli(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  if (ensureDistBuilt(repoRoot)) results.push({ name: "cli: dist/ was older than src/, rebuilt first", figures: {} });
  const root = await makeTempDir("bench-cli-");
  try {
    const dataDir = join(root, "data");
    const store = createProjectStore({ dataDir, clock: systemClock });
    const lifecycle = createLifecycle({ store, clock: systemClock, workspaceDir: join(dataDir, "workspace") });
    for (let index = 0; index < PROJECTS; index += 1) {
      const proposed = await lifecycle.propose({ slug: `cli-${index}`, description: `CLI bench project ${index}` });
      if (!proposed.ok) throw new Error(proposed.message);
    }
    const env = cleanEnv({ PLANBOT_DATA_DIR: dataDir });
    // The executable as a user or script runs it (its shebang's node flags included).
    const planbot = () => childCpu(join(repoRoot, "bin", "planbot"), ["projects", "list"], { cwd: repoRoot, env });
    const bare = () =>
      childCpu(
        process.execPath,
        ["--input-type=module", "-e", "import 'zod'; import 'pino'; import 'proper-lockfile';"],
        { cwd: repoRoot, env },
      );
    // One untimed run of each warms the OS page cache, so neither side pays for reading node_modules from disk.
    planbot();
    bare();
    let planbotSeconds = 0;
    let bareSeconds = 0;
    for (let run = 0; run < RUNS; run += 1) {
      if (run % 2 === 0) {
        planbotSeconds += planbot();
        bareSeconds += bare();
      } else {
        bareSeconds += bare();
        planbotSeconds += planbot();
      }
    }
    let sourceSeconds = 0;
    const sourceEnv = { ...env, PLANBOT_FROM_SOURCE: "1" };
    for (let run = 0; run < SOURCE_RUNS; run += 1) {
      sourceSeconds += childCpu(join(repoRoot, "bin", "planbot"), ["projects", "list"], {
        cwd: repoRoot,
        env: sourceEnv,
      });
    }
    const planbotCpu = planbotSeconds / RUNS;
    const bareCpu = bareSeconds / RUNS;
    const ratio = planbotCpu / bareCpu;
    results.push(
      { name: "cli: bin/planbot projects list (dist/)", figures: { runs: RUNS, cpu_s: planbotCpu } },
      { name: "cli: bare node importing zod, pino, proper-lockfile", figures: { runs: RUNS, cpu_s: bareCpu } },
      {
        name: "cli: same list from the sources through tsx (reference)",
        figures: { runs: SOURCE_RUNS, cpu_s: sourceSeconds / SOURCE_RUNS },
      },
      {
        name: "cli: planbot vs bare node (CPU)",
        figures: { planbot_cpu_s: planbotCpu, bare_cpu_s: bareCpu },
        ratio: { value: ratio, goal: "≤ 1.5", met: ratio <= 1.5 },
      },
    );
    return results;
  } finally {
    await removeTempDir(root);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printResults(await benchCli());
}
