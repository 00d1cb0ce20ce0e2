import { afterEach, describe, expect, it } from "vitest";
import { createGithubClient } from "../../src/deliver/github-client.ts";
import { openOrUpdatePullRequest } from "../../src/deliver/pull-request.ts";
import { silentLogger } from "../../src/log.ts";
import { startFakeGithub, type FakeGithub } from "../fakes/github/server.ts";
import { createBareRemote, git } from "../helpers/git-fixtures.ts";
import { createTempDirs } from "../helpers/temp-dir.ts";

const TOKEN = "ghp_pullTOKEN0123456789abcdefABCDEF012345";
const fakes: FakeGithub[] = [];
const temp = createTempDirs();
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
  await temp.cleanup();
});

async function setup(options: { draftsUnsupported?: boolean; bareRepo?: string; base?: string } = {}) {
  const github = await startFakeGithub(TOKEN);
  fakes.push(github);
  github.addRepo("acme", "todo", options.bareRepo, options);
  const client = createGithubClient({ token: TOKEN, apiUrl: github.url, log: silentLogger, retryBaseMs: 1 });
  const draft = { branch: "ralph/todo", base: options.base ?? "main", title: "Goal", body: "- [x] US-1" };
  return {
    github,
    open: (target = { owner: "acme", repo: "todo", apiUrl: github.url }) =>
      openOrUpdatePullRequest(client, target, draft, TOKEN),
  };
}

/** A real bare repository whose `ralph/todo` is `main` itself (no commit of its own), as GitHub would see it. */
async function branchWithoutCommits(): Promise<string> {
  const remote = await createBareRemote(await temp.make("pr-"), "todo");
  await git(remote.path, ["branch", "ralph/todo", "main"]);
  return remote.path;
}

describe("opening the pull request through Octokit against the fake GitHub", { timeout: 30_000 }, () => {
  it("a repository without drafts gets a normal pull request instead of a failure", async () => {
    const { github, open } = await setup({ draftsUnsupported: true });
    expect(await open()).toMatchObject({ ok: true, number: 1, action: "created" });
    expect(
      github.requests
        .filter((request) => request.method === "POST")
        .map((request) => [request.status, (request.body as { draft: boolean }).draft]),
    ).toEqual([
      [422, true],
      [201, false],
    ]);
    expect(github.pulls("acme", "todo")).toMatchObject([{ draft: false, head: "ralph/todo" }]);
  });

  it("an unknown repository is a 404 with what to check; nothing is retried", async () => {
    const { github, open } = await setup();
    const result = await open({ owner: "acme", repo: "nope", apiUrl: github.url });
    expect(result).toMatchObject({
      ok: false,
      problem: "not_found",
      message: "GitHub answered 404 for acme/nope: Not Found",
      hint: expect.stringContaining("GITHUB_OWNER"),
      // The branch is pushed: the member can open the pull request by hand; the repository is the operator's.
      split: { problem: "pr_repo_not_found", next: { kind: "open_pull_request" }, operator: "github_repo" },
    });
    expect(github.requests).toHaveLength(1);
  });

  it("an API that is not listening is reported as unavailable, without the token", async () => {
    const { github, open } = await setup();
    const url = github.url;
    await github.close();
    const result = await open({ owner: "acme", repo: "todo", apiUrl: url });
    expect(result).toMatchObject({
      ok: false,
      problem: "unavailable",
      message: expect.stringContaining("GitHub could not be reached for acme/todo"),
    });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("a branch with no commits beyond its base is GitHub's 422: the member's step is the base, nothing is the operator's", async () => {
    const { github, open } = await setup({ bareRepo: await branchWithoutCommits() });
    const result = await open();
    expect(result).toMatchObject({
      ok: false,
      problem: "invalid",
      message: "GitHub answered 422 for acme/todo: Validation Failed: No commits between main and ralph/todo",
      split: { problem: "pr_no_commits", next: { kind: "edit", field: "base" } },
    });
    expect(result.ok ? undefined : result.split).not.toHaveProperty("operator");
    expect(github.pulls("acme", "todo")).toHaveLength(0);
  });

  it("a base GitHub does not have is a 422 on the base field: the member's step is to set the base", async () => {
    const { open } = await setup({ bareRepo: await branchWithoutCommits(), base: "release" });
    expect(await open()).toMatchObject({
      ok: false,
      problem: "invalid",
      split: { problem: "pr_base_missing", next: { kind: "edit", field: "base" } },
    });
  });

  it("a 403 splits: the member opens the pull request by hand, the token's access is the operator's; a rate limit is nobody's", async () => {
    const { github, open } = await setup();
    github.fault({ status: 403, times: 1, method: "POST", message: "Resource not accessible by integration" });
    expect(await open()).toMatchObject({
      ok: false,
      problem: "forbidden",
      split: { problem: "pr_forbidden", next: { kind: "open_pull_request" }, operator: "token_access" },
    });
    github.fault({ status: 403, times: 1, method: "POST", message: "API rate limit exceeded for installation" });
    const limited = await open();
    expect(limited).toMatchObject({ ok: false, split: { problem: "pr_forbidden" } });
    expect(limited.ok ? undefined : limited.split).not.toHaveProperty("operator");
  });
});
