import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { basename, delimiter, dirname, isAbsolute, join, relative } from "node:path";
import { readWorkspaceText, checkWorkspacePaths } from "../projects/workspace-files.ts";
import { fail, type Failure, type Result } from "../projects/result.ts";
import type { RalphLaunchSpec } from "./ralph-command.ts";
import { operatorDetails, PROMPT_CHECK, SERVER_SETUP_CHECKS } from "../projects/operator-fix.ts";
import type { RunPlan } from "./run-plan.ts";

/**
 * The run preflight: what must hold before Ralph's first iteration, each refused with the reason and the
 * fix instead of letting snarktank/ralph's ralph.sh burn its iterations on a problem it cannot solve:
 * - a valid `scripts/ralph/prd.json` with open stories (a project approved without a plan has none);
 * - `branchName` in it equals the project's branch (the agent checks out `branchName`): corrected if not;
 * - `ralph.sh` and its prompt file (`CLAUDE.md` for `--tool claude`, `prompt.md` for amp) next to it;
 * - `jq` on Ralph's PATH (ralph.sh tracks branches with it);
 * - not root unless `IS_SANDBOX=1`: the Claude CLI refuses `--dangerously-skip-permissions` as root. In a
 *   container (a disposable sandbox by construction) planbot sets `IS_SANDBOX=1` for Ralph itself; on a
 *   real host it refuses and says how to proceed;
 * - no symbolic link among the files planbot or ralph.sh write or read in the workspace.
 */

/** Files below `scripts/ralph/` written or read by planbot or ralph.sh: none of them may be a link. */
export const RALPH_WORKSPACE_FILES = [
  "prd.json",
  "final-plan.md",
  "progress.txt",
  ".last-branch",
  ".ralph.pid",
  ".ralph.go",
  "logs",
  "archive",
  "CLAUDE.md",
  "prompt.md",
] as const;

const PRD = "scripts/ralph/prd.json";

/** What the machine planbot runs on looks like (injectable for tests). */
export interface HostFacts {
  /** Effective uid, undefined where there is none (Windows). */
  uid: number | undefined;
  /** Inside a container (Docker, Podman, Kubernetes, systemd-nspawn, LXC). */
  inContainer: boolean;
}

/** The facts of the machine planbot runs on. */
export function currentHost(): HostFacts {
  return { uid: typeof process.getuid === "function" ? process.getuid() : undefined, inContainer: detectContainer() };
}

function detectContainer(): boolean {
  if (existsSync("/.dockerenv") || existsSync("/run/.containerenv")) return true;
  if (process.env.container || process.env.KUBERNETES_SERVICE_HOST) return true;
  try {
    return /docker|kubepods|containerd|libpod|lxc/.test(readFileSync("/proc/1/cgroup", "utf8"));
  } catch {
    return false;
  }
}

/** A refusal: why Ralph was not started and what to do, as one line each; `extra` adds to its details. */
function refuse(check: string, reason: string, fix?: string, extra: Record<string, unknown> = {}): Failure {
  return fail("execute_failed", `Ralph was not started: ${reason}${fix ? `. Fix: ${fix}` : ""}`, {
    details: {
      reason: "preflight",
      check,
      ...(fix ? { fix } : {}),
      ...(SERVER_SETUP_CHECKS.has(check) ? operatorDetails("server_setup") : {}),
      ...extra,
    },
  });
}

/** The agent tool ralph.sh will run (`--tool X`, default amp), or undefined for a command that is not a ralph.sh. */
export function ralphTool(spec: RalphLaunchSpec): "claude" | "amp" | string | undefined {
  let tool: string | undefined;
  for (let i = 0; i < spec.args.length; i++) {
    const arg = spec.args[i]!;
    if (arg === "--tool") tool = spec.args[i + 1];
    else if (arg.startsWith("--tool=")) tool = arg.slice("--tool=".length);
  }
  if (tool) return tool;
  return basename(spec.file) === "ralph.sh" ? "amp" : undefined;
}

/** The prompt file ralph.sh feeds its agent, by tool. */
export function promptFileFor(tool: string | undefined): string | undefined {
  return tool === "claude" ? "CLAUDE.md" : tool === "amp" ? "prompt.md" : undefined;
}

/** An executable `name` on `env.PATH`, or undefined. */
export function findExecutable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter).filter(Boolean)) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** What the first half of the preflight found: the environment Ralph needs and a branchName to correct. */
export interface PlanCheck {
  /** Variables to add to Ralph's environment (IS_SANDBOX=1 as root in a container). */
  env: Record<string, string>;
  /** prd.json's branchName differs from the project's branch: planbot rewrites it before the run. */
  branchFix: { from: string | null; to: string } | null;
  /** Things done on Ralph's behalf, for the log header and `--dry-run`. */
  notes: string[];
  /** The parsed prd.json (kept as written, for the branch correction). */
  prd: Record<string, unknown>;
}

/**
 * The checks that need nothing from the repository: links in the workspace, the plan, jq, root. Read-only:
 * `--dry-run` runs exactly this.
 */
