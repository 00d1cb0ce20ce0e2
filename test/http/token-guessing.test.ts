// Weak dashboard tokens and token guessing, through real processes and the real HTTP server: a public
// dashboard with a weak DASHBOARD_TOKEN refuses to start with one line (and `doctor` says what it
// accepts); wrong tokens from one address are slowed (429 + Retry-After, the token not even compared
// meanwhile), and 300 wrong logins leave one warning in the log, not 300.
import { Writable } from "node:stream";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { createGuessThrottle } from "../../src/adapters/http/guess-throttle.ts";
import { startDashboardAdapter, type RunningDashboard } from "../../src/adapters/http/index.ts";
import { weakTokenProblem } from "../../src/adapters/http/exposure.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { createRuntime, type Runtime } from "../../src/runtime/runtime.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { call } from "./harness.ts";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const bin = join(repoRoot, "bin", "planbot");
const TOKEN = "Qm9vdHN0cmFwLXRva2VuLWZvci10ZXN0czk3";
const temp = createTempDirs();
const running: Array<{ runtime: Runtime; dashboard: RunningDashboard }> = [];
afterEach(async () => {
  for (const { runtime, dashboard } of running.splice(0)) {
    await dashboard.stop();
    await runtime.stop();
  }
  await temp.cleanup();
});

const OURS = /^(PLANBOT_|DISCORD_|TELEGRAM_|DASHBOARD_|PLANNER_|RALPH_|GIT_REMOTE_BASE$|EXECUTE_|LOG_LEVEL$)/;
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !OURS.test(name)));

