// Debian's Chromium (/usr/bin/chromium, or PLANBOT_CHROMIUM) driven by playwright-core: one browser
// per test file, pages in light or dark at desktop or phone width, screenshots into test-artifacts/web/.
//
// Every page records each request that failed — an answer of 400 or more, or no answer at all — and each
// console error and script error. After every test, a page that saw one the test did not declare with
// {@link expectFailedRequests} fails the test: a stray 404 or a dropped request is never silently ignored.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterEach } from "vitest";
import { beforeHarnessesStop } from "../http/harness.ts";

export const artifactsDir = fileURLToPath(new URL("../../test-artifacts/web/", import.meta.url));

/** Where Chromium is: `.ci/run` installs Debian's `chromium` package. */
export const chromiumPath = process.env.PLANBOT_CHROMIUM ?? "/usr/bin/chromium";

/** One request that failed: its answer's status, or `"network"` when no answer came (refused, reset). */
export interface FailedRequest {
  method: string;
  /** The URL's path, query included. */
  path: string;
  status: number | "network";
  /** Chromium's reason for a request without an answer, e.g. `net::ERR_CONNECTION_REFUSED`. */
  reason?: string;
}

/** A failure a test means to cause: matched by status, path (exact, or a pattern) and, when given, method. */
export interface ExpectedFailure {
  status: number | "network";
  /** The exact path without its query, or a pattern tested against the path with its query. */
  path: string | RegExp;
  method?: string;
  /** It may happen, or not (a reconnection that depends on timing): allowed, but not required. */
  optional?: boolean;
}

/** What one page saw go wrong, and what its test said it would. */
interface PageRecord {
  failed: FailedRequest[];
  /** Console errors, with the URL Chromium attributes them to (a failed resource's own URL). */
  console: Array<{ text: string; url: string }>;
  scriptErrors: string[];
  expected: ExpectedFailure[];
  /** Set when the test is over: what happens while the page closes is not the test's doing. */
  closed: boolean;
}

let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const records = new Map<Page, PageRecord>();

/** Launches (once) the headless Chromium; --no-sandbox because CI runs as root. */
export async function launch(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  return browser;
}

/** Options of {@link openPage}. */
export interface PageOptions {
  scheme?: "light" | "dark";
  phone?: boolean;
}

/** A fresh browser context (own cookies) and page, recording what fails on it. */
export async function openPage(options: PageOptions = {}): Promise<Page> {
  const context = await (await launch()).newContext({
    colorScheme: options.scheme ?? "light",
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  contexts.push(context);
  const page = await context.newPage();
  const record: PageRecord = { failed: [], console: [], scriptErrors: [], expected: [], closed: false };
  records.set(page, record);
  page.on("response", (response) => {
    if (record.closed || response.status() < 400) return;
    const request = response.request();
    record.failed.push({ method: request.method(), path: pathOf(request.url()), status: response.status() });
  });
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    // An abort is the page's own doing (a reload, a closed stream, a fetch it cancelled), not a failure.
    if (record.closed || reason === "net::ERR_ABORTED") return;
    record.failed.push({ method: request.method(), path: pathOf(request.url()), status: "network", reason });
  });
  page.on("pageerror", (error) => {
    if (!record.closed) record.scriptErrors.push(error.message);
  });
  page.on("console", (message) => {
    if (!record.closed && message.type() === "error")
      record.console.push({ text: message.text(), url: message.location().url });
  });
  // Every confirm() in the app is answered yes: the tests press the buttons a person would.
  page.on("dialog", (dialog) => void dialog.accept());
  return page;
}

/**
 * Declares failed requests the test means to cause on `page` (a wrong token's 401, a server that went
 * away): each must happen at least once (unless `optional`), and only failures matching one of them are allowed.
 */
export function expectFailedRequests(page: Page, failures: ExpectedFailure[]): void {
  recordOf(page).expected.push(...failures);
}

/** The failed requests `page` has seen so far (for a test that checks one was made, or how often). */
export function failedRequests(page: Page): FailedRequest[] {
  return [...recordOf(page).failed];
}

/** Script errors the page threw so far. */
export function pageErrors(page: Page): string[] {
  return [...(records.get(page)?.scriptErrors ?? [])];
}

/**
 * What went wrong on `page` that its test did not declare, one line each: failed requests that match no
 * expected failure, expected failures that never happened, console errors not about a failed request
 * (Chromium logs "Failed to load resource" for each), and script errors. Empty when all is as declared.
 */
export function undeclaredProblems(page: Page): string[] {
  const record = recordOf(page);
  const problems: string[] = [];
  for (const failed of record.failed)
    if (!record.expected.some((expected) => matches(expected, failed)))
      problems.push(`unexpected failed request: ${describeFailure(failed)}`);
  for (const expected of record.expected)
    if (!expected.optional && !record.failed.some((failed) => matches(expected, failed)))
      problems.push(
        `expected failed request never happened: ${expected.method ?? "any"} ${expected.path} → ${expected.status}`,
      );
  const failedPaths = new Set(record.failed.map((failed) => failed.path));
  for (const entry of record.console)
    if (!(entry.url && failedPaths.has(pathOf(entry.url))))
      problems.push(`console error: ${entry.text}${entry.url ? ` (${entry.url})` : ""}`);
  for (const error of record.scriptErrors) problems.push(`script error: ${error}`);
  return problems;
}

/** Saves a full-page screenshot as test-artifacts/web/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Closes every context, and the browser. */
export async function closeBrowser(): Promise<void> {
  await closePages();
  await browser?.close();
  browser = undefined;
}

/** Stops recording on every open page and closes their contexts (the test is over). */
async function closePages(): Promise<void> {
  for (const record of records.values()) record.closed = true;
  for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
}

/** After each test: close its pages (before its servers stop), then fail it on anything it did not declare. */
beforeHarnessesStop(closePages);
afterEach(async () => {
  await closePages();
  const problems = [...records.keys()].flatMap((page) => undeclaredProblems(page));
  records.clear();
  if (problems.length > 0) throw new Error(`the browser saw what the test did not declare:\n${problems.join("\n")}`);
});

function recordOf(page: Page): PageRecord {
  const record = records.get(page);
  if (!record) throw new Error("not a page of openPage()");
  return record;
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

function matches(expected: ExpectedFailure, failed: FailedRequest): boolean {
  if (expected.status !== failed.status) return false;
  if (expected.method && expected.method.toUpperCase() !== failed.method) return false;
  if (typeof expected.path === "string") return failed.path.split("?")[0] === expected.path;
  return expected.path.test(failed.path);
}

function describeFailure(failed: FailedRequest): string {
  return `${failed.method} ${failed.path} → ${failed.status}${failed.reason ? ` (${failed.reason})` : ""}`;
}
