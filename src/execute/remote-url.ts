import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What kind of location GIT_REMOTE_BASE names; decides how a repo name is appended and what doctor can check. */
export type RemoteBaseKind = "local" | "file" | "url" | "scp";

/** GIT_REMOTE_BASE, classified. `path` is set for local paths and file:// URLs (absolute). */
export interface RemoteBase {
  kind: RemoteBaseKind;
  /** The base without trailing slashes (local paths made absolute). */
  base: string;
  path?: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** git's scp-like syntax: a colon before the first slash (`git@gitea.example.com:team`). */
const SCP_LIKE = /^[^/]+:/;

/**
 * Classifies GIT_REMOTE_BASE the way git reads a remote: a URL with a scheme (`https://`, `ssh://`,
 * `file://`), scp-like `user@host:path`, else a local path (relative ones are taken from `cwd`, planbot's
 * start folder, so git does not resolve them against each workspace).
 */
export function parseRemoteBase(base: string, cwd: string = process.cwd()): RemoteBase {
  const trimmed = base.trim();
  if (SCHEME.test(trimmed)) {
    const stripped = trimmed.replace(/\/+$/, "");
    if (/^file:/i.test(trimmed)) {
      let path: string | undefined;
      try {
        path = fileURLToPath(stripped.length > "file://".length ? stripped : "file:///");
      } catch {
        path = undefined;
      }
      return path === undefined ? { kind: "file", base: stripped } : { kind: "file", base: stripped, path };
    }
    return { kind: "url", base: stripped };
  }
  if (SCP_LIKE.test(trimmed) && !isAbsolute(trimmed)) return { kind: "scp", base: trimmed.replace(/\/+$/, "") };
  const path = resolve(cwd, trimmed);
  return { kind: "local", base: path, path };
}

/**
 * The remote of one project: GIT_REMOTE_BASE and the repo name joined with exactly one "/" (or nothing
 * after an scp-like base ending in ":"). `repo` must already have passed validateRepo.
 */
export function remoteUrlFor(base: string, repo: string, cwd?: string): string {
  const parsed = parseRemoteBase(base, cwd);
  if (parsed.kind === "scp" && parsed.base.endsWith(":")) return `${parsed.base}${repo}`;
  if (parsed.kind === "local") return resolve(parsed.base, repo);
  return `${parsed.base}/${repo}`;
}

/** True when two remote spellings name the same repository (trailing "/" and ".git" ignored). */
export function sameRemote(a: string, b: string): boolean {
  return normalizeRemote(a) === normalizeRemote(b);
}

function normalizeRemote(url: string): string {
  const parsed = parseRemoteBase(url);
  const text = parsed.kind === "file" && parsed.path ? parsed.path : parsed.base;
  return text.replace(/\.git$/, "").replace(/\/+$/, "");
}

/** Hides credentials embedded in a URL (`https://user:token@host` → `https://***@host`) before it is shown or stored. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, "$1***@");
}
