// The stop-signal listeners of planbot start, chat and worker (src/cli/stop-signals.ts), in a real child
// process: proper-lockfile loaded after them (the store loads its lock with its first write) must not turn
// the first SIGTERM into a kill, and a second signal ends a stop that does not finish.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Listens, then loads proper-lockfile (and its signal-exit) and takes a lock, then stops forever on a signal. */
const SCRIPT = (lockTarget: string) => `
import { onStopSignal } from ${JSON.stringify(join(repoRoot, "src/cli/stop-signals.ts"))};
onStopSignal((signal) => process.stdout.write("stopping on " + signal + "\\n"));
const { default: lockfile } = await import(${JSON.stringify(join(repoRoot, "node_modules/proper-lockfile/index.js"))});
await lockfile.lock(${JSON.stringify(lockTarget)}, { realpath: false });
process.stdout.write("ready\\n");
setInterval(() => undefined, 1000);
`;

describe("stop signals", { timeout: 60_000 }, () => {
  it("the first SIGTERM starts the stop even with signal-exit loaded later; a second one ends the process", async () => {
    const dir = await temp.make("stop-signals-");
    const script = join(dir, "listen.mts");
    await writeFile(script, SCRIPT(join(dir, "data.json")));
    const child = execa(process.execPath, ["--import", "tsx", script], { cwd: repoRoot, reject: false });
    let problems = "";
    child.stderr!.on("data", (chunk: Buffer) => (problems += chunk.toString("utf8")));
    let said = "";
    child.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString("utf8")));
    expect(await waitUntil(() => said.includes("ready"), 30_000), problems).toBe(true);

    child.kill("SIGTERM");
    expect(await waitUntil(() => said.includes("stopping on SIGTERM"), 10_000), said).toBe(true);
    expect(child.exitCode).toBeNull();

    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(143);
    expect(said.match(/stopping on/g)).toHaveLength(1);
  });
});