export async function checkBeforeRun(
  plan: RunPlan,
  env: NodeJS.ProcessEnv,
  host: HostFacts,
): Promise<Result<{ check: PlanCheck }>> {
  const links = checkLinks(plan.root);
  if (!links.ok) return links;
  const read = await readWorkspaceText(plan.root, PRD);
  if (!read.ok) {
    if (read.code === "not_found") {
      return refuse(
        "plan",
        `${plan.slug} has no plan: Ralph works from ${PRD} in the workspace and there is none`,
        `plan it first (/plan ${plan.slug} in a chat, or the dashboard), then run it again`,
      );
    }
    return refuse("plan", read.message);
  }
  let prd: unknown;
  try {
    prd = JSON.parse(read.text);
  } catch (error) {
    return refuse(
      "plan",
      `${PRD} is not valid JSON (${(error as Error).message})`,
      `fix the file or plan the project again (/replan ${plan.slug})`,
    );
  }
  const stories = isObject(prd) && Array.isArray(prd.userStories) ? (prd.userStories as unknown[]) : undefined;
  if (!isObject(prd) || !stories || stories.length === 0) {
    return refuse(
      "plan",
      `${PRD} has no userStories`,
      `plan the project again (/replan ${plan.slug}) so planbot writes a complete prd.json`,
    );
  }
  const malformed = stories.findIndex((story) => !isObject(story) || typeof story.passes !== "boolean");
  if (malformed >= 0) {
    return refuse(
      "plan",
      `story ${malformed + 1} of ${PRD} has no boolean "passes" (ralph.sh picks stories by it)`,
      `fix the file or plan the project again (/replan ${plan.slug})`,
    );
  }
  if (stories.every((story) => (story as { passes: boolean }).passes)) {
    return refuse(
      "plan",
      `every story in ${PRD} already passes: there is nothing for Ralph to do`,
      `plan new work for ${plan.slug} (/replan ${plan.slug} --force)`,
    );
  }
  const notes: string[] = [];
  const current = typeof prd.branchName === "string" ? prd.branchName : null;
  const branchFix = current === plan.branch ? null : { from: current, to: plan.branch };
  const tool = ralphTool(plan.ralph);
  const isRalphSh = basename(plan.ralph.file) === "ralph.sh";
  if (isRalphSh && !findExecutable("jq", env)) {
    return refuse(
      "jq",
      "jq is not on PATH, and ralph.sh reads prd.json's branchName with it",
      "install jq (apt-get install jq, brew install jq) for the user running planbot",
    );
  }
  const extraEnv: Record<string, string> = {};
  if (tool === "claude" && host.uid === 0 && env.IS_SANDBOX !== "1") {
    if (!host.inContainer) {
      return refuse(
        "root",
        "planbot runs as root, and the Claude CLI refuses --dangerously-skip-permissions (which ralph.sh uses) as root unless IS_SANDBOX=1",
        "run planbot as an ordinary user; or, only if this machine is a disposable sandbox or VM, set IS_SANDBOX=1 in planbot's environment",
      );
    }
    extraEnv.IS_SANDBOX = "1";
    notes.push(
      "running as root inside a container: IS_SANDBOX=1 is set for Ralph so the Claude CLI accepts --dangerously-skip-permissions",
    );
  }
  return { ok: true, check: { env: extraEnv, branchFix, notes, prd } };
}

/**
 * The checks after the workspace is prepared (the repository's files are there): no links among Ralph's
 * files, and the prompt file next to the ralph.sh that runs.
 */
export function checkPreparedWorkspace(plan: RunPlan, scriptFile: string): Result<object> {
  const links = checkLinks(plan.root);
  if (!links.ok) return links;
  return checkPromptFile(plan, scriptFile);
}

/**
 * The prompt file next to a ralph.sh (skipped for other commands). Its fix is split like a missing script's
 * (src/execute/ralph-command.ts): the operator's template, or — in a clone of the project's repository —
 * the member's commit of the file on the base branch (`next: "add_file"`).
 */
export function checkPromptFile(plan: RunPlan, scriptFile: string): Result<object> {
  const prompt = promptFileFor(ralphTool(plan.ralph));
  if (!prompt || basename(scriptFile) !== "ralph.sh") return { ok: true };
  const path = join(dirname(scriptFile), prompt);
  if (statSync(path, { throwIfNoEntry: false })?.isFile()) return { ok: true };
  const inside = relative(plan.root, path);
  const inWorkspace = !inside.startsWith("..") && !isAbsolute(inside);
  // The script as RALPH_COMMAND configures it: its place in the repository, and the template it comes from.
  const script = inWorkspace ? relative(plan.root, scriptFile) : scriptFile;
  const template = plan.ralph.template
    ? ` (or to ${dirname(plan.ralph.template)}/ when the repository has no ${script})`
    : "";
  return refuse(
    PROMPT_CHECK,
    `${path} is missing: ${script} --tool ${ralphTool(plan.ralph)} feeds it to the agent on every iteration`,
    `add snarktank/ralph's ${prompt} next to ${script} in the repository${template}`,
    {
      ...operatorDetails("ralph_missing"),
      ...(inWorkspace ? { path: inside } : {}),
      ...(inWorkspace && plan.remoteUrl !== null ? { next: "add_file" } : {}),
    },
  );
}

function checkLinks(root: string): Result<object> {
  const checked = checkWorkspacePaths(root, [
    "scripts",
    "scripts/ralph",
    ...RALPH_WORKSPACE_FILES.map((name) => `scripts/ralph/${name}`),
  ]);
  return checked.ok ? checked : refuse("symlink", checked.message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
