import { afterEach, describe, expect, it } from "vitest";
import { createGithubClient } from "../../src/deliver/github-client.ts";
import { openOrUpdatePullRequest } from "../../src/deliver/pull-request.ts";
import { silentLogger } from "../../src/log.ts";
import { startFakeGithub, type FakeGithub } from "../fakes/github/server.ts";

const TOKEN = "ghp_pullTOKEN0123456789abcdefABCDEF012345";
const fakes: FakeGithub[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function setup(options: { draftsUnsupported?: boolean } = {}) {
  const github = await startFakeGithub(TOKEN);
  fakes.push(github);
  github.addRepo("acme", "todo", undefined, options);
  const client = createGithubClient({ token: TOKEN, apiUrl: github.url, log: silentLogger, retryBaseMs: 1 });
  const draft = { branch: "ralph/todo", base: "main", title: "Goal", body: "- [x] US-1" };
  return {
    github,
    open: (target = { owner: "acme", repo: "todo", apiUrl: github.url }) =>
      openOrUpdatePullRequest(client, target, draft, TOKEN),
  };
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
});
