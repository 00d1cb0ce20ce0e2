/**
 * A fake GitHub REST API (the pull-request routes planbot uses) on 127.0.0.1, recording every request.
 *
 * Fidelity — what it reproduces of the real api.github.com, because planbot's behaviour depends on it:
 * - auth: `Authorization: token <t>` or `Bearer <t>`; a wrong or missing token is 401 {"message":"Bad credentials"};
 * - GET /repos/{owner}/{repo}/pulls filters by `state` (default open), `head` (`owner:branch`) and `base`;
 * - POST /repos/{owner}/{repo}/pulls answers 201 with the pull request, 422 "Validation Failed" when the
 *   head branch does not exist in the repository, with `field: "base"` when the base does not, and with
 *   "No commits between <base> and <head>" when the head has no commit the base lacks (all checked in a
 *   real bare git repository when one is attached), and 422 with "A pull request already exists for owner:branch." when an open one has the
 *   same head and base — exactly the error objects GitHub sends;
 * - PATCH /repos/{owner}/{repo}/pulls/{number} updates title and body (draft state cannot change there);
 * - an unknown repository is 404 {"message":"Not Found"}; a repository without drafts (private, free plan)
 *   answers a draft with 422 "Draft pull requests are not supported in this repository.".
 * Faults for tests: answer the next N matching requests with a status (5xx, 401…), or hide existing pull
 * requests from the next list (a race with another writer, or GitHub's search lagging).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { execa } from "execa";

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
  status: number;
}

/** A pull request as the fake stores it. */
export interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
  state: "open" | "closed";
}

/** A canned answer for the next matching requests. */
export interface Fault {
  status: number;
  times: number;
  method?: string;
  message?: string;
}

export interface FakeGithub {
  url: string;
  requests: RecordedRequest[];
  pulls(owner: string, repo: string): FakePull[];
  /** Registers `owner/repo`; with `bareRepo`, POST checks head and base exist there and head is ahead (real git). */
  addRepo(owner: string, repo: string, bareRepo?: string, options?: { draftsUnsupported?: boolean }): void;
  fault(fault: Fault): void;
  /** The next `times` list calls return no pull requests. */
  hideFromList(times: number): void;
  close(): Promise<void>;
}

