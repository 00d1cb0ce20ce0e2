// The dashboard's small parts on their own: the per-project message ring, the route table, the
// loopback rule and the page's headers.
import { afterEach, describe, expect, it } from "vitest";
import { createDashboardOutbound, type DashboardMessage } from "../../src/adapters/http/dashboard-outbound.ts";
import { createRouter } from "../../src/adapters/http/router.ts";
import { isLoopbackHost } from "../../src/adapters/http/exposure.ts";
import { allowedOrigins } from "../../src/adapters/http/security.ts";
import { createHash } from "node:crypto";
import { systemClock } from "../../src/projects/clock.ts";
import { startHarness, stopHarnesses } from "./harness.ts";

afterEach(stopHarnesses);

describe("the dashboard's message ring", () => {
  it("keeps the newest messages per project and forgets the least recent project", async () => {
    const live: DashboardMessage[] = [];
    const outbound = createDashboardOutbound({
      clock: systemClock,
      onMessage: (message) => live.push(message),
      perProject: 3,
      maxProjects: 2,
    });
    for (let index = 1; index <= 5; index += 1)
      expect((await outbound.send({ adapter: "dashboard", channelId: "alpha" }, { text: `a${index}` })).ok).toBe(true);
    await outbound.send({ adapter: "dashboard", channelId: "beta" }, { text: "b1" });
    expect(outbound.recent("ALPHA").map((message) => message.message)).toEqual(["a3", "a4", "a5"]);
    await outbound.send({ adapter: "dashboard", channelId: "gamma" }, { text: "c1" });
    expect(outbound.recent("alpha")).toEqual([]);
    expect(outbound.recent("beta").map((message) => message.message)).toEqual(["b1"]);
    expect(live).toHaveLength(7);
  });

  it("a reply carrying the final plan links the project's plan tab instead of a file", async () => {
    const outbound = createDashboardOutbound({ clock: systemClock, onMessage: () => undefined });
    await outbound.send(
      { adapter: "dashboard", channelId: "my-app" },
      { text: "Approved **my-app**.", attachment: { name: "final-plan.md", content: "# Plan", slug: "my-app" } },
    );
    expect(outbound.recent("my-app").map((message) => message.message)).toEqual([
      "Approved **my-app**.\n\n[final-plan.md](#/p/my-app/plan)",
    ]);
  });
});

describe("the route table", () => {
  const router = createRouter([
    { method: "GET", path: "/api/projects/:slug/plan/state", handler: () => undefined },
    { method: "POST", path: "/api/projects/:slug/plan/start", handler: () => undefined },
  ]);

  it.each([
    ["GET", "/api/projects/my-app/plan/state", { params: { slug: "my-app" } }],
    ["GET", "/api/projects/a%2Fb/plan/state", { params: { slug: "a/b" } }],
    ["GET", "/api/projects/%E0%A4%A/plan/state", { params: { slug: "%E0%A4%A" } }],
    ["POST", "/api/projects/my-app/plan/state", { status: 405, allow: "GET" }],
    ["GET", "/api/projects/my-app/plan/state/", { status: 404 }],
    ["GET", "/api/projects//plan/state", { status: 404 }],
  ])("%s %s", (method, path, expected) => {
    expect(router.match(method, path)).toMatchObject(expected);
  });
});

describe("addresses", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["localhost", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.5", false],
    ["planbot.example.org", false],
  ])("%s is loopback: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });

  it("own origins: the bound address, its loopback spellings and DASHBOARD_ORIGINS (normalised)", () => {
    expect([...allowedOrigins("127.0.0.1", 8088, ["https://planbot.example.org/", "not a url"])].sort()).toEqual(
      ["http://127.0.0.1:8088", "http://[::1]:8088", "http://localhost:8088", "https://planbot.example.org"].sort(),
    );
    expect([...allowedOrigins("10.0.0.5", 80, [])]).toEqual(["http://10.0.0.5"]);
  });
});

describe("the page", () => {
  it("is served with a strict CSP that allows only our files and the import map by its hash", async () => {
    const harness = await startHarness();
    const page = await harness.call("GET", "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    const importMap = /<script type="importmap">(.*?)<\/script>/.exec(page.text)![1]!;
    expect(csp).toContain(`'sha256-${createHash("sha256").update(importMap).digest("base64")}'`);
    // Every file under its content's hash: the libraries by name, the app's modules by the paths they import.
    const hashed = (path: string) => new RegExp(`^${path.replace(/\./g, "\\.")}\\?v=[\\w-]{22}$`);
    const imports = JSON.parse(importMap).imports as Record<string, string>;
    expect(imports).toMatchObject({
      preact: expect.stringMatching(hashed("/assets/vendor/preact.mjs")),
      marked: expect.stringMatching(hashed("/assets/vendor/marked.mjs")),
      dompurify: expect.stringMatching(hashed("/assets/vendor/dompurify.mjs")),
      "/assets/app/api.js": expect.stringMatching(hashed("/assets/app/api.js")),
    });
    const main = /<script type="module" src="([^"]+)">/.exec(page.text)![1]!;
    expect(main).toMatch(hashed("/assets/app/main.js"));
    expect(page.text).toContain(`<link rel="modulepreload" href="${imports["/assets/app/api.js"]}">`);
  });

  it("lets the browser keep a file for good only under its current hash", async () => {
    const harness = await startHarness();
    const page = await harness.call("GET", "/");
    const main = /<script type="module" src="([^"]+)">/.exec(page.text)![1]!;
    const current = await harness.call("GET", main);
    expect(current.status).toBe(200);
    expect(current.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    // Another hash (a page from before an upgrade) or none (the login page's stylesheet): checked every time.
    const stale = await harness.call("GET", "/assets/app/main.js?v=AAAAAAAAAAAAAAAAAAAAAA");
    expect(stale.status).toBe(200);
    expect(stale.headers["cache-control"]).toBe("no-cache");
    expect(stale.text).toBe(current.text);
    expect((await harness.call("GET", "/assets/app/style.css")).headers["cache-control"]).toBe("no-cache");
  });

  it("serves the app's files and the libraries' ES modules from a fixed table, with ETags", async () => {
    const harness = await startHarness();
    const app = await harness.call("GET", "/assets/app/main.js");
    expect(app.status).toBe(200);
    expect(app.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(app.text).toContain('from "preact"');
    const library = await harness.call("GET", "/assets/vendor/dompurify.mjs");
    expect(library.status).toBe(200);
    expect(library.text).toMatch(/export\s*\{/);
    const again = await harness.call("GET", "/assets/vendor/dompurify.mjs", {
      headers: { "If-None-Match": String(library.headers.etag) },
    });
    expect(again.status).toBe(304);
    expect((await harness.call("GET", "/assets/app/style.css")).headers["content-type"]).toMatch(/^text\/css/);
    for (const path of [
      "/assets/app/nope.js",
      "/assets/app/..%2F..%2Fsecurity.ts",
      "/assets/vendor/..%2F..%2F..%2Fpackage.json",
      "/assets/app/web-assets.ts",
    ]) {
      expect((await harness.call("GET", path)).status, path).toBe(404);
    }
  });
});
