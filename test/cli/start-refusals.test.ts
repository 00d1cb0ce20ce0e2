// `planbot start` refused by the machine it runs on — the data dir is already served by a `planbot chat`,
// the dashboard's port is taken — through the real `bin/planbot`: what it prints says what is in the way
// and what to do, as readable log lines without a stack trace.
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { execa, type ResultPromise } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { baseEnv, planbotBin } from "../helpers/planbot-child.ts";
import { waitUntil } from "../helpers/processes.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const temp = createTempDirs();
const children: ResultPromise[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    child.kill("SIGKILL");
    await child.catch(() => undefined);
  }
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  await temp.cleanup();
});

/** A stack frame line as V8 prints it, in any log format. */
const STACK_FRAME = /\bat .*\(?(file|node):/;

/** Runs `planbot start` with readable logs until it gives up; returns its exit code and everything it printed. */
async function startRefused(root: string, env: Record<string, string>) {
  const started = await execa(planbotBin, ["start"], {
    cwd: root,
    env: { ...baseEnv, LOG_FORMAT: "pretty", ...env },
    extendEnv: false,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: started.exitCode, printed: `${started.stdout}\n${started.stderr}` };
}

describe("planbot start refused by what is already running", { timeout: 120_000 }, () => {
  it("names the planbot chat that serves the data dir and how to quit it, with no stack trace", async () => {
    const root = await temp.make("start-refused-chat-");
    const env = { PLANBOT_DATA_DIR: join(root, "data"), DASHBOARD_PORT: "0" };
    const chat = execa(planbotBin, ["chat"], {
      cwd: root,
      env: { ...baseEnv, ...env },
      extendEnv: false,
      reject: false,
      stdin: "pipe",
    });
    children.push(chat);
    let said = "";
    chat.stdout!.on("data", (chunk: Buffer) => (said += chunk.toString("utf8")));
    chat.stdin!.write("/status\n");
    expect(await waitUntil(() => /No projects yet/i.test(said), 60_000), said).toBe(true);

    const { exitCode, printed } = await startRefused(root, env);
    expect(exitCode).toBe(1);
    expect(printed).toContain(
      "another planbot already serves this data dir: a planbot chat running on its own, or a planbot start. Quit it first (Ctrl-D in planbot chat, Ctrl-C in planbot start), or set another PLANBOT_DATA_DIR",
    );
    expect(printed).not.toMatch(STACK_FRAME);
  });

  it("says the dashboard's port is taken and what to set, with no stack trace", async () => {
    const root = await temp.make("start-refused-port-");
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;

    const { exitCode, printed } = await startRefused(root, {
      PLANBOT_DATA_DIR: join(root, "data"),
      DASHBOARD_PORT: String(port),
    });
    expect(exitCode).toBe(1);
    expect(printed).toContain(
      `planbot: the dashboard adapter failed to start: the dashboard could not listen on 127.0.0.1:${port}`,
    );
    expect(printed).not.toMatch(STACK_FRAME);
  });
});
