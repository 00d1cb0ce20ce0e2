import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { shouldDeliver } from "../../src/deliver/deliver-run.ts";
import { deliveryCheck } from "../../src/deliver/doctor-check.ts";
import { blobUrl, githubRepoFor } from "../../src/deliver/github-repo.ts";
import { pullRequestBody, pullRequestTitle } from "../../src/deliver/pr-body.ts";
import { scrubToken } from "../../src/deliver/scrub.ts";
import { scrubSecrets } from "../../src/log.ts";

describe("which GitHub repository a remote is", () => {
  it("reads owner and name from github.com remotes in https, scp and ssh form", () => {
    for (const url of [
      "https://github.com/acme/todo",
      "https://github.com/acme/todo.git",
      "git@github.com:acme/todo.git",
      "ssh://git@github.com/acme/todo",
      "https://x-access-token:abc@github.com/acme/todo",
    ]) {
      expect(githubRepoFor(url, {})).toEqual({
        ok: true,
        target: { owner: "acme", repo: "todo", apiUrl: "https://api.github.com" },
      });
    }
  });

  it("takes the Enterprise host from GITHUB_API_URL, GITHUB_OWNER for anything else, and explains when neither applies", () => {
    expect(githubRepoFor("https://ghe.example.com/team/app", { apiUrl: "https://ghe.example.com/api/v3/" })).toEqual({
      ok: true,
      target: { owner: "team", repo: "app", apiUrl: "https://ghe.example.com/api/v3" },
    });
    expect(githubRepoFor("/srv/git/remotes/todo", { owner: "acme", apiUrl: "http://127.0.0.1:9/" })).toEqual({
      ok: true,
      target: { owner: "acme", repo: "todo", apiUrl: "http://127.0.0.1:9" },
    });
    expect(githubRepoFor("git@gitea.example.com:team/todo.git", {})).toEqual({
      ok: false,
      reason: "the remote is not on GitHub and GITHUB_OWNER is not set",
    });
    expect(githubRepoFor("https://github.com/acme", {})).toMatchObject({
      ok: false,
      reason: expect.stringContaining("<owner>/<repo>"),
    });
  });

  it("links a file on a branch on github.com", () => {
    expect(
      blobUrl(
        { owner: "acme", repo: "todo", apiUrl: "https://api.github.com" },
        "ralph/todo",
        "scripts/ralph/final-plan.md",
      ),
    ).toBe("https://github.com/acme/todo/blob/ralph/todo/scripts/ralph/final-plan.md");
    expect(blobUrl({ owner: "t", repo: "a", apiUrl: "https://ghe.example.com/api/v3" }, "b", "x.md")).toBe(
      "https://ghe.example.com/t/a/blob/b/x.md",
    );
  });
});

describe("the pull request's title and body", () => {
  const prd = {
    description: "A todo list.",
    userStories: [
      { id: "US-1", title: "Add items", passes: true },
      { id: "US-2", title: "Ping @octocat when done", passes: false, failed: true },
      { id: "US-3", title: "Sync", passes: false, blocked: true },
      { id: "US-4", title: "Export", passes: false },
    ],
  };
  const content = {
    slug: "todo",
    plan: "# Plan\n\n## 1. Goal\n\n- Let people keep a todo list. And more after.\n\n## Scope\nx",
    prd,
    description: "d",
    outcome: "failed",
    planUrl: "https://github.com/a/b/blob/x/p.md",
    durationMs: 125_000,
    costUsd: 1.234,
  };

  it("titles with the first sentence of the plan's Goal, else prd.json's description", () => {
    expect(pullRequestTitle(content)).toBe("Let people keep a todo list.");
    expect(pullRequestTitle({ ...content, plan: "# no goal here" })).toBe("A todo list.");
    expect(pullRequestTitle({ ...content, plan: null, prd: null })).toBe("d");
    expect(pullRequestTitle({ ...content, plan: `## Goal\n${"word ".repeat(60)}` }).length).toBeLessThanOrEqual(100);
  });

  it("lists the stories as a checklist with failed and blocked marked, links the plan, gives duration and cost, and never mentions anyone", () => {
    const body = pullRequestBody(content);
    expect(body).toContain(
      "- [x] US-1 Add items\n- [ ] US-2 Ping @\u200boctocat when done — **failed**\n- [ ] US-3 Sync — **blocked**\n- [ ] US-4 Export — not done",
    );
    expect(body).toContain("**Plan:** [final-plan.md](https://github.com/a/b/blob/x/p.md)");
    expect(body).toContain("**Run:** failed: 1/4 stories pass · run took 2 min · cost $1.23");
    expect(body).not.toMatch(/@octocat/);
  });
});

