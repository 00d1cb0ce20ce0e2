// Receiving a request is bounded: a raw socket that announces a body and stalls (or trickles it) gets 408
// and is disconnected, nothing is stored; a planner turn that answers long after that bound still gets its
// reply, and so does a stream client. Real dashboard server, real sockets, the fake Claude CLI as planner.
import { connect, type Socket } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses } from "./harness.ts";
import { openStream, type StreamClient } from "./sse-client.ts";

const sockets: Socket[] = [];
const streams: StreamClient[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const stream of streams.splice(0)) stream.close();
  await stopHarnesses();
});

/** A bound of 400 ms checked every 100 ms: far below a planner turn, and a test that ends quickly. */
const FAST_BOUND = { requestTimeoutMs: 400, requestCheckIntervalMs: 100 };

/** Opens a raw socket, writes `head`, and resolves with everything the server sent once it closes the connection. */
function stall(port: number, head: string, drip?: string): Promise<{ text: string; held: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    let text = "";
    let dripper: NodeJS.Timeout | undefined;
    // A safety net only (no timing assert): without a bound the server would hold the socket forever.
    const giveUp = setTimeout(() => {
      clearInterval(dripper);
      resolve({ text, held: true });
    }, 30_000);
    socket.on("connect", () => {
      socket.write(head);
      if (drip) dripper = setInterval(() => socket.write(drip), 50);
    });
    socket.on("data", (chunk) => (text += chunk.toString("utf8")));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error),
    );
    socket.on("close", () => {
      clearTimeout(giveUp);
      clearInterval(dripper);
      resolve({ text, held: false });
    });
  });
}

describe("a client that stalls while sending its request", { timeout: 60_000 }, () => {
  it("announces a 1,000-byte body, sends 10 bytes and stalls: 408, disconnected, nothing stored", async () => {
    const harness = await startHarness({ options: FAST_BOUND });
    await harness.writeStore([{ name: "alpha", status: "pending" }], 1);
    const before = await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8");
    const head = `POST /api/projects/propose HTTP/1.1\r\nHost: 127.0.0.1:${harness.dashboard.port}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"slug":"b`;
    const result = await stall(harness.dashboard.port, head);
    expect(result.held).toBe(false);
    expect(result.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(await readFile(join(harness.dir, TASKS_FILE_NAME), "utf8")).toBe(before);
    // The server still serves everyone else.
    expect((await harness.call("GET", "/api/projects")).status).toBe(200);
  });

  it("trickles its body a byte at a time: cut off by the same bound", async () => {
    const harness = await startHarness({ options: FAST_BOUND });
    const head = `POST /api/projects/propose HTTP/1.1\r\nHost: 127.0.0.1:${harness.dashboard.port}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n`;
    const result = await stall(harness.dashboard.port, head, " ");
    expect(result.held).toBe(false);
    expect(result.text).toMatch(/^HTTP\/1\.1 408 /);
  });
});

describe("long answers are not cut by the bound", { timeout: 120_000 }, () => {
  it("a planner turn that answers well after the bound still gets its reply, and a stream stays open across it", async () => {
    process.env.CLAUDE_FAKE_DELAY_MS = "1500"; // CLAUDE_* reaches the planner through its environment allowlist
    try {
      const harness = await startHarness({ options: FAST_BOUND });
      await harness.writeStore([{ name: "alpha", status: "pending" }], 1);
      const stream = await openStream(harness.dashboard.port, "/api/projects/stream");
      streams.push(stream);
      const started = await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} });
      expect(started.status, started.text).toBe(200);
      const answered = await harness.call("POST", "/api/projects/alpha/plan/respond", {
        body: { message: "Web only, one user." },
      });
      expect(answered.status, answered.text).toBe(200);
      expect(answered.json.message).toContain("Web only, one user.");
      expect(harness.dashboard.streamClients()).toBe(1);
    } finally {
      delete process.env.CLAUDE_FAKE_DELAY_MS;
    }
  });
});