/** Starts the fake on 127.0.0.1, port 0, accepting `token`. */
export async function startFakeGithub(token: string): Promise<FakeGithub> {
  const repos = new Map<
    string,
    { pulls: FakePull[]; bareRepo: string | undefined; next: number; draftsUnsupported: boolean }
  >();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  let hidden = 0;
  let base = "";

  const pullJson = (owner: string, repo: string, pull: FakePull) => ({
    url: `${base}/repos/${owner}/${repo}/pulls/${pull.number}`,
    html_url: `https://github.test/${owner}/${repo}/pull/${pull.number}`,
    id: 1000 + pull.number,
    number: pull.number,
    state: pull.state,
    draft: pull.draft,
    title: pull.title,
    body: pull.body,
    head: { ref: pull.head, label: `${owner}:${pull.head}`, repo: { name: repo, owner: { login: owner } } },
    base: { ref: pull.base, label: `${owner}:${pull.base}`, repo: { name: repo, owner: { login: owner } } },
  });

  async function handle(request: IncomingMessage, body: unknown): Promise<{ status: number; json: unknown }> {
    const url = new URL(request.url ?? "/", "http://fake");
    const method = request.method ?? "GET";
    const fault = faults.find((candidate) => candidate.times > 0 && (!candidate.method || candidate.method === method));
    if (fault) {
      fault.times -= 1;
      return {
        status: fault.status,
        json: {
          message: fault.message ?? (fault.status >= 500 ? "Server Error" : "Error"),
          documentation_url: "https://docs.github.com/rest",
        },
      };
    }
    const auth = request.headers.authorization ?? "";
    if (auth !== `token ${token}` && auth !== `Bearer ${token}`)
      return {
        status: 401,
        json: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" },
      };
    const match = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(url.pathname);
    const state = match ? repos.get(`${match[1]}/${match[2]}`.toLowerCase()) : undefined;
    if (!match || !state)
      return { status: 404, json: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
    const [, owner, repo, number] = match as unknown as [string, string, string, string | undefined];
    if (method === "GET" && !number) {
      if (hidden > 0) {
        hidden -= 1;
        return { status: 200, json: [] };
      }
      const wanted = url.searchParams.get("state") ?? "open";
      const head = url.searchParams.get("head");
      const baseRef = url.searchParams.get("base");
      const listed = state.pulls.filter(
        (pull) =>
          (wanted === "all" || pull.state === wanted) &&
          (!head || `${owner}:${pull.head}` === head) &&
          (!baseRef || pull.base === baseRef),
      );
      return { status: 200, json: listed.map((pull) => pullJson(owner, repo, pull)) };
    }
    if (method === "POST" && !number) {
      const input = body as { title?: string; head?: string; base?: string; body?: string; draft?: boolean };
      if (!input.title || !input.head || !input.base)
        return validationFailed([
          {
            resource: "PullRequest",
            code: "missing_field",
            field: !input.title ? "title" : !input.head ? "head" : "base",
          },
        ]);
      if (state.bareRepo && !(await hasBranch(state.bareRepo, input.head)))
        return validationFailed([{ resource: "PullRequest", field: "head", code: "invalid" }]);
      if (state.bareRepo && !(await hasBranch(state.bareRepo, input.base)))
        return validationFailed([{ resource: "PullRequest", field: "base", code: "invalid" }]);
      if (state.bareRepo && (await commitsAhead(state.bareRepo, input.base, input.head)) === 0)
        return validationFailed([
          { resource: "PullRequest", code: "custom", message: `No commits between ${input.base} and ${input.head}` },
        ]);
      if (input.draft === true && state.draftsUnsupported)
        return validationFailed([
          {
            resource: "PullRequest",
            code: "custom",
            message: "Draft pull requests are not supported in this repository.",
          },
        ]);
      if (state.pulls.some((pull) => pull.state === "open" && pull.head === input.head && pull.base === input.base)) {
        return validationFailed([
          {
            resource: "PullRequest",
            code: "custom",
            message: `A pull request already exists for ${owner}:${input.head}.`,
          },
        ]);
      }
      const pull: FakePull = {
        number: state.next++,
        title: input.title,
        body: input.body ?? "",
        head: input.head,
        base: input.base,
        draft: input.draft === true,
        state: "open",
      };
      state.pulls.push(pull);
      return { status: 201, json: pullJson(owner, repo, pull) };
    }
    if (method === "PATCH" && number) {
      const pull = state.pulls.find((candidate) => candidate.number === Number(number));
      if (!pull) return { status: 404, json: { message: "Not Found" } };
      const input = body as { title?: string; body?: string; state?: "open" | "closed" };
      if (input.title !== undefined) pull.title = input.title;
      if (input.body !== undefined) pull.body = input.body;
      if (input.state) pull.state = input.state;
      return { status: 200, json: pullJson(owner, repo, pull) };
    }
    return { status: 404, json: { message: "Not Found" } };
  }

  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      void handle(request, body).then(({ status, json }) => {
        const url = new URL(request.url ?? "/", "http://fake");
        requests.push({
          method: request.method ?? "GET",
          path: url.pathname,
          query: Object.fromEntries(url.searchParams),
          authorization: request.headers.authorization,
          body,
          status,
        });
        response.writeHead(status, {
          "content-type": "application/json; charset=utf-8",
          "x-ratelimit-remaining": "4999",
          "x-ratelimit-limit": "5000",
        });
        response.end(JSON.stringify(json));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    requests,
    pulls: (owner, repo) => repos.get(`${owner}/${repo}`.toLowerCase())?.pulls ?? [],
    addRepo(owner, repo, bareRepo, options = {}) {
      repos.set(`${owner}/${repo}`.toLowerCase(), {
        pulls: [],
        bareRepo,
        next: 1,
        draftsUnsupported: options.draftsUnsupported === true,
      });
    },
    fault(fault) {
      faults.push({ ...fault });
    },
    hideFromList(times) {
      hidden = times;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function validationFailed(errors: object[]): { status: number; json: unknown } {
  return {
    status: 422,
    json: {
      message: "Validation Failed",
      errors,
      documentation_url: "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
      status: "422",
    },
  };
}

async function hasBranch(bareRepo: string, branch: string): Promise<boolean> {
  const result = await execa("git", ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`], {
    cwd: bareRepo,
    reject: false,
    stdin: "ignore",
  });
  return result.exitCode === 0;
}

/** How many commits `head` has that `base` lacks, by git in the bare repository. */
async function commitsAhead(bareRepo: string, base: string, head: string): Promise<number> {
  const result = await execa("git", ["rev-list", "--count", `refs/heads/${base}..refs/heads/${head}`], {
    cwd: bareRepo,
    reject: false,
    stdin: "ignore",
  });
  return Number.parseInt(String(result.stdout).trim(), 10);
}
