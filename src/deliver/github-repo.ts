import type { DeliverySettings } from "../config/delivery-settings.ts";

/** The public API root. */
export const GITHUB_API_DEFAULT = "https://api.github.com";

/** The repository a pull request is opened on. */
export interface GithubRepo {
  owner: string;
  repo: string;
  /** REST API root without a trailing "/". */
  apiUrl: string;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/**
 * Works out `<owner>/<repo>` for a project's remote, or explains why there is none:
 * - the remote is on github.com (or on the GitHub Enterprise host of GITHUB_API_URL), in https
 *   (`https://github.com/acme/todo.git`), ssh (`ssh://git@github.com/acme/todo`) or scp form
 *   (`git@github.com:acme/todo.git`): owner and name come from its path;
 * - otherwise GITHUB_OWNER names the owner and the project's repo (its last part) the repository — which
 *   is also how a mirror, or the tests' local bare repository, is tied to a GitHub repository.
 */
export function githubRepoFor(
  remoteUrl: string,
  settings: DeliverySettings["github"],
): { ok: true; target: GithubRepo } | { ok: false; reason: string } {
  const apiUrl = (settings.apiUrl ?? GITHUB_API_DEFAULT).replace(/\/+$/, "");
  const hosts = new Set(["github.com", "www.github.com"]);
  const apiHost = hostOf(apiUrl);
  if (apiHost && apiHost !== "api.github.com") hosts.add(apiHost.toLowerCase());
  const parsed = hostAndPath(remoteUrl);
  if (parsed && hosts.has(parsed.host.toLowerCase())) {
    const parts = parsed.path
      .replace(/\.git$/, "")
      .split("/")
      .filter(Boolean);
    if (parts.length === 2 && NAME.test(parts[0]!) && NAME.test(parts[1]!))
      return { ok: true, target: { owner: parts[0]!, repo: parts[1]!, apiUrl } };
    return { ok: false, reason: `the remote ${parsed.host}/${parsed.path} is not of the form <owner>/<repo>` };
  }
  if (settings.owner) {
    const name =
      remoteUrl
        .replace(/\.git$/, "")
        .replace(/\/+$/, "")
        .split(/[/:]/)
        .pop() ?? "";
    if (NAME.test(name)) return { ok: true, target: { owner: settings.owner, repo: name, apiUrl } };
    return { ok: false, reason: `cannot tell the repository name from the remote` };
  }
  return { ok: false, reason: "the remote is not on GitHub and GITHUB_OWNER is not set" };
}

/** Host and path of an https/ssh URL or an scp-like `user@host:path`; undefined for local paths. */
function hostAndPath(url: string): { host: string; path: string } | undefined {
  const scheme = /^(?:https?|ssh|git):\/\/(?:[^@/]*@)?([^/:]+)(?::\d+)?\/(.*)$/i.exec(url);
  if (scheme) return { host: scheme[1]!, path: scheme[2]! };
  const scp = /^(?:[^@/:]+@)?([^/:]+):(?!\/)(.*)$/.exec(url);
  if (scp) return { host: scp[1]!, path: scp[2]! };
  return undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** The web address of a file on a branch: `https://github.com/acme/todo/blob/ralph/todo/scripts/ralph/final-plan.md`. */
export function blobUrl(target: GithubRepo, branch: string, path: string): string {
  const web = target.apiUrl === GITHUB_API_DEFAULT ? "https://github.com" : target.apiUrl.replace(/\/api\/v3$/, "");
  const encode = (value: string) => value.split("/").map(encodeURIComponent).join("/");
  return `${web}/${target.owner}/${target.repo}/blob/${encode(branch)}/${encode(path)}`;
}
