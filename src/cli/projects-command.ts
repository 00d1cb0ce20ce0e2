import { closestWord } from "../chat/did-you-mean.ts";
import { cliHint } from "./failure-hint.ts";
import type { CoreServices } from "../projects/core-services.ts";
import type { Failure } from "../projects/result.ts";
import { EXIT, exitCodeFor } from "./exit-codes.ts";
import type { CliIo } from "./io.ts";
import { readArgs } from "./read-args.ts";
import { formatRecord, formatTable } from "./projects-output.ts";
import { runProjectsEdit } from "./projects-edit.ts";

export const PROJECTS_USAGE = `usage: planbot projects list [--json]
       planbot projects show <slug> [--json]
       planbot projects propose <slug> <description…> [--repo R] [--branch B] [--base M] [--json]
       planbot projects edit <slug> [--repo R] [--branch B] [--base M] [--description TEXT] [--if-match N] [--json]
       planbot projects approve|unapprove|cancel <slug> [--if-match N] [--json]
       planbot projects deliver <slug> [--json]`;

/** The command line of `planbot projects`, read: the action, its slug and words, and the options. */
interface ProjectsArgs {
  action: string;
  slug: string | undefined;
  rest: string[];
  json: boolean;
  values: {
    repo?: string | undefined;
    branch?: string | undefined;
    base?: string | undefined;
    description?: string | undefined;
  };
  expectedVersion: number | undefined;
}

/** `planbot projects …`: acts on the store directly, for scripts and people at a shell. */
export async function runProjectsCommand(argv: string[], services: CoreServices, io: CliIo): Promise<number> {
  const parsed = parseProjectsArgs(argv, io);
  if (typeof parsed === "number") return parsed;
  const { action, slug, rest, json, values, expectedVersion } = parsed;
  const failed = (failure: Failure) => reportFailure(io, failure, json);

  switch (action) {
    case "list": {
      if (slug)
        return usage(
          io,
          `list takes no words; unexpected "${[slug, ...rest].join(" ")}" (planbot projects show <slug> shows one)`,
        );
      const result = await services.lister.list();
      if (!result.ok) return failed(result);
      if (json) io.out(JSON.stringify(result.list, null, 2));
      else io.out(formatTable(result.list.projects, result.list.version));
      return EXIT.ok;
    }
    case "show": {
      if (!slug) return usage(io, "show needs a slug");
      if (rest.length > 0) return usage(io, `show takes one slug; unexpected "${rest.join(" ")}"`);
      const result = await services.lister.get(slug);
      if (!result.ok) return failed(result);
      if (!result.record)
        return failed({
          ok: false,
          code: "not_found",
          message: `No project named "${slug}".`,
          details: { slug, next: "list" },
        });
      if (json) io.out(JSON.stringify(result.record, null, 2));
      else {
        const record = result.record;
        // Loaded only for a failed delivery: delivery code stays out of what a plain `show` loads.
        const { deliverAgainHint } =
          record.delivery && !record.delivery.ok
            ? await import("./deliver-again-hint.ts")
            : { deliverAgainHint: undefined };
        io.out(formatRecord(record, new Date(), deliverAgainHint?.(record, services.config)));
      }
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
      // Slugs are lower-case (echo-core's rule); a capital typed is not an error, but the name used must be told.
      if (!json && result.entry.name !== slug)
        io.err(
          `note: slugs are lower-case, so "${slug}" is stored as "${result.entry.name}"; use that name from now on.`,
        );
      return EXIT.ok;
    }
    case "edit": {
      if (!slug) return usage(io, "edit needs a slug");
      if (rest.length > 0)
        return usage(
          io,
          `edit takes one slug; put a new description in --description "…" (unexpected "${rest.join(" ")}")`,
        );
      const edit = { repo: values.repo, branch: values.branch, base: values.base, description: values.description };
      if (Object.values(edit).every((value) => value === undefined))
        return usage(
          io,
          `edit needs something to change: --repo, --branch, --base or --description, e.g. planbot projects edit ${slug} --base main`,
        );
      return runProjectsEdit({ slug, edit, json, expectedVersion }, services, io, failed);
    }
    case "approve":
    case "unapprove":
    case "cancel": {
      if (!slug) return usage(io, `${action} needs a slug`);
      if (rest.length > 0) return usage(io, `${action} takes one slug; unexpected "${rest.join(" ")}"`);
      const before = await services.lister.get(slug);
      const result = await services.lifecycle[action](slug, expectedVersion === undefined ? {} : { expectedVersion });
      if (!result.ok) return failed(result);
      const name = result.entry.name;
      const already = before.ok && before.record?.status === result.entry.status ? ", as it already was" : "";
      io.out(
        json
          ? JSON.stringify({ ...result.entry, version: result.version }, null, 2)
          : `${name}: ${result.entry.status}${already} (version ${result.version})`,
      );
      // The session itself lives in the running planbot (or in none): its watcher ends it, or the next start does.
      if (action === "cancel" && before.ok && before.record?.status === "planning")
        io.err(
          `note: ${name} was being planned; a running planbot (planbot start or planbot chat) ends its planning session now and tells its chats, and with none running the next one does when it starts.`,
        );
      if (action === "approve") {
        const record = services.lister.recordOf(result.entry);
        // The chats' /approve says the same: Ralph refuses a project without open stories in a prd.json.
        if (!record.has_prd || record.stories_total === 0)
          io.err(
            `note: ${name} has no plan yet, so Ralph refuses to run it (planbot execute ${name} says why). Plan it in a chat: planbot chat, then /plan ${name}.`,
          );
        else if (record.stories_total <= record.stories_done)
          io.err(
            `note: every story of ${name}'s plan already passes (${record.stories_done}/${record.stories_total}), so Ralph has nothing to do and refuses to run it. To build more, plan new work in a chat: planbot chat, then /replan ${name} --force.`,
          );
      }
      return EXIT.ok;
    }
    case "deliver": {
      if (!slug) return usage(io, "deliver needs a slug");
      if (rest.length > 0) return usage(io, `deliver takes one slug; unexpected "${rest.join(" ")}"`);
      // Loaded only for this action: delivery pulls in git, GitHub and the logger, which `list` and the
      // other actions never need at start-up (issue 17's CLI row).
      const { runProjectsDeliver } = await import("./projects-deliver.ts");
      return runProjectsDeliver(slug, json, services, io, failed);
    }
    default: {
      const guess = closestWord(action, Object.keys(ACTION_OPTIONS));
      return usage(io, `unknown action "${action}"${guess ? `; did you mean planbot projects ${guess}?` : ""}`);
    }
  }
}

