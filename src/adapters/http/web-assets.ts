import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ServerResponse } from "node:http";

/**
 * The dashboard web app's files, with no build step: the app's own ES modules in `./web/`, and the
 * kept libraries' browser ES modules straight from node_modules (Preact, its hooks, htm, marked,
 * DOMPurify), tied together by an import map. Everything is read once at start into memory and served
 * from a fixed table, so no request path ever reaches the file system.
 *
 * The page names every file with its content's hash (`?v=<hash>`), through the import map for the
 * modules' imports of each other: a file asked for under its current hash is cached for good, so a
 * reload takes the app's thirty-odd modules from the browser's cache instead of asking for each again.
 */

/** Bare specifiers the app imports → the file Node's own resolution picks (the packages' ESM builds). */
const VENDOR: Record<string, string> = {
  preact: "preact",
  "preact/hooks": "preact/hooks",
  htm: "htm",
  "htm/preact": "htm/preact",
  marked: "marked",
  dompurify: "dompurify",
};

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

/** One served file. */
interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  /** The content's hash, as the page names the file (`?v=`). */
  version: string;
}

function asset(body: Buffer, extension: string): Asset {
  const version = createHash("sha256").update(body).digest("base64url").slice(0, 22);
  return { body, type: TYPES[extension] ?? "application/octet-stream", etag: `"${version}"`, version };
}

/** `path` as the page names it: with its content's hash, so a cached copy never outlives a change. */
function versioned(files: Map<string, Asset>, path: string): string {
  return `${path}?v=${files.get(path)!.version}`;
}

function vendorPath(specifier: string): string {
  return `/assets/vendor/${specifier.replace(/\//g, "-")}.mjs`;
}

/** The loaded asset table, the import map and the page shell. */
export interface WebAssets {
  /** URL path → file. */
  files: Map<string, Asset>;
  html: string;
  /** The CSP of the app page: our own scripts plus the inline import map by its hash. */
  csp: string;
}

let loaded: WebAssets | undefined;

/** Loads the app and library files (once per process). */
export function webAssets(): WebAssets {
  if (loaded) return loaded;
  const files = new Map<string, Asset>();
  const imports: Record<string, string> = {};
  for (const [specifier, module] of Object.entries(VENDOR)) {
    const path = vendorPath(specifier);
    files.set(path, asset(readFileSync(fileURLToPath(import.meta.resolve(module))), "mjs"));
    imports[specifier] = versioned(files, path);
  }
  const webDir = new URL("./web/", import.meta.url);
  for (const name of readdirSync(webDir)) {
    const found = /^[\w-]+\.(js|css)$/.exec(name);
    if (!found) continue;
    const path = `/assets/app/${name}`;
    files.set(path, asset(readFileSync(new URL(name, webDir)), found[1]!));
    // The app's modules import each other by relative path; the map gives each import its hashed name.
    if (found[1] === "js") imports[path] = versioned(files, path);
  }
  const importMap = JSON.stringify({ imports });
  const mapHash = createHash("sha256").update(importMap).digest("base64");
  const csp = `default-src 'none'; script-src 'self' 'sha256-${mapHash}'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`;
  // Every module announced up front: without this the browser finds them one import level at a time.
  const preloads = [...files.keys()]
    .filter((path) => path.endsWith(".js") || path.endsWith(".mjs"))
    .map((path) => `<link rel="modulepreload" href="${versioned(files, path)}">`)
    .join("\n");
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>planbot</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${versioned(files, "/assets/app/style.css")}">
<script type="importmap">${importMap}</script>
${preloads}
<script type="module" src="${versioned(files, "/assets/app/main.js")}"></script>
</head><body><div id="app"><p class="boot">Loading planbot…</p></div>
<noscript>The planbot dashboard needs JavaScript. The API under /api/projects works without it.</noscript>
</body></html>
`;
  loaded = { files, html, csp };
  return loaded;
}

/**
 * Sends one asset, answering 304 to a matching If-None-Match; false when the path is not an asset. Asked for
 * under its current hash (`version`), it may be cached for good; under any other name it is checked again
 * every time (the login page's stylesheet, an old page's modules).
 */
export function sendAsset(
  path: string,
  version: string | null,
  ifNoneMatch: string | undefined,
  res: ServerResponse,
): boolean {
  const found = webAssets().files.get(path);
  if (!found) return false;
  const caching = version === found.version ? "public, max-age=31536000, immutable" : "no-cache";
  const headers = { ETag: found.etag, "Cache-Control": caching };
  if (ifNoneMatch === found.etag) {
    res.writeHead(304, headers);
    res.end();
    return true;
  }
  res.writeHead(200, {
    "Content-Type": found.type,
    "Content-Length": found.body.length,
    "X-Content-Type-Options": "nosniff",
    ...headers,
  });
  res.end(found.body);
  return true;
}