describe("settings and secrets", () => {
  it("PUSH_ON decides which outcomes are pushed", () => {
    expect(
      ["complete", "failed", "blocked", "skipped"].map((outcome) => shouldDeliver("complete", outcome as never)),
    ).toEqual([true, false, false, false]);
    expect(
      ["complete", "failed", "blocked", "skipped", "detached"].map((outcome) => shouldDeliver("any", outcome as never)),
    ).toEqual([true, true, true, false, false]);
    expect(shouldDeliver("never", "complete")).toBe(false);
  });

  it("reads PUSH_ON and GITHUB_* (default complete) and names a bad value without echoing a token", () => {
    const loaded = loadConfig(
      { GITHUB_TOKEN: "ghp_x", GITHUB_OWNER: "acme", GITHUB_API_URL: "http://127.0.0.1:9/" },
      "/tmp",
    );
    expect(loaded.ok && loaded.config.execute.delivery).toEqual({
      pushOn: "complete",
      github: { token: "ghp_x", owner: "acme", apiUrl: "http://127.0.0.1:9" },
    });
    expect(loadConfig({ PUSH_ON: "always" }, "/tmp")).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^Invalid PUSH_ON \(got "always"\): must be complete, any or never/),
    });
    expect(loadConfig({ GITHUB_OWNER: "-bad owner" }, "/tmp")).toMatchObject({
      ok: false,
      message: expect.stringContaining("Invalid GITHUB_OWNER"),
    });
  });

  it("planbot doctor says what is pushed where and whether pull requests can open, never the token", () => {
    const config = (env: Record<string, string>) => {
      const loaded = loadConfig(env, "/tmp");
      if (!loaded.ok) throw new Error(loaded.message);
      return loaded.config;
    };
    expect(deliveryCheck(config({ PUSH_ON: "never" }))).toMatchObject({
      level: "ok",
      detail: expect.stringContaining("stay in their workspaces"),
    });
    expect(deliveryCheck(config({}))).toMatchObject({
      level: "warn",
      detail: expect.stringContaining("GIT_REMOTE_BASE is not set"),
    });
    expect(deliveryCheck(config({ GIT_REMOTE_BASE: "/srv/git" }))).toMatchObject({
      level: "ok",
      detail: "complete runs are pushed to /srv/git/<repo>; GITHUB_TOKEN not set (no pull requests)",
    });
    expect(deliveryCheck(config({ GIT_REMOTE_BASE: "/srv/git", GITHUB_TOKEN: "ghp_secret" }))).toMatchObject({
      level: "warn",
      detail: expect.stringContaining("GITHUB_OWNER is not set"),
    });
    const good = deliveryCheck(
      config({ GIT_REMOTE_BASE: "git@github.com:acme", GITHUB_TOKEN: "ghp_secret", PUSH_ON: "any" }),
    );
    expect(good).toEqual({
      level: "ok",
      name: "delivery",
      detail:
        "all finished runs are pushed to git@github.com:acme/<repo>, with a draft pull request on acme/<repo> (GITHUB_TOKEN set)",
    });
    expect(JSON.stringify(good)).not.toContain("ghp_secret");
  });

  it("scrubs the token's value, its base64 header form, URL credentials and GitHub token shapes", () => {
    const token = "s3cr3t-value-123";
    const header = Buffer.from(`x-access-token:${token}`).toString("base64");
    const text = `failed ${token} header basic ${header} url https://user:${token}@github.com/a/b and ghp_abcdefghijklmnopqrstuvwxyz0123`;
    const clean = scrubToken(text, token);
    expect(clean).not.toContain(token);
    expect(clean).not.toContain(header);
    expect(clean).not.toContain("ghp_abcdef");
    expect(scrubSecrets("github_pat_11ABCDEFG0123456789_abcdefghijklmnop")).toBe("[redacted]");
  });
});
