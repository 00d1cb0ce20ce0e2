import type { Config } from "../config.ts";
import { redactUrl, remoteUrlFor } from "../execute/remote-url.ts";
import { GITHUB_API_DEFAULT, githubRepoFor } from "./github-repo.ts";

/** The `planbot doctor` line about delivering runs: what gets pushed where, and whether pull requests can open. */
export function deliveryCheck(
  config: Pick<Config, "execute">,
  cwd?: string,
): { level: "ok" | "warn"; name: string; detail: string } {
  const name = "delivery";
  const delivery = config.execute.delivery;
  if (!delivery || delivery.pushOn === "never")
    return { level: "ok", name, detail: "PUSH_ON=never: finished branches stay in their workspaces" };
  const when = delivery.pushOn === "complete" ? "complete runs" : "all finished runs";
  const base = config.execute.gitRemoteBase;
  if (!base)
    return {
      level: "warn",
      name,
      detail: `PUSH_ON=${delivery.pushOn} but GIT_REMOTE_BASE is not set: nothing can be pushed`,
    };
  if (!delivery.github.token)
    return {
      level: "ok",
      name,
      detail: `${when} are pushed to ${redactUrl(base)}/<repo>; GITHUB_TOKEN not set (no pull requests)`,
    };
  const target = githubRepoFor(remoteUrlFor(base, "example", cwd), delivery.github);
  if (!target.ok)
    return {
      level: "warn",
      name,
      detail: `${when} are pushed, but GITHUB_TOKEN is set and no pull request can open: ${target.reason}`,
    };
  const api = target.target.apiUrl === GITHUB_API_DEFAULT ? "" : ` via ${target.target.apiUrl}`;
  return {
    level: "ok",
    name,
    detail: `${when} are pushed to ${redactUrl(base)}/<repo>, with a draft pull request on ${target.target.owner}/<repo>${api} (GITHUB_TOKEN set)`,
  };
}
