// The browser harness itself, in a real Chromium: every failed request a page makes is recorded with its
// method, path and status (or "network" when nothing answered), and is a problem until the test declares it;
// a declared failure that never happens is a problem too.
import { createServer } from "node:http";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "../http/harness.ts";
import { closeBrowser, expectFailedRequests, failedRequests, openPage, undeclaredProblems } from "./browser.ts";

afterEach(stopHarnesses);
afterAll(closeBrowser);

/** A loopback port nothing listens on (a server is bound to it, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("the browser harness", () => {
  it("reports a stray 404 with method, path and status until the test declares it", async () => {
    const harness = await startHarness();
    const page = await openPage();
    await page.goto(`${harness.origin}/`);
    await page.waitForSelector('main[data-ready="yes"]');
    expect(undeclaredProblems(page)).toEqual([]);

    await page.evaluate(() => fetch("/api/nothing-here?x=1").then((res) => res.status));
    expect(failedRequests(page)).toEqual([{ method: "GET", path: "/api/nothing-here?x=1", status: 404 }]);
    // Chromium's console line about the same 404 is that request's, not a second problem.
    expect(undeclaredProblems(page)).toEqual(["unexpected failed request: GET /api/nothing-here?x=1 → 404"]);

    expectFailedRequests(page, [{ method: "GET", path: "/api/nothing-here", status: 404 }]);
    expect(undeclaredProblems(page)).toEqual([]);
  });

  it("reports a declared failure that never happened, and a request nothing answered", async () => {
    const port = await closedPort();
    const page = await openPage();
    await page.setContent("<p>a blank page</p>");
    expectFailedRequests(page, [{ status: "network", path: "/gone" }]);
    expect(undeclaredProblems(page)).toEqual(["expected failed request never happened: any /gone → network"]);

    await page.evaluate((url) => fetch(url).catch(() => "refused"), `http://127.0.0.1:${port}/gone`);
    expect(failedRequests(page)).toEqual([
      { method: "GET", path: "/gone", status: "network", reason: "net::ERR_CONNECTION_REFUSED" },
    ]);
    expect(undeclaredProblems(page)).toEqual([]);
  });
});
