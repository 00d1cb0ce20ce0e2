// Debian's Chromium (/usr/bin/chromium, or PLANBOT_CHROMIUM) driven by playwright-core: one browser
// per test file, pages in light or dark at desktop or phone width, screenshots into test-artifacts/web/.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const artifactsDir = fileURLToPath(new URL("../../test-artifacts/web/", import.meta.url));

/** Where Chromium is: `.ci/run` installs Debian's `chromium` package. */
export const chromiumPath = process.env.PLANBOT_CHROMIUM ?? "/usr/bin/chromium";

let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

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

/** A fresh browser context (own cookies) and page. */
export async function openPage(options: PageOptions = {}): Promise<Page> {
  const context = await (await launch()).newContext({
    colorScheme: options.scheme ?? "light",
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    ...(options.phone ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
  contexts.push(context);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && !/401|Unauthorized|Failed to load resource/.test(message.text()))
      errors.push(message.text());
  });
  (page as Page & { errors: string[] }).errors = errors;
  // Every confirm() in the app is answered yes: the tests press the buttons a person would.
  page.on("dialog", (dialog) => void dialog.accept());
  return page;
}

/** Script errors the page logged so far. */
export function pageErrors(page: Page): string[] {
  return (page as Page & { errors?: string[] }).errors ?? [];
}

/**
 * Every response of the page with a status of 400 or more, as "status url" — the login page's own 401 aside
 * (Chromium also logs that one as a console error, so the console is checked once logged in).
 */
export function failedResponses(page: Page): { responses: string[]; console: string[] } {
  const failed = { responses: [] as string[], console: [] as string[] };
  page.on("response", (response) => {
    if (response.status() >= 400 && response.request().resourceType() !== "document")
      failed.responses.push(`${response.status()} ${response.url()}`);
  });
  page.on("console", (message) => {
    if (message.type() === "error") failed.console.push(message.text());
  });
  return failed;
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
  for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
  await browser?.close();
  browser = undefined;
}
