import { cliHint } from "./failure-hint.ts";
import { parseArgs } from "node:util";
import type { CoreServices } from "../projects/core-services.ts";
import type { ProjectRecord } from "../projects/project-list.ts";
import type { Failure } from "../projects/result.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";

export const PROJECTS_USAGE = `usage: planbot projects list [--json]
       planbot projects show <slug> [--json]
       planbot projects propose <slug> <description…> [--repo R] [--branch B] [--base M] [--json]
       planbot projects approve|unapprove|cancel <slug> [--if-match N] [--json]`;

/** `planbot projects …`: acts on the store directly, for scripts and people at a shell. */
export async function runProjectsCommand(argv: string[], services: CoreServices, io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: "boolean" },
        repo: { type: "string" },
        branch: { type: "string" },
        base: { type: "string" },
        "if-match": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${PROJECTS_USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [action, slug, ...rest] = positionals;
  if (values.help || !action) {
    (values.help ? io.out : io.err)(PROJECTS_USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const json = Boolean(values.json);
  const failed = (failure: Failure) => {
    if (json)
      io.out(
        JSON.stringify({
          error: failure.code,
          message: failure.message,
          ...(failure.fields ? { fields: failure.fields } : {}),
          ...(failure.currentVersion !== undefined ? { current_version: failure.currentVersion } : {}),
        }),
      );
    io.err(`error: ${failure.message}${cliHint(failure)}`);
    return exitCodeFor(failure.code);
  };
  let expectedVersion: number | undefined;
  if (values["if-match"] !== undefined) {
    if (!/^\d+$/.test(values["if-match"])) {
      io.err(
        `--if-match takes the version number you last saw, e.g. --if-match 12 (got "${values["if-match"]}")\n${PROJECTS_USAGE}`,
      );
      return EXIT.usage;
    }
    expectedVersion = Number(values["if-match"]);
  }

  switch (action) {
    case "list": {
      const result = await services.lister.list();
      if (!result.ok) return failed(result);
      if (json) io.out(JSON.stringify(result.list, null, 2));
      else io.out(formatTable(result.list.projects, result.list.version));
      return EXIT.ok;
    }
    case "show": {
      if (!slug) return usage(io, "show needs a slug");
      const result = await services.lister.get(slug);
      if (!result.ok) return failed(result);
      if (!result.record) return failed({ ok: false, code: "not_found", message: `No project named "${slug}".` });
      io.out(json ? JSON.stringify(result.record, null, 2) : formatRecord(result.record));
      return EXIT.ok;
    }
    case "propose": {
      if (!slug || rest.length === 0) return usage(io, "propose needs a slug and a description");
      const result = await services.lifecycle.propose({
        slug,
        description: rest.join(" "),
        repo: values.repo,
        branch: values.branch,
        base: values.base,
      });
      if (!result.ok) return failed(result);
      io.out(
        json
          ? JSON.stringify({ ...result.entry, version: result.version }, null, 2)
          : `proposed ${result.entry.name} (pending, version ${result.version})`,
      );
      return EXIT.ok;
    }
    case "approve":
    case "unapprove":
    case "cancel": {
      if (!slug) return usage(io, `${action} needs a slug`);
      if (rest.length > 0) return usage(io, `${action} takes one slug; unexpected "${rest.join(" ")}"`);
      const result = await services.lifecycle[action](slug, expectedVersion === undefined ? {} : { expectedVersion });
      if (!result.ok) return failed(result);
      io.out(
        json
          ? JSON.stringify({ ...result.entry, version: result.version }, null, 2)
          : `${result.entry.name}: ${result.entry.status} (version ${result.version})`,
      );
      return EXIT.ok;
    }
    default:
      return usage(io, `unknown action "${action}"`);
  }
}

function usage(io: CliIo, problem: string): number {
  io.err(`${problem}\n${PROJECTS_USAGE}`);
  return EXIT.usage;
}

function formatTable(projects: ProjectRecord[], version: number): string {
  if (projects.length === 0)
    return `no projects yet (version ${version}); propose one with: planbot projects propose <slug> <description>`;
  const rows = projects.map((p) => [
    p.slug,
    p.status,
    p.stories_total ? `${p.stories_done}/${p.stories_total}` : "-",
    p.description.replace(/\s+/g, " ").slice(0, 60),
  ]);
  const widths = [0, 1, 2].map((i) =>
    Math.max(...rows.map((row) => row[i]!.length), ["SLUG", "STATUS", "STORIES"][i]!.length),
  );
  const line = (cells: string[]) => cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ");
  return [
    line(["SLUG", "STATUS", "STORIES", "DESCRIPTION"]),
    ...rows.map(line),
    `(${projects.length} projects, version ${version})`,
  ].join("\n");
}

function formatRecord(p: ProjectRecord): string {
  const lines = [
    `${p.slug}: ${p.status}`,
    `description: ${p.description}`,
    p.repo || p.branch || p.base_branch
      ? `repo: ${p.repo ?? p.slug}  branch: ${p.branch ?? "-"}  base: ${p.base_branch ?? "main"}`
      : "",
    p.stories_total ? `stories: ${p.stories_done}/${p.stories_total}` : "",
    p.proposed_at ? `proposed: ${p.proposed_at}` : "",
    p.approved_at ? `approved: ${p.approved_at}` : "",
    p.started_at ? `started: ${p.started_at}${p.pid ? ` (PID ${p.pid})` : ""}` : "",
    p.final_plan_path ? `plan: ${p.final_plan_path}` : "",
    p.error_reason ? `error: ${p.error_reason}` : "",
  ];
  return lines.filter(Boolean).join("\n");
}
