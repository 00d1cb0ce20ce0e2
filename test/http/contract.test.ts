// The seed's HTTP contract, one row per endpoint and error path: status code and JSON keys as the
// echo-core dashboard handler answered them, over a real runtime and store in a temp folder.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { startHarness, stopHarnesses, type CallOptions, type Harness } from "./harness.ts";
import { openStream } from "./sse-client.ts";

afterEach(stopHarnesses);

/** alpha: pending · beta: approved · gamma: planning (no session) · store version 5. */
async function seeded(): Promise<Harness> {
  const harness = await startHarness();
  await harness.writeStore(
    [
      { name: "alpha", status: "pending" },
      { name: "beta", status: "approved" },
      { name: "gamma", status: "planning" },
    ],
    5,
  );
  return harness;
}

interface Row {
  name: string;
  method: string;
  path: string;
  options?: CallOptions;
  status: number;
  /** Keys and values the JSON body must contain. */
  body?: Record<string, unknown>;
  /** Keys that must be present, whatever their value. */
  keys?: string[];
}

const json = (body: unknown) => ({ body });
const big = "x".repeat(70 * 1024);

const ROWS: Row[] = [
  {
    name: "list",
    method: "GET",
    path: "/api/projects",
    status: 200,
    body: { count: 3, version: 5 },
    keys: ["projects", "fetchedAt"],
  },
  {
    name: "signature",
    method: "GET",
    path: "/api/projects/signature",
    status: 200,
    body: { version: 5 },
    keys: ["signature", "fetchedAt"],
  },
  {
    name: "propose",
    method: "POST",
    path: "/api/projects/propose",
    options: json({
      slug: "Delta",
      description: "A fourth project.",
      repo: "team/delta",
      branch: "feature/x",
      base_branch: "main",
    }),
    status: 201,
    body: { slug: "delta", status: "pending" },
  },
  {
    name: "propose: invalid slug and empty description",
    method: "POST",
    path: "/api/projects/propose",
    options: json({ slug: "bad slug!", description: " " }),
    status: 400,
    body: { error: "validation_failed" },
    keys: ["fields"],
  },
  {
    name: "propose: duplicate",
    method: "POST",
    path: "/api/projects/propose",
    options: json({ slug: "ALPHA", description: "Again." }),
    status: 409,
    body: { error: "duplicate_slug", slug: "alpha", status: "pending" },
  },
  {
    name: "propose: slug of the wrong type",
    method: "POST",
    path: "/api/projects/propose",
    options: json({ slug: 42, description: "Numbers." }),
    status: 400,
    body: { error: "validation_failed", fields: { slug: "slug must be a string" } },
  },
  {
    name: "propose: bad branch",
    method: "POST",
    path: "/api/projects/propose",
    options: json({ slug: "echo", description: "Branchy.", branch: "-rf" }),
    status: 400,
    body: { error: "validation_failed" },
    keys: ["fields"],
  },
  {
    name: "approve",
    method: "POST",
    path: "/api/projects/approve",
    options: json({ slug: "alpha" }),
    status: 200,
    body: { ok: true, slug: "alpha", status: "approved" },
  },
  {
    name: "approve: If-Match current",
    method: "POST",
    path: "/api/projects/approve",
    options: { body: { slug: "alpha" }, headers: { "If-Match": "5" } },
    status: 200,
    body: { ok: true, status: "approved", version: 6 },
  },
  {
    name: "approve: If-Match stale",
    method: "POST",
    path: "/api/projects/approve",
    options: { body: { slug: "alpha" }, headers: { "If-Match": '"3"' } },
    status: 409,
    body: { error: "stale", current_version: 5 },
  },
  {
    name: "approve: If-Match garbage",
    method: "POST",
    path: "/api/projects/approve",
    options: { body: { slug: "alpha" }, headers: { "If-Match": "yesterday" } },
    status: 400,
    body: { error: "invalid_if_match" },
  },
  {
    name: "approve: unknown slug",
    method: "POST",
    path: "/api/projects/approve",
    options: json({ slug: "nobody" }),
    status: 404,
    body: { error: "not_found", slug: "nobody" },
  },
  {
    name: "approve: invalid slug",
    method: "POST",
    path: "/api/projects/approve",
    options: json({ slug: "../etc" }),
    status: 400,
    body: { error: "invalid_slug" },
  },
  {
    name: "approve: missing slug",
    method: "POST",
    path: "/api/projects/approve",
    options: json({}),
    status: 400,
    body: { error: "invalid_slug" },
  },
  {
    name: "approve: slug of the wrong type",
    method: "POST",
    path: "/api/projects/approve",
    options: json({ slug: ["alpha"] }),
    status: 400,
    body: { error: "invalid_slug" },
  },
  {
    name: "unapprove",
    method: "POST",
    path: "/api/projects/unapprove",
    options: json({ slug: "beta" }),
    status: 200,
    body: { ok: true, slug: "beta", status: "pending" },
  },
  {
    name: "unapprove: stale",
    method: "POST",
    path: "/api/projects/unapprove",
    options: { body: { slug: "beta" }, headers: { "If-Match": "4" } },
    status: 409,
    body: { error: "stale", current_version: 5 },
  },
  {
    name: "cancel",
    method: "POST",
    path: "/api/projects/cancel",
    options: json({ slug: "alpha" }),
    status: 200,
    body: { ok: true, slug: "alpha", status: "cancelled" },
  },
  {
    name: "cancel: unknown",
    method: "POST",
    path: "/api/projects/cancel",
    options: json({ slug: "nobody" }),
    status: 404,
    body: { error: "not_found" },
  },
  {
    name: "malformed JSON",
    method: "POST",
    path: "/api/projects/propose",
    options: { body: '{"slug": "x",', headers: { "Content-Type": "application/json" } },
    status: 400,
    body: { error: "invalid_json" },
  },
  {
    name: "JSON that is not an object",
    method: "POST",
    path: "/api/projects/approve",
    options: { body: '["alpha"]', headers: { "Content-Type": "application/json" } },
    status: 400,
    body: { error: "invalid_json" },
  },
  {
    name: "body too large",
    method: "POST",
    path: "/api/projects/propose",
    options: json({ slug: "big", description: big }),
    status: 413,
    body: { error: "payload_too_large" },
  },
  {
    name: "wrong content type",
    method: "POST",
    path: "/api/projects/approve",
    options: { body: "slug=alpha", headers: { "Content-Type": "application/x-www-form-urlencoded" } },
    status: 415,
    body: { error: "unsupported_media_type" },
  },
  { name: "unknown route", method: "GET", path: "/api/nothing", status: 404, body: { error: "not_found" } },
  { name: "wrong method", method: "DELETE", path: "/api/projects", status: 405, body: { error: "method_not_allowed" } },
  {
    name: "GET on a POST route",
    method: "GET",
    path: "/api/projects/approve",
    status: 405,
    body: { error: "method_not_allowed" },
  },
  {
    name: "plan/state without a session",
    method: "GET",
    path: "/api/projects/alpha/plan/state",
    status: 200,
    body: { slug: "alpha", status: "expired", phase: null, pending_response: false },
  },
  {
    name: "plan/state: invalid slug",
    method: "GET",
    path: "/api/projects/Bad%20Slug/plan/state",
    status: 400,
    body: { error: "invalid_slug" },
  },
  {
    name: "plan/transcript without a session",
    method: "GET",
    path: "/api/projects/alpha/plan/transcript",
    status: 200,
    body: {
      slug: "alpha",
      phase: null,
      phases_completed: [],
      last_text_excerpt: "",
      final_plan_path: null,
      final_plan: "",
      history: [],
    },
  },
  {
    name: "plan/transcript: invalid slug",
    method: "GET",
    path: "/api/projects/-x/plan/transcript",
    status: 400,
    body: { error: "invalid_slug" },
  },
  {
    name: "plan/start: approval guard",
    method: "POST",
    path: "/api/projects/beta/plan/start",
    options: json({}),
    status: 409,
    body: { error: "already_committed", slug: "beta", status: "approved" },
    keys: ["message"],
  },
  {
    name: "plan/start: force of the wrong type",
    method: "POST",
    path: "/api/projects/beta/plan/start",
    options: json({ force: "yes" }),
    status: 400,
    body: { error: "validation_failed" },
  },
  {
    name: "plan/start: new slug without description",
    method: "POST",
    path: "/api/projects/zeta/plan/start",
    options: json({}),
    status: 400,
    body: { error: "invalid_description" },
  },
  {
    name: "plan/start: invalid slug",
    method: "POST",
    path: "/api/projects/a_b/plan/start",
    options: json({ description: "x" }),
    status: 400,
    body: { error: "invalid_slug" },
  },
  {
    name: "plan/respond: no session",
    method: "POST",
    path: "/api/projects/alpha/plan/respond",
    options: json({ message: "hello" }),
    status: 404,
    body: { error: "no_active_session" },
    keys: ["message"],
  },
  {
    name: "plan/respond: empty message",
    method: "POST",
    path: "/api/projects/alpha/plan/respond",
    options: json({ message: "  " }),
    status: 400,
    body: { error: "message required" },
  },
  {
    name: "plan/respond: message of the wrong type",
    method: "POST",
    path: "/api/projects/alpha/plan/respond",
    options: json({ message: 7 }),
    status: 400,
    body: { error: "message required" },
  },
  {
    name: "plan/advance: no session",
    method: "POST",
    path: "/api/projects/alpha/plan/advance",
    status: 404,
    body: { error: "no_active_session" },
  },
  {
    name: "plan/finalize: no session",
    method: "POST",
    path: "/api/projects/alpha/plan/finalize",
    status: 404,
    body: { error: "no_active_session" },
  },
  {
    name: "plan/cancel: planning project, no session",
    method: "POST",
    path: "/api/projects/gamma/plan/cancel",
    status: 200,
    body: { ok: true, slug: "gamma", cleared: false, status: "pending" },
  },
  {
    name: "plan/cancel: unknown",
    method: "POST",
    path: "/api/projects/nobody/plan/cancel",
    status: 404,
    body: { error: "not_found" },
  },
];

