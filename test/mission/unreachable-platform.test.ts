/**
 * `bin/planbot start` with a Telegram Bot API that cannot be reached: Discord and the dashboard still
 * start and serve, Telegram is retried with backoff, and `planbot doctor` reports it.
 */
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createWorld, eventually, removeTempDirs, type World } from "./world.ts";

const worlds: World[] = [];
afterEach(async () => {
  for (const world of worlds.splice(0)) await world.cleanup();
  await removeTempDirs();
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("an unreachable platform at start", { timeout: 90_000 }, () => {
  it("leaves Discord and the dashboard running, retries Telegram and reports it in the log and in doctor", async () => {
    const w = await createWorld({
      repo: "team/pots",
      env: { TELEGRAM_API_ROOT: `http://127.0.0.1:${await closedPort()}` },
    });
    worlds.push(w);
    const planbot = await w.startPlanbot({ telegram: false });
    expect(planbot.exited()).toBe(false);
    expect(planbot.stderr()).toMatch(/telegram: failed to start; trying again in \d+ s/);
    // The reason, not a stack trace: an unreachable platform is the network's doing, not a bug to trace.
    expect(planbot.stderr()).toMatch(/"reason":"Could not reach the Telegram Bot API/);
    expect(planbot.stderr()).not.toContain('"stack"');

    // The dashboard serves the project list.
    const url = /"url":"(http:\/\/127\.0\.0\.1:\d+\/)","tokenRequired"/.exec(planbot.stderr())?.[1];
    expect(url).toBeDefined();
    const response = await fetch(new URL("api/projects", url));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ projects: [] });

    // Discord answers.
    const answered = await w.discordCommand("/help", /planbot commands/);
    expect(answered).toBeTruthy();

    // Retried with backoff: a second failure is logged later.
    await eventually(
      "a second Telegram attempt",
      () => (planbot.stderr().match(/telegram: failed to start/g) ?? []).length >= 2,
      20_000,
      w.describe,
    );

    const doctor = await w.cli(["doctor"]);
    expect(doctor.stdout).toMatch(
      /adapter telegram.*cannot start \(\d+ attempts\): Could not reach the Telegram Bot API/,
    );
    expect(doctor.stdout).toMatch(/adapter discord.*running since/);
    expect(doctor.stdout).toMatch(/adapter dashboard.*running since/);
  });
});
