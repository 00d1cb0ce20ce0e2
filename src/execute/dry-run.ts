import { existsSync, lstatSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import type { ProjectEntry } from "../projects/schemas.ts";
import type { LaunchContext } from "./launch-run.ts";
import { checkBeforeRun, checkPromptFile, promptFileFor, ralphTool } from "./preflight.ts";
import { missingScriptFix } from "./ralph-command.ts";
import type { RunReport } from "./run-outcome.ts";
import { describePlan, planRun, type RunPlan } from "./run-plan.ts";

/**
 * `planbot execute --dry-run` for one project: the run's plan and the preflight's verdict, touching
 * nothing. What needs the repository's files (ralph.sh and its prompt) is checked where they can be
 * known without cloning: an existing workspace, or the template a fresh one would get.
 */
export async function dryRun(ctx: LaunchContext, entry: ProjectEntry): Promise<RunReport> {
  const planned = planRun(entry, ctx.config, ctx.cwd);
  if (!planned.ok)
    return { slug: entry.name, outcome: "failed", message: `would fail: ${planned.message}`, error: planned.message };
  const plan = planned.plan;
  const checked = await checkBeforeRun(plan, ctx.env, ctx.host);
  if (!checked.ok) return wouldRefuse(plan, checked.message, checked);
  const script = scriptCheck(plan);
  if (!script.ok) return wouldRefuse(plan, script.message, script.failure);
  const fix = checked.check.branchFix;
  const notes = [
    ...(fix ? [`would set prd.json branchName to ${fix.to}${fix.from ? ` (was ${fix.from})` : ""}`] : []),
    ...checked.check.notes,
    ...(script.note ? [script.note] : []),
  ];
  return {
    slug: entry.name,
    outcome: "dry-run",
    message: `would run: ${describePlan(plan)}${notes.length ? ` (${notes.join("; ")})` : ""}`,
    plan,
  };
}

function wouldRefuse(plan: RunPlan, message: string, refusal: RunReport["refusal"]): RunReport {
  return {
    slug: plan.slug,
    outcome: "refused",
    message: `would refuse: ${message}`,
    error: message,
    plan,
    ...(refusal ? { refusal } : {}),
  };
}

type ScriptVerdict = { ok: true; note?: string } | { ok: false; message: string; failure?: RunReport["refusal"] };

/** Where ralph.sh would come from and whether its prompt file is there. */
function scriptCheck(plan: RunPlan): ScriptVerdict {
  const spec = plan.ralph;
  if (!spec.file.startsWith("/")) return { ok: true };
  const cloned = existsSync(join(plan.root, ".git"));
  const present = lstatSync(spec.file, { throwIfNoEntry: false });
  if (present) {
    const prompt = checkPromptFile(plan, spec.file);
    return prompt.ok ? { ok: true } : { ok: false, message: prompt.message, failure: prompt };
  }
  if (plan.remoteUrl && !cloned)
    return { ok: true, note: "ralph.sh and its prompt file are checked once the repository is cloned" };
  if (!spec.template || !existsSync(spec.template)) {
    return {
      ok: false,
      message: `Ralph was not started: ${spec.display.split(" ")[0]} is not in the workspace and there is no template at ${spec.template ?? "(none)"}. Fix: ${missingScriptFix(spec, relative(plan.root, spec.file))}`,
    };
  }
  const prompt = promptFileFor(ralphTool(spec));
  if (
    prompt &&
    basename(spec.file) === "ralph.sh" &&
    !existsSync(join(dirname(spec.template), prompt)) &&
    !existsSync(join(dirname(spec.file), prompt))
  ) {
    return {
      ok: false,
      message: `Ralph was not started: the template ${spec.template} has no ${prompt} next to it. Fix: copy snarktank/ralph's ${prompt} to ${dirname(spec.template)}/`,
    };
  }
  return { ok: true };
}