describe("a weak DASHBOARD_TOKEN off loopback", { timeout: 120_000 }, () => {
  it.each([
    ["a", /it is only 1 character long/],
    ["abcdefghijk".repeat(3), /it is one shorter piece repeated/],
    ["aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd", /it uses only 4 different characters/],
    ["12345678901234567890123456789012", /it carries about 106 bits/],
  ])(
    "DASHBOARD_TOKEN=%s: `planbot start` refuses in one line, before listening; doctor fails the same way and says what it accepts",
    async (token, why) => {
      const dir = await temp.make("weak-token-");
      const env = {
        ...baseEnv,
        PLANBOT_DATA_DIR: join(dir, "data"),
        DASHBOARD_HOST: "0.0.0.0",
        DASHBOARD_PORT: "0",
        DASHBOARD_TOKEN: token,
      };
      const start = await execa(bin, ["start"], { cwd: dir, env, extendEnv: false, reject: false, timeout: 60_000 });
      expect(start.exitCode).toBe(2);
      expect(start.stderr.trim().split("\n")).toEqual([
        expect.stringMatching(/^planbot: DASHBOARD_TOKEN is too weak for DASHBOARD_HOST=0\.0\.0\.0 \(/),
      ]);
      expect(start.stderr).toMatch(why);
      expect(start.stderr).toContain("openssl rand -hex 32");
      expect(start.stderr).not.toContain(token.length > 1 ? token : "=a ");

      const doctor = await execa(bin, ["doctor"], { cwd: dir, env, extendEnv: false, reject: false, timeout: 60_000 });
      expect(doctor.stdout).toMatch(/fail\s+dashboard: DASHBOARD_TOKEN is too weak/);
      expect(doctor.stdout).toContain("at least 32 characters");
    },
  );

  it("a random 32-character token, hex or base64, is accepted; doctor reports the rule", async () => {
    for (const token of ["3f9a1c0e7b5d4f2a8c6e0b1d3f5a7c9e", "q7Lx2VbN9sKd4Rf1Tg8Hj3Mw6Pz0Yc5A", TOKEN])
      expect(weakTokenProblem(token)).toBeUndefined();
    const dir = await temp.make("strong-token-");
    const env = {
      ...baseEnv,
      PLANBOT_DATA_DIR: join(dir, "data"),
      DASHBOARD_HOST: "0.0.0.0",
      DASHBOARD_PORT: "0",
      DASHBOARD_TOKEN: TOKEN,
    };
    const doctor = await execa(bin, ["doctor"], { cwd: dir, env, extendEnv: false, reject: false, timeout: 60_000 });
    expect(doctor.stdout).toMatch(
      /ok\s+dashboard: 0\.0\.0\.0:0, DASHBOARD_TOKEN set and strong enough \(off loopback it must be at least 32 characters/,
    );
  });
});

/** A dashboard on 127.0.0.1 with a token, a clock the test moves, and its log lines collected. */
async function guardedDashboard() {
  const dir = await temp.make("guess-");
  const loaded = loadConfig({ PLANBOT_DATA_DIR: dir, DASHBOARD_PORT: "0", DASHBOARD_TOKEN: TOKEN }, dir);
  if (!loaded.ok) throw new Error(loaded.message);
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n").filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const runtime = createRuntime(loaded.config, createLogger("info", sink));
  let now = Date.parse("2026-01-01T00:00:00Z");
  const dashboard = await startDashboardAdapter(runtime, { now: () => now });
  running.push({ runtime, dashboard });
  return {
    lines,
    advance: (ms: number) => (now += ms),
    get: (headers: Record<string, string>) => call(dashboard.port, "GET", "/api/projects", { headers }),
    login: (token: string) => call(dashboard.port, "POST", "/api/login", { body: { token } }),
  };
}

describe("token guessing from one address", () => {
  it("five wrong bearers are 401; then 429 with Retry-After, and even the right token waits; after the wait it works and the slate is clean", async () => {
    const d = await guardedDashboard();
    for (let attempt = 1; attempt <= 5; attempt += 1)
      expect((await d.get({ Authorization: `Bearer guess-${attempt}` })).status).toBe(401);
    expect((await d.get({ Authorization: "Bearer guess-6" })).status).toBe(401);
    const throttled = await d.get({ Authorization: "Bearer guess-7" });
    expect(throttled.status).toBe(429);
    expect(throttled.headers["retry-after"]).toBe("2");
    expect(throttled.json).toMatchObject({
      error: "rate_limited",
      message: expect.stringMatching(/too many wrong dashboard tokens from your address; try again in 2 s/),
    });
    // The right token is not compared while the address waits: guessing cannot go on behind the 429s.
    expect((await d.get({ Authorization: `Bearer ${TOKEN}` })).status).toBe(429);
    // Requests without any token are not guesses, and are not slowed.
    expect((await d.get({})).status).toBe(401);
    d.advance(2_000);
    expect((await d.get({ Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    // A success forgets the address: the next wrong token is a free one again.
    expect((await d.get({ Authorization: "Bearer guess-8" })).status).toBe(401);
  });

  it("a logged-in browser is not locked out by guessers at its address; stale cookies are 401s, not guesses", async () => {
    const d = await guardedDashboard();
    const login = await d.login(TOKEN);
    const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
    for (let attempt = 0; attempt < 8; attempt += 1) await d.login(`guess-${attempt}`);
    expect((await d.login(TOKEN)).status).toBe(429);
    expect((await d.get({ Cookie: cookie })).status).toBe(200);
    // A stale cookie (the token was rotated) is refused but never counted, however often the stream retries.
    const other = await guardedDashboard();
    for (let attempt = 0; attempt < 20; attempt += 1)
      expect((await other.get({ Cookie: "planbot_session=stale" })).status).toBe(401);
    expect((await other.get({ Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  it("each further wrong token doubles the wait", async () => {
    const d = await guardedDashboard();
    const waits: string[] = [];
    for (let attempt = 0; attempt < 20 && waits.length < 3; attempt += 1) {
      const result = await d.login(`guess-${attempt}`);
      if (result.status === 429) {
        waits.push(String(result.headers["retry-after"]));
        d.advance(Number(result.headers["retry-after"]) * 1000);
      }
    }
    expect(waits).toEqual(["2", "4", "8"]);
  });

  it("300 wrong logins and bearers leave one warning about them in the log, not 300", async () => {
    const d = await guardedDashboard();
    const statuses = new Map<number, number>();
    for (let attempt = 0; attempt < 300; attempt += 1) {
      const result =
        attempt % 2 ? await d.login(`guess-${attempt}`) : await d.get({ Authorization: `Bearer guess-${attempt}` });
      statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
    }
    expect(statuses.get(401)).toBe(6);
    expect(statuses.get(429)).toBe(294);
    const warnings = d.lines.filter((line) => line.level === "warn" && /token/.test(String(line.msg)));
    expect(warnings, JSON.stringify(warnings)).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      adapter: "dashboard",
      remote: "127.0.0.1",
      msg: expect.stringMatching(/wrong dashboard tokens from this address/),
    });
    expect(JSON.stringify(d.lines)).not.toContain(TOKEN);
  });
});

describe("the guess throttle's memory", () => {
  it("forgets an address after a quiet longest-lockout, and never holds more than maxAddresses", () => {
    let now = 0;
    const throttle = createGuessThrottle({
      now: () => now,
      freeFailures: 1,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      maxAddresses: 3,
    });
    throttle.failed("a");
    expect(throttle.failed("a")).toBe(1000);
    expect(throttle.waitMs("a")).toBe(1000);
    now += 1000;
    expect(throttle.waitMs("a")).toBe(0);
    expect(throttle.failed("a")).toBe(2000);
    now += 2000 + 60_001;
    // Quiet for a whole longest lockout: a fresh start, the first failure is free again.
    expect(throttle.failed("a")).toBe(0);
    for (const address of ["b", "c", "d"]) {
      throttle.failed(address);
      throttle.failed(address);
    }
    // "a" was the oldest of four: forgotten, so its next failure is free.
    expect(throttle.failed("a")).toBe(0);
    expect(throttle.waitMs("d")).toBe(1000);
  });
});
