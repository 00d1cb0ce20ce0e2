// `planbot worker` started while its Redis does not answer (not up yet, a wrong PLANBOT_QUEUE_URL): it waits
// for Redis, and a stop asked meanwhile — SIGTERM from systemd or `timeout`, Ctrl-C — must stop it. It used
// to wait for Redis before it listened for the signal it had already taken over, so only SIGKILL ended it.
// Through the real `bin/planbot`.
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { baseEnv, startPlanbotChild } from "../helpers/planbot-child.ts";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
afterAll(() => temp.cleanup());

/** A port nothing listens on: one the kernel just gave out and that was closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("planbot worker without an answering Redis", { timeout: 120_000 }, () => {
  it("logs the failure once and stops on SIGTERM while it waits for Redis", async () => {
    const root = await temp.make("worker-unreachable-");
    const child = startPlanbotChild(["worker"], root, {
      ...baseEnv,
      PLANBOT_DATA_DIR: join(root, "data"),
      PLANBOT_QUEUE_URL: `redis://127.0.0.1:${await closedPort()}`,
      LOG_LEVEL: "info",
    });
    let said = "";
    child.stderr!.on("data", (chunk: Buffer) => (said += chunk.toString("utf8")));
    expect(await waitUntil(() => said.includes("Redis connection problem"), 60_000), said).toBe(true);
    // ioredis retries about twice a second; the same failure is one line, not a stack per attempt.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(said.match(/Redis connection problem/g), said).toHaveLength(1);

    child.kill("SIGTERM");
    const result = await child;
    expect(result.exitCode).toBe(0);
    expect(result.isTerminated).toBe(false);
    expect(said).toContain("worker: stopping before Redis answered");
  });
});
