// The stream: snapshot on connect, a payload per watcher change, pings, planner replies from other
// chats, and a client that never reads being dropped without slowing the other nineteen.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "./harness.ts";
import { openStream, type StreamClient } from "./sse-client.ts";

const streams: StreamClient[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  for (const socket of sockets.splice(0)) socket.destroy();
  await stopHarnesses();
});

async function stream(port: number): Promise<StreamClient> {
  const opened = await openStream(port);
  streams.push(opened);
  return opened;
}

/** How long one round's payload may take to reach every reader: a net for a loaded machine, not a goal. */
const ROUND_NET_MS = 15_000;

type Payload = {
  projects: Array<{ slug: string; stories_total: number; stories_done: number }>;
  count: number;
  version: number;
};
const firstStoriesTotal = (raw: string) => Number(/"stories_total":(\d+)/.exec(raw)?.[1]);
const isList = (data: Record<string, unknown>) => Array.isArray(data.projects);
const storiesOf = (data: Record<string, unknown>, slug: string) =>
  (data as unknown as Payload).projects.find((project) => project.slug === slug);

describe("GET /api/projects/stream", () => {
  // How fast the update comes is a bench figure (`npm run bench -- web`, "SSE update drawn"); here it must come
  // from the change itself, with a net that only a missing update reaches.
  it("sends the list on connect, then a new payload after a prd.json change", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "approved" }], 3);
    await harness.writePrd("alpha", 3, 0);
    await harness.runtime.watcher.refresh();
    const client = await stream(harness.dashboard.port);
    expect(client.status).toBe(200);
    const snapshot = await client.waitFor(isList);
    expect(snapshot.data).toMatchObject({ count: 1, version: 3 });
    expect(storiesOf(snapshot.data, "alpha")).toMatchObject({ stories_total: 3, stories_done: 0 });

    await harness.writePrd("alpha", 4, 2);
    const update = await client.waitFor(
      (data) => isList(data) && storiesOf(data, "alpha")?.stories_total === 4,
      15_000,
    );
    expect(storiesOf(update.data, "alpha")).toMatchObject({ stories_total: 4, stories_done: 2 });
  });

  it("pings, and relays what the core sends to the dashboard chat as planner events", async () => {
    const harness = await startHarness({ watch: true, options: { pingMs: 50 } });
    const client = await stream(harness.dashboard.port);
    await client.waitFor((data) => data.type === "ping");
    const sent = await harness.runtime.outbound.send(
      { adapter: "dashboard", channelId: "alpha" },
      { text: "**bob** (Telegram): hi\n\nA planner reply." },
    );
    expect(sent.ok).toBe(true);
    const event = await client.waitFor((data) => data.type === "planner");
    expect(event.data).toEqual({
      type: "planner",
      slug: "alpha",
      message: "**bob** (Telegram): hi\n\nA planner reply.",
    });
    const transcript = await harness.call("GET", "/api/projects/alpha/plan/transcript");
    expect(transcript.json.recent_messages).toEqual([
      expect.objectContaining({ slug: "alpha", message: "**bob** (Telegram): hi\n\nA planner reply." }),
    ]);
  });

  it("tells every planner turn's start and end, the end once the session record shows it settled", async () => {
    const harness = await startHarness({ watch: true });
    await harness.writeStore([{ name: "alpha", status: "pending", description: "A todo app." }], 1);
    const client = await stream(harness.dashboard.port);
    await client.waitFor(isList);
    const turnFrames = () => client.frames.filter((frame) => frame.data.type === "turn").map((frame) => frame.data);
    const framesReach = (count: number) => client.waitFor(() => turnFrames().length >= count);
    // What a reader told of the end finds in the record: read at once, as the page does.
    const pendingAtEnd: unknown[] = [];
    harness.runtime.planning.onTurn((event) => {
      if (event.state !== "ended") return;
      const read = harness.runtime.planning.sessionForSlug(event.slug);
      pendingAtEnd.push(read.then((found) => (found.ok ? (found.session?.pending_message ?? null) : found)));
    });
    const turn = (state: string) => ({ type: "turn", slug: "alpha", state });

    expect((await harness.call("POST", "/api/projects/alpha/plan/start", { body: {} })).status).toBe(200);
    await framesReach(2);
    expect(turnFrames()).toEqual([turn("started"), turn("ended")]);

    // A turn that fails ends too.
    const answered = await harness.call("POST", "/api/projects/alpha/plan/respond", {
      body: { message: "[[fake:crash]] Please crash." },
    });
    expect(answered.status).not.toBe(200);
    await framesReach(4);
    expect(turnFrames().slice(2)).toEqual([turn("started"), turn("ended")]);
    expect(await Promise.all(pendingAtEnd)).toEqual([null, null]);
  });

  // No figure for "promptly": the hub's write to one client never waits for another, which the rounds
  // below prove by completing while the stuck client is still connected; how fast a payload arrives is
  // the machine's load (rounds took up to 2.3 s with two busy loops), so the per-round wait is a net.
  it("20 clients, one never reading: the other 19 get every payload while it is connected, and it is dropped", {
    timeout: 60_000,
  }, async () => {
    const harness = await startHarness({ watch: true, options: { highWaterMark: 64 * 1024 } });
    // ~160 KB per payload, so the stuck client's socket buffers fill after a few changes.
    const entries = Array.from({ length: 80 }, (_, index) => ({
      name: `p${String(index).padStart(3, "0")}`,
      status: "pending",
      description: `Project ${index}: ${"words ".repeat(300)}`,
    }));
    await harness.writeStore(entries, 1);
    await harness.runtime.watcher.refresh();

    const readers = await Promise.all(Array.from({ length: 19 }, () => stream(harness.dashboard.port)));
    await Promise.all(readers.map((reader) => reader.waitForRaw((raw) => raw.startsWith('{"projects"'), 5000)));
    let round = 0;
    /** Writes p000's prd.json with `round` stories and resolves once all 19 readers had the payload. */
    async function nextRound(): Promise<void> {
      round += 1;
      const expected = round;
      await harness.writePrd("p000", expected, 0);
      // p000 sorts first, so the first stories_total of the payload is its own: no need to parse the whole list nineteen times.
      await Promise.all(
        readers.map((reader) => reader.waitForRaw((raw) => firstStoriesTotal(raw) === expected, ROUND_NET_MS)),
      );
    }
    // Two rounds without the stuck client warm the code paths up (the first payload is the slowest).
    await nextRound();
    await nextRound();

    // The stuck client: a raw socket that sends the request and never reads a byte of the answer.
    const stuck = connect(harness.dashboard.port, "127.0.0.1");
    sockets.push(stuck);
    stuck.on("error", () => undefined);
    await new Promise<void>((resolve) => stuck.once("connect", resolve));
    stuck.pause();
    stuck.write(
      `GET /api/projects/stream HTTP/1.1\r\nHost: 127.0.0.1:${harness.dashboard.port}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    await expect.poll(() => harness.dashboard.streamClients(), { timeout: 10_000 }).toBe(20);

    // Clients counted right after each round's payload reached all 19 readers.
    const countedAfter: number[] = [];
    while (harness.dashboard.streamClients() > 19 && countedAfter.length < 80) {
      await nextRound();
      countedAfter.push(harness.dashboard.streamClients());
    }
    expect(harness.dashboard.streamClients()).toBe(19);
    // Rounds reached every reader while the stuck client was still there: nothing waited for it.
    expect(countedAfter.filter((count) => count === 20).length).toBeGreaterThanOrEqual(1);
    // And after the drop, the rest carry on.
    await nextRound();
  });
});
