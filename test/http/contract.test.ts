// The seed's HTTP contract, one row per endpoint and error path: status code and JSON keys as the
// echo-core dashboard handler answered them, over a real runtime and store in a temp folder.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TASKS_FILE_NAME } from "../../src/projects/project-store.ts";
import { SEED_RECORD_KEYS } from "../helpers/seed-record-keys.ts";
import { startHarness, stopHarnesses, type CallOptions, type Harness } from "./harness.ts";
import { openStream } from "./sse-client.ts";

afterEach(stopHarnesses);

/** alpha: pending · beta: approved · gamma: planning (no session) · store version 5. */
async function seeded(): Promise<Harness> {
  const harness = await startHarness();
  await harness.writeStore(
    [
      { name: "alpha", status: "pending" },
      { name: "beta", status: "approved", extra: { final_plan_path: "/plans/beta/final-plan.md" } },
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

/** One row: its name, the request (method, path, options), the status, and what the JSON body must hold. */
function row(
  name: string,
  [method, path, options]: [method: string, path: string, options?: CallOptions],
  status: number,
  body?: Record<string, unknown>,
  keys?: string[],
): Row {
  return {
    name,
    method,
    path,
    ...(options ? { options } : {}),
    status,
    ...(body ? { body } : {}),
    ...(keys ? { keys } : {}),
  };
}

const big = "x".repeat(70 * 1024);

const ROWS: Row[] = [
  row("list", ["GET", "/api/projects"], 200, { count: 3, version: 5 }, ["projects", "fetchedAt"]),
  row("signature", ["GET", "/api/projects/signature"], 200, { version: 5 }, ["signature", "fetchedAt"]),
  row(
    "propose",
    [
      "POST",
      "/api/projects/propose",
      json({
        slug: "Delta",
        description: "A fourth project.",
        repo: "team/delta",
        branch: "feature/x",
        base_branch: "main",
      }),
    ],
    201,
    { slug: "delta", status: "pending" },
  ),
  row(
    "propose: invalid slug and empty description",
    ["POST", "/api/projects/propose", json({ slug: "bad slug!", description: " " })],
    400,
    { error: "validation_failed" },
    ["fields"],
  ),
  row("propose: duplicate", ["POST", "/api/projects/propose", json({ slug: "ALPHA", description: "Again." })], 409, {
    error: "duplicate_slug",
    slug: "alpha",
    status: "pending",
  }),
  row(
    "propose: slug of the wrong type",
    ["POST", "/api/projects/propose", json({ slug: 42, description: "Numbers." })],
    400,
    { error: "validation_failed", fields: { slug: "slug must be a string" } },
  ),
  row(
    "propose: bad branch",
    ["POST", "/api/projects/propose", json({ slug: "echo", description: "Branchy.", branch: "-rf" })],
    400,
    { error: "validation_failed" },
    ["fields"],
  ),
  row("approve", ["POST", "/api/projects/approve", json({ slug: "alpha" })], 200, {
    ok: true,
    slug: "alpha",
    status: "approved",
  }),
  row(
    "approve: If-Match current",
    ["POST", "/api/projects/approve", { body: { slug: "alpha" }, headers: { "If-Match": "5" } }],
    200,
    { ok: true, status: "approved", version: 6 },
  ),
  row(
    "approve: If-Match stale",
    ["POST", "/api/projects/approve", { body: { slug: "alpha" }, headers: { "If-Match": '"3"' } }],
    409,
    { error: "stale", current_version: 5 },
  ),
  row(
    "approve: If-Match garbage",
    ["POST", "/api/projects/approve", { body: { slug: "alpha" }, headers: { "If-Match": "yesterday" } }],
    400,
    { error: "invalid_if_match" },
  ),
  row("approve: unknown slug", ["POST", "/api/projects/approve", json({ slug: "nobody" })], 404, {
    error: "not_found",
    slug: "nobody",
  }),
  row("approve: invalid slug", ["POST", "/api/projects/approve", json({ slug: "../etc" })], 400, {
    error: "invalid_slug",
  }),
  row("approve: missing slug", ["POST", "/api/projects/approve", json({})], 400, { error: "invalid_slug" }),
  row("approve: slug of the wrong type", ["POST", "/api/projects/approve", json({ slug: ["alpha"] })], 400, {
    error: "invalid_slug",
  }),
  row("unapprove", ["POST", "/api/projects/unapprove", json({ slug: "beta" })], 200, {
    ok: true,
    slug: "beta",
    status: "pending",
  }),
  row(
    "unapprove: stale",
    ["POST", "/api/projects/unapprove", { body: { slug: "beta" }, headers: { "If-Match": "4" } }],
    409,
    { error: "stale", current_version: 5 },
  ),
  row("cancel", ["POST", "/api/projects/cancel", json({ slug: "alpha" })], 200, {
    ok: true,
    slug: "alpha",
    status: "cancelled",
  }),
  row("cancel: unknown", ["POST", "/api/projects/cancel", json({ slug: "nobody" })], 404, { error: "not_found" }),
  row(
    "malformed JSON",
    ["POST", "/api/projects/propose", { body: '{"slug": "x",', headers: { "Content-Type": "application/json" } }],
    400,
    { error: "invalid_json" },
  ),
  row(
    "JSON that is not an object",
    ["POST", "/api/projects/approve", { body: '["alpha"]', headers: { "Content-Type": "application/json" } }],
    400,
    { error: "invalid_json" },
  ),
  row("body too large", ["POST", "/api/projects/propose", json({ slug: "big", description: big })], 413, {
    error: "payload_too_large",
  }),
  row(
    "wrong content type",
    [
      "POST",
      "/api/projects/approve",
      { body: "slug=alpha", headers: { "Content-Type": "application/x-www-form-urlencoded" } },
    ],
    415,
    { error: "unsupported_media_type" },
  ),
  row("unknown route", ["GET", "/api/nothing"], 404, { error: "not_found" }),
  row("wrong method", ["DELETE", "/api/projects"], 405, { error: "method_not_allowed" }),
  row("GET on a POST route", ["GET", "/api/projects/approve"], 405, { error: "method_not_allowed" }),
  row("plan/state without a session", ["GET", "/api/projects/alpha/plan/state"], 200, {
    slug: "alpha",
    status: "expired",
    phase: null,
    pending_response: false,
  }),
  row("plan/state: invalid slug", ["GET", "/api/projects/Bad%20Slug/plan/state"], 400, { error: "invalid_slug" }),
  row("plan/transcript without a session", ["GET", "/api/projects/alpha/plan/transcript"], 200, {
    slug: "alpha",
    phase: null,
    phases_completed: [],
    last_text_excerpt: "",
    final_plan_path: null,
    final_plan: "",
    history: [],
  }),
  row("plan/transcript: invalid slug", ["GET", "/api/projects/-x/plan/transcript"], 400, { error: "invalid_slug" }),
  row(
    "plan/start: approval guard",
    ["POST", "/api/projects/beta/plan/start", json({})],
    409,
    { error: "already_committed", slug: "beta", status: "approved" },
    ["message"],
  ),
  row("plan/start: force of the wrong type", ["POST", "/api/projects/beta/plan/start", json({ force: "yes" })], 400, {
    error: "validation_failed",
  }),
  row("plan/start: new slug without description", ["POST", "/api/projects/zeta/plan/start", json({})], 400, {
    error: "invalid_description",
  }),
  row("plan/start: invalid slug", ["POST", "/api/projects/a_b/plan/start", json({ description: "x" })], 400, {
    error: "invalid_slug",
  }),
  row(
    "plan/respond: no session",
    ["POST", "/api/projects/alpha/plan/respond", json({ message: "hello" })],
    404,
    { error: "no_active_session" },
    ["message"],
  ),
  row("plan/respond: empty message", ["POST", "/api/projects/alpha/plan/respond", json({ message: "  " })], 400, {
    error: "message required",
  }),
  row(
    "plan/respond: message of the wrong type",
    ["POST", "/api/projects/alpha/plan/respond", json({ message: 7 })],
    400,
    { error: "message required" },
  ),
  row("plan/advance: no session", ["POST", "/api/projects/alpha/plan/advance"], 404, { error: "no_active_session" }),
  row("plan/finalize: no session", ["POST", "/api/projects/alpha/plan/finalize"], 404, { error: "no_active_session" }),
  row("plan/cancel: planning project, no session", ["POST", "/api/projects/gamma/plan/cancel"], 200, {
    ok: true,
    slug: "gamma",
    cleared: false,
    status: "pending",
  }),
  row("plan/cancel: unknown", ["POST", "/api/projects/nobody/plan/cancel"], 404, { error: "not_found" }),
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
  let harness: Harness;
  beforeEach(async () => {
    harness = await seeded();
  });

  it("a list row has the seed's record keys, and writes show up in it", async () => {
    expect((await harness.call("POST", "/api/projects/approve", json({ slug: "alpha" }))).status).toBe(200);
    const list = await harness.call("GET", "/api/projects");
    const alpha = (list.json.projects as Array<Record<string, unknown>>).find((project) => project.slug === "alpha")!;
    for (const key of SEED_RECORD_KEYS) expect(alpha).toHaveProperty(key);
    expect(alpha.status).toBe("approved");
    expect(list.json.version).toBe(6);
  });

  it("propose: every invalid field is named", async () => {
    const result = await harness.call(
      "POST",
      "/api/projects/propose",
      json({ slug: "bad slug!", description: "", repo: "../x", base_branch: "a..b" }),
    );
    expect(Object.keys(result.json.fields as object).sort()).toEqual(["base_branch", "description", "repo", "slug"]);
  });

  it("a corrupt store is a 500 naming the file, never an empty list, and says in a member's words what to do", async () => {
    const file = join(harness.dir, TASKS_FILE_NAME);
    const good = await readFile(file, "utf8");
    await writeFile(file, "{ not json");
    // The version a crashed writer kept: the operator's way back, which the CLI and the log name.
    await writeFile(join(harness.dir, `.${TASKS_FILE_NAME}.4242.abc123.old`), good);
    expect((await harness.runtime.core.store.read()) as object).toMatchObject({
      details: { copy: expect.any(String) },
    });
    for (const [method, path, options] of [
      ["GET", "/api/projects", undefined],
      ["GET", "/api/projects/signature", undefined],
      ["POST", "/api/projects/propose", json({ slug: "omega", description: "Last." })],
      ["POST", "/api/projects/approve", json({ slug: "alpha" })],
    ] as const) {
      const result = await harness.call(method, path, options);
      expect(result.status, `${method} ${path}`).toBe(500);
      expect(result.json).toMatchObject({
        error: "store_corrupt",
        file: TASKS_FILE_NAME,
        operator: "store_unreadable",
      });
      expect(result.json.message).toContain("`approved-tasks.json`: it is damaged");
      expect(result.json.message).toContain("Please tell planbot's admin");
      expect(result.json).not.toHaveProperty("projects");
      expect(result.json).not.toHaveProperty("copy");
      expect(JSON.stringify(result.json)).not.toContain(harness.dir);
    }
    // The stream says so too, and stays open: the list follows on it once the file is fixed.
    const stream = await openStream(harness.dashboard.port);
    const frame = await stream.waitFor((data) => data.type === "error");
    stream.close();
    expect(frame.data).toMatchObject({ error: "store_corrupt", file: TASKS_FILE_NAME, stays_open: true });
    expect(frame.data.message).toContain(
      "planbot cannot read its list of projects (approved-tasks.json): the file is damaged.",
    );
    expect(frame.data.message).toContain("Please tell planbot's admin");
    expect(JSON.stringify(frame.data)).not.toContain(harness.dir);
    expect(stream.frames.some((received) => "projects" in received.data)).toBe(false);
  });

  it("a store planbot cannot open is the operator's to fix too: the answers and the stream say so plainly", async () => {
    const file = join(harness.dir, TASKS_FILE_NAME);
    // A folder where the file belongs: opened, but not readable as a file (EISDIR), whoever runs the test.
    await rm(file);
    await mkdir(file);
    const read = await harness.runtime.core.store.read();
    expect(read).toMatchObject({ ok: false, code: "store_io", details: { path: file, errno: "EISDIR" } });
    for (const [method, path, options] of [
      ["GET", "/api/projects", undefined],
      ["POST", "/api/projects/approve", json({ slug: "alpha" })],
    ] as const) {
      const result = await harness.call(method, path, options);
      expect(result.status, `${method} ${path}`).toBe(500);
      expect(result.json).toMatchObject({ error: "store_io", file: TASKS_FILE_NAME, operator: "store_unreadable" });
      expect(result.json.message).toBe(
        "planbot cannot open its file `approved-tasks.json` on the server. Nothing was changed. Please tell planbot's admin: it can only be fixed on the server planbot runs on.",
      );
    }
    const stream = await openStream(harness.dashboard.port);
    const frame = await stream.waitFor((data) => data.type === "error");
    stream.close();
    expect(frame.data).toMatchObject({ error: "store_io", file: TASKS_FILE_NAME, stays_open: true });
    expect(frame.data.message).toContain(
      "planbot cannot open its list of projects (approved-tasks.json) on the server.",
    );
    expect(JSON.stringify(frame.data)).not.toContain(harness.dir);
  });

  it("an oversized upload without Content-Length is cut off with 413 and the server keeps serving", async () => {
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
