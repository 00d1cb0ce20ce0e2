/**
 * The dashboard web app in Debian's Chromium (playwright-core), over the http bench's generated data
 * dir of 1,000 projects (each with a prd.json; a quarter pending):
 *
 * 1. Page load to data shown: navigation until the board shows its cards, against the data alone —
 *    the same browser fetching and parsing `/api/projects` on a blank page. Goal: ≤ 10 × the data alone.
 * 2. SSE update latency: a project approved in planbot's lifecycle (the store file changes, the change
 *    watcher notices, the stream pushes the list) until its card is drawn in the Approved column,
 *    against a bare stream client seeing the same change arrive. p50 and p99; goal: the page's p50
 *    within 100 ms of the stream's p50 (rendering 1,000 cards is the only thing the page adds).
 */
import { request } from "node:http";
import { chromium } from "playwright-core";
import { startDashboardAdapter } from "../src/adapters/http/index.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { createRuntime } from "../src/runtime/runtime.ts";
import { makeTempDir, removeTempDir } from "../test/helpers/temp-dir.ts";
import { latencyStats, type BenchResult } from "./bench-result.ts";
import { generate } from "./http.bench.ts";

const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 8);
const UPDATES = Number(process.env.BENCH_WEB_UPDATES ?? 30);

/** Runs the web bench and returns its result lines. */
export async function benchWeb(): Promise<BenchResult[]> {
  const root = await makeTempDir("bench-web-");
  const browser = await chromium.launch({
    executablePath: process.env.PLANBOT_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  try {
    await generate(root);
    const loaded = loadConfig({ PLANBOT_DATA_DIR: root, DASHBOARD_PORT: "0", LOG_LEVEL: "silent" }, root);
    if (!loaded.ok) throw new Error(loaded.message);
    const runtime = createRuntime(loaded.config, silentLogger);
    await runtime.watcher.start();
    const dashboard = await startDashboardAdapter(runtime);
    const origin = `http://127.0.0.1:${dashboard.port}`;
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const shown: number[] = [];
      const bare: number[] = [];
      for (let round = 0; round < LOADS + 1; round += 1) {
        await page.goto("about:blank");
        await page.goto(`${origin}/`, { waitUntil: "commit" });
        // Milliseconds since the navigation started (the page's own clock) when the first card exists.
        const pageMs = (await page.evaluate(WHEN_SHOWN)) as number;
        await page.goto(`${origin}/api/projects/signature`);
        const bareMs = (await page.evaluate(
          "(async () => { const t = performance.now(); const list = await (await fetch('/api/projects')).json(); return list.projects.length && performance.now() - t; })()",
        )) as number;
        // The first round warms the browser's and the server's caches.
        if (round > 0) {
          shown.push(pageMs);
          bare.push(bareMs);
        }
      }

      await page.goto(`${origin}/`);
      await page.waitForSelector('main[data-ready="yes"] .card');
      const stream = openStream(dashboard.port);
      await stream.ready;
      const pageLatency: number[] = [];
      const streamLatency: number[] = [];
      for (let index = 0; index < UPDATES; index += 1) {
        const slug = `project-${String(index * 4).padStart(4, "0")}`;
        // Both sides stamp with the wall clock (one machine), so no browser round trip is counted.
        const drawn = page.evaluate(whenDrawn(slug)) as Promise<number>;
        await page.evaluate("0");
        const arrived = stream.waitFor(slug).then(() => Date.now());
        const started = Date.now();
        const approved = await runtime.core.lifecycle.approve(slug);
        if (!approved.ok) throw new Error(approved.message);
        pageLatency.push((await drawn) - started);
        streamLatency.push((await arrived) - started);
      }
      stream.close();
      const load = latencyStats(shown);
      const data = latencyStats(bare);
      const ours = latencyStats(pageLatency);
      const raw = latencyStats(streamLatency);
      return [
        {
          name: `web: page load to 1,000 projects shown (${LOADS} loads)`,
          figures: { p50_ms: load.p50, max_ms: load.max },
        },
        {
          name: "web: the data alone (fetch + parse /api/projects in the page)",
          figures: { p50_ms: data.p50, max_ms: data.max },
        },
        {
          name: "web: page load vs the data alone",
          figures: { page_p50_ms: load.p50, data_p50_ms: data.p50 },
          ratio: { value: load.p50 / data.p50, goal: "≤ 10", met: load.p50 / data.p50 <= 10 },
        },
        {
          name: `web: SSE update drawn in the page, 1,000 projects (${UPDATES} approvals)`,
          figures: { p50_ms: ours.p50, p99_ms: ours.p99, max_ms: ours.max },
        },
        {
          name: "web: same change seen by a bare stream client",
          figures: { p50_ms: raw.p50, p99_ms: raw.p99, max_ms: raw.max },
        },
        {
          name: "web: page update vs bare stream (p50)",
          figures: { added_p50_ms: ours.p50 - raw.p50 },
          ratio: { value: ours.p50 / raw.p50, goal: "page p50 ≤ stream p50 + 100 ms", met: ours.p50 - raw.p50 <= 100 },
        },
      ];
    } finally {
      await dashboard.stop();
      await runtime.watcher.stop();
    }
  } finally {
    await browser.close();
    await removeTempDir(root);
  }
}

/** In the page: resolves with performance.now() once the board shows a card. */
const WHEN_SHOWN = `new Promise((resolve) => {
  const done = () => document.querySelector('main[data-ready="yes"] .card') && (resolve(performance.now()), true);
  if (done()) return;
  const observer = new MutationObserver(() => done() && observer.disconnect());
  observer.observe(document, { childList: true, subtree: true, attributes: true });
})`;

/** In the page: resolves with Date.now() once `slug`'s card is in the Approved column. */
function whenDrawn(slug: string): string {
  return `new Promise((resolve) => {
    const selector = '[data-column="approved"] [data-slug="${slug}"]';
    const observer = new MutationObserver(() => {
      if (document.querySelector(selector)) {
        observer.disconnect();
        resolve(Date.now());
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  })`;
}

/** A bare SSE client: resolves `waitFor(slug)` when a list frame shows that project approved. */
function openStream(port: number) {
  const waiters = new Map<string, () => void>();
  let buffer = "";
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const req = request({ host: "127.0.0.1", port, path: "/api/projects/stream" }, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = frame.split("\n").find((line) => line.startsWith("data: "));
        if (!data) continue;
        markReady();
        for (const [slug, resolve] of waiters) {
          // A cheap check first: parsing every 1,000-project frame would slow the baseline down.
          if (!data.includes(`"slug":"${slug}"`)) continue;
          const list = JSON.parse(data.slice(6)) as { projects?: Array<{ slug: string; status: string }> };
          if (list.projects?.some((project) => project.slug === slug && project.status === "approved")) {
            waiters.delete(slug);
            resolve();
          }
        }
      }
    });
  });
  req.end();
  return {
    ready,
    waitFor: (slug: string) => new Promise<void>((resolve) => waiters.set(slug, resolve)),
    close: () => req.destroy(),
  };
}
