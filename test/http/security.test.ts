// Who may talk to the dashboard: the token (bearer or login cookie), the Origin/Referer of writes and
// of the stream, the Host header of a token-less loopback dashboard, and the refusal to listen on a
// public address without a token.
import { afterEach, describe, expect, it } from "vitest";
import { startDashboardAdapter } from "../../src/adapters/http/index.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { createRuntime } from "../../src/runtime/runtime.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";
import { startHarness, stopHarnesses } from "./harness.ts";
import { openStream, type StreamClient } from "./sse-client.ts";

const TOKEN = "s3cret-token-for-tests-0123456789";
const temp = createTempDirs();
const streams: StreamClient[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await stopHarnesses();
  await temp.cleanup();
});

async function guarded() {
  const harness = await startHarness({
    env: { DASHBOARD_TOKEN: TOKEN, DASHBOARD_ORIGINS: "https://planbot.example.org" },
  });
  await harness.writeStore([{ name: "alpha", status: "pending" }], 1);
  return harness;
}

const bearer = { Authorization: `Bearer ${TOKEN}` };

describe("with DASHBOARD_TOKEN", () => {
  it.each([
    ["GET", "/api/projects"],
    ["GET", "/api/projects/signature"],
    ["GET", "/api/projects/stream"],
    ["GET", "/api/projects/alpha/plan/state"],
    ["POST", "/api/projects/approve"],
    ["GET", "/api/projects/alpha/prd"],
    ["GET", "/api/projects/alpha/run/log"],
    ["POST", "/api/projects/alpha/run"],
    ["GET", "/api/no-such-route"],
  ])("%s %s without the token → 401", async (method, path) => {
    const harness = await guarded();
    const result = await harness.call(method, path, method === "POST" ? { body: { slug: "alpha" } } : {});
    expect(result.status).toBe(401);
    expect(result.json).toMatchObject({ error: "unauthorized" });
  });

  it("the page without the token is a login form, not the dashboard", async () => {
    const harness = await guarded();
    const page = await harness.call("GET", "/");
    expect(page.status).toBe(401);
    expect(page.text).toContain('action="/api/login"');
    expect(page.text).not.toContain("main.js");
  });

  it("a bearer token works, a wrong one does not", async () => {
    const harness = await guarded();
    expect((await harness.call("GET", "/api/projects", { headers: bearer })).status).toBe(200);
    expect(
      (await harness.call("GET", "/api/projects", { headers: { Authorization: `Bearer ${TOKEN}x` } })).status,
    ).toBe(401);
    expect((await harness.call("GET", "/", { headers: bearer })).text).toContain("/assets/app/main.js");
    expect(
      (await harness.call("POST", "/api/projects/approve", { body: { slug: "alpha" }, headers: bearer })).status,
    ).toBe(200);
  });

  it("login sets an HttpOnly SameSite=Strict cookie that opens the API and the stream", async () => {
    const harness = await guarded();
    const wrong = await harness.call("POST", "/api/login", { body: { token: "nope" } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["set-cookie"]).toBeUndefined();
    const login = await harness.call("POST", "/api/login", { body: { token: TOKEN } });
    expect(login.status).toBe(200);
    const setCookie = login.headers["set-cookie"]![0]!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(";")[0]!;
    expect((await harness.call("GET", "/api/projects", { headers: { Cookie: cookie } })).status).toBe(200);
    const stream = await openStream(harness.dashboard.port, "/api/projects/stream", { Cookie: cookie });
    streams.push(stream);
    expect(stream.status).toBe(200);
    expect((await stream.waitFor((data) => Array.isArray(data.projects))).data).toMatchObject({ count: 1 });
    expect((await harness.call("GET", "/api/projects", { headers: { Cookie: "planbot_session=forged" } })).status).toBe(
      401,
    );
  });

  it("the login form (no script) redirects to the page with the cookie", async () => {
    const harness = await guarded();
    const login = await harness.call("POST", "/api/login", {
      body: `token=${encodeURIComponent(TOKEN)}`,
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: harness.origin },
    });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe("/");
    expect(login.headers["set-cookie"]?.[0]).toMatch(/^planbot_session=/);
  });

  it("the login form brings the browser back to the app's page it came from, and never anywhere else", async () => {
    const harness = await guarded();
    const page = await harness.call("GET", `/?next=${encodeURIComponent("#/p/alpha/plan")}`);
    expect(page.status).toBe(401);
    expect(page.text).toContain('<input type="hidden" name="next" value="#/p/alpha/plan">');
    const hostile = await harness.call("GET", `/?next=${encodeURIComponent('#/"><script>x</script>')}`);
    expect(hostile.text).not.toContain('name="next"');
    const login = (next: string) =>
      harness.call("POST", "/api/login", {
        body: `token=${encodeURIComponent(TOKEN)}&next=${encodeURIComponent(next)}`,
        headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: harness.origin },
      });
    expect((await login("#/p/alpha/plan")).headers.location).toBe("/#/p/alpha/plan");
    for (const away of ["https://evil.example/", "//evil.example", "/\\evil.example", "#//evil", "javascript:alert(1)"])
      expect((await login(away)).headers.location).toBe("/");
  });
});

