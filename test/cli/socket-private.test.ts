// The terminal socket fails closed: a real `bin/planbot start` whose chmod of the socket to 0600 the kernel
// refuses (test/helpers/socket-chmod-fails-preload.mjs) must not serve a socket others might open, since
// every attached terminal is the operator's. It stops, says which file could not be made private and why,
// and leaves no socket behind.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/planbot-child.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { runPlanbot } from "./planbot-process.ts";

const chmodFails = join(repoRoot, "test", "helpers", "socket-chmod-fails-preload.mjs");
const temp = createTempDirs();
afterEach(() => temp.cleanup());

describe("planbot start when the terminal socket cannot be made private", { timeout: 120_000 }, () => {
  it("stops with exit 1, names the socket and the refused chmod, and leaves no socket to connect to", async () => {
    const root = await temp.make("socket-private-");
    const dataDir = join(root, "data");
    await mkdir(dataDir, { recursive: true });
    const socket = join(dataDir, "planbot.sock");
    const started = await runPlanbot(["start"], {
      cwd: root,
      env: { PLANBOT_DATA_DIR: dataDir, DASHBOARD_PORT: "0", NODE_OPTIONS: `--import=${chmodFails}` },
    });
    expect(started.exitCode, started.stderr).toBe(1);
    expect(started.stderr).toContain(
      `planbot: the terminal adapter failed to start: could not make the terminal socket ${socket} private (chmod 600): EPERM: operation not permitted`,
    );
    expect(existsSync(socket)).toBe(false);
    // It stopped before the adapters after the terminal: nothing else was left serving.
    expect(started.stderr).not.toContain("dashboard listening");
    expect(started.stderr).not.toContain("planbot started");
  });
});