describe("the seed's endpoints and error paths", () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await seeded();
  });

  it.each(ROWS)("$name → $status", async (row) => {
    const result = await harness.call(row.method, row.path, row.options);
    expect(result.status, result.text).toBe(row.status);
    expect(result.headers["content-type"]).toMatch(/^application\/json/);
    if (row.body) expect(result.json).toMatchObject(row.body);
    for (const key of row.keys ?? []) expect(result.json).toHaveProperty(key);
  });
});

describe("side effects the rows imply", () => {
  it("a list row has the seed's record keys, and writes show up in it", async () => {
    const harness = await seeded();
    expect((await harness.call("POST", "/api/projects/approve", json({ slug: "alpha" }))).status).toBe(200);
    const list = await harness.call("GET", "/api/projects");
    const alpha = (list.json.projects as Array<Record<string, unknown>>).find((project) => project.slug === "alpha")!;
    for (const key of [
      "slug",
      "status",
      "name",
      "description",
      "proposed_at",
      "approved_at",
      "started_at",
      "pid",
      "stories_total",
      "stories_done",
      "eta_seconds",
      "last_message_preview",
      "error_reason",
      "has_workspace",
      "has_prd",
    ]) {
      expect(alpha).toHaveProperty(key);
    }
    expect(alpha.status).toBe("approved");
    expect(list.json.version).toBe(6);
  });

  it("propose: every invalid field is named", async () => {
    const harness = await seeded();
    const result = await harness.call(
      "POST",
      "/api/projects/propose",
      json({ slug: "bad slug!", description: "", repo: "../x", base_branch: "a..b" }),
    );
    expect(Object.keys(result.json.fields as object).sort()).toEqual(["base_branch", "description", "repo", "slug"]);
  });

  it("a corrupt store is a 500 naming the file, never an empty list", async () => {
    const harness = await seeded();
    const file = join(harness.dir, TASKS_FILE_NAME);
    await writeFile(file, "{ not json");
    for (const [method, path, options] of [
      ["GET", "/api/projects", undefined],
      ["GET", "/api/projects/signature", undefined],
      ["POST", "/api/projects/propose", json({ slug: "omega", description: "Last." })],
      ["POST", "/api/projects/approve", json({ slug: "alpha" })],
    ] as const) {
      const result = await harness.call(method, path, options);
      expect(result.status, `${method} ${path}`).toBe(500);
      expect(result.json).toMatchObject({ error: "store_corrupt", file });
      expect(result.json).not.toHaveProperty("projects");
    }
    // The stream says so too (and ends, so EventSource retries until the file is fixed).
    const stream = await openStream(harness.dashboard.port);
    const frame = await stream.waitFor((data) => data.type === "error");
    stream.close();
    expect(frame.data).toMatchObject({ error: "store_corrupt", file });
    expect(stream.frames.some((received) => "projects" in received.data)).toBe(false);
  });

  it("an oversized upload without Content-Length is cut off with 413 and the server keeps serving", async () => {
    const harness = await seeded();
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: harness.dashboard.port,
          method: "POST",
          path: "/api/projects/propose",
          headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.write(`{"slug":"huge","description":"${"y".repeat(40 * 1024)}`);
      req.write("z".repeat(40 * 1024));
    });
    expect(status).toBe(413);
    expect((await harness.call("GET", "/api/projects")).status).toBe(200);
  });
});