/** Every option of `planbot projects`; each action takes the ones {@link ACTION_OPTIONS} lists. */
const PROJECTS_OPTIONS = {
  json: { type: "boolean" },
  repo: { type: "string" },
  branch: { type: "string" },
  base: { type: "string" },
  description: { type: "string" },
  "if-match": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type ProjectsOption = keyof typeof PROJECTS_OPTIONS;

/** The options each action takes, so a mistyped one is offered the action's own (`list --jsn`: --json). */
const ACTION_OPTIONS: Record<string, readonly ProjectsOption[]> = {
  list: ["json"],
  show: ["json"],
  propose: ["repo", "branch", "base", "json"],
  edit: ["repo", "branch", "base", "description", "if-match", "json"],
  approve: ["if-match", "json"],
  unapprove: ["if-match", "json"],
  cancel: ["if-match", "json"],
  deliver: ["json"],
};

/** The options `action` takes (and --help); all of them when the action is missing or unknown, so that error is the action's. */
function optionsOf(action: string | undefined): Partial<typeof PROJECTS_OPTIONS> {
  const names = action && ACTION_OPTIONS[action];
  if (!names) return PROJECTS_OPTIONS;
  return Object.fromEntries([...names, "help"].map((name) => [name, PROJECTS_OPTIONS[name as ProjectsOption]]));
}

/** Reads the arguments; on a usage problem (or `--help`) prints the usage and returns the exit code instead. */
function parseProjectsArgs(argv: string[], io: CliIo): ProjectsArgs | number {
  const parsed = readArgs(
    {
      args: argv,
      allowPositionals: true,
      strict: true,
      // A subset of the options: the values read are the same shape, with the others never set.
      options: optionsOf(argv.find((word) => !word.startsWith("-"))) as typeof PROJECTS_OPTIONS,
    },
    PROJECTS_USAGE,
    io,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  const [action, slug, ...rest] = positionals;
  if (!action) {
    io.err(PROJECTS_USAGE);
    return EXIT.usage;
  }
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
  return { action, slug, rest, json: Boolean(values.json), values, expectedVersion };
}

/** A failure as the shell sees it: JSON on stdout with `--json`, the message and a hint on stderr, its exit code. */
function reportFailure(io: CliIo, failure: Failure, json: boolean): number {
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
}

function usage(io: CliIo, problem: string): number {
  io.err(`${problem}\n${PROJECTS_USAGE}`);
  return EXIT.usage;
}