describe("Origin and Referer", () => {
  it.each([
    { label: "a foreign Origin", headers: { Origin: "https://evil.example" } as Record<string, string>, status: 403 },
    {
      label: "an Origin that only starts like ours",
      headers: { Origin: "http://127.0.0.1:PORT.evil.example" } as Record<string, string>,
      status: 403,
    },
    { label: "Origin null", headers: { Origin: "null" } as Record<string, string>, status: 403 },
    {
      label: "a foreign Referer",
      headers: { Referer: "https://evil.example/page" } as Record<string, string>,
      status: 403,
    },
    { label: "our own Origin", headers: { Origin: "http://127.0.0.1:PORT" } as Record<string, string>, status: 200 },
    {
      label: "the localhost spelling of it",
      headers: { Origin: "http://localhost:PORT" } as Record<string, string>,
      status: 200,
    },
    { label: "our own Referer", headers: { Referer: "http://127.0.0.1:PORT/" } as Record<string, string>, status: 200 },
    {
      label: "a DASHBOARD_ORIGINS entry",
      headers: { Origin: "https://planbot.example.org" } as Record<string, string>,
      status: 200,
    },
    { label: "no Origin and no Referer (curl)", headers: {} as Record<string, string>, status: 200 },
  ])("POST with $label → $status", async ({ headers, status }) => {
    const harness = await guarded();
    const withPort = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, value.replace("PORT", String(harness.dashboard.port))]),
    );
    const result = await harness.call("POST", "/api/projects/approve", {
      body: { slug: "alpha" },
      headers: { ...bearer, ...withPort },
    });
    expect(result.status).toBe(status);
    if (status === 403) expect(result.json).toMatchObject({ error: "forbidden_origin" });
  });

  it("the stream checks Origin too", async () => {
    const harness = await guarded();
    const refused = await harness.call("GET", "/api/projects/stream", {
      headers: { ...bearer, Origin: "https://evil.example" },
    });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ error: "forbidden_origin" });
    const stream = await openStream(harness.dashboard.port, "/api/projects/stream", {
      ...bearer,
      Origin: harness.origin,
    });
    streams.push(stream);
    expect(stream.status).toBe(200);
  });

  it("without a token, a request for another host name (DNS rebinding) is refused", async () => {
    const harness = await startHarness();
    const rebound = await harness.call("GET", "/api/projects", {
      headers: { Host: `attacker.example:${harness.dashboard.port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.json).toMatchObject({ error: "forbidden_host" });
    expect(
      (await harness.call("GET", "/api/projects", { headers: { Host: `localhost:${harness.dashboard.port}` } })).status,
    ).toBe(200);
  });
});

describe("binding", () => {
  async function runtimeFor(env: Record<string, string>) {
    const dir = await temp.make("http-bind-");
    const loaded = loadConfig({ PLANBOT_DATA_DIR: dir, DASHBOARD_PORT: "0", ...env }, dir);
    if (!loaded.ok) throw new Error(loaded.message);
    return createRuntime(loaded.config, silentLogger);
  }

  it("a non-loopback host without a token refuses to start, naming DASHBOARD_TOKEN", async () => {
    const runtime = await runtimeFor({ DASHBOARD_HOST: "0.0.0.0" });
    await expect(startDashboardAdapter(runtime)).rejects.toThrow(/DASHBOARD_TOKEN/);
    expect(runtime.outbound.has("dashboard")).toBe(false);
  });

  it("a non-loopback host with a token starts and reports its port", async () => {
    const runtime = await runtimeFor({ DASHBOARD_HOST: "0.0.0.0", DASHBOARD_TOKEN: TOKEN });
    const dashboard = await startDashboardAdapter(runtime);
    try {
      expect(dashboard.port).toBeGreaterThan(0);
      expect(dashboard.url).toBe(`http://127.0.0.1:${dashboard.port}/`);
      expect(runtime.outbound.has("dashboard")).toBe(true);
    } finally {
      await dashboard.stop();
    }
    expect(runtime.outbound.has("dashboard")).toBe(false);
  });

  it("a port in use is a clear start-up error", async () => {
    const harness = await startHarness();
    const runtime = await runtimeFor({ DASHBOARD_PORT: String(harness.dashboard.port) });
    await expect(startDashboardAdapter(runtime)).rejects.toThrow(/could not listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
  });
});
