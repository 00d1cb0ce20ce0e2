import { fail, type Result } from "../projects/result.ts";
import { PrdSchema, describeZodError, type Prd } from "../projects/schemas.ts";
import { writePlanArtifacts } from "./plan-writer.ts";
import { extractFinalBlocks } from "./protocol.ts";
import type { TurnRequest } from "./turn-request.ts";
import type { TurnRunner } from "./turn-runner.ts";

/** The written plan. */
export interface FinalPlan {
  planPath: string;
  prdPath: string;
  prd: Prd;
  commentary: string;
}

/** Parses and validates a prd.json block against Ralph's schema; the problem is quoted back to the planner. */
export function validatePrd(json: string | undefined): { ok: true; prd: Prd } | { ok: false; problem: string } {
  if (!json) return { ok: false, problem: "the reply has no block opening with ```json prd.json" };
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { ok: false, problem: `prd.json is not valid JSON: ${(error as Error).message}` };
  }
  const parsed = PrdSchema.safeParse(value);
  return parsed.success ? { ok: true, prd: parsed.data } : { ok: false, problem: describeZodError(parsed.error) };
}

/**
 * The final step: asks for the plan and the PRD in the protocol's two blocks, asks once for a
 * corrected PRD when it does not match the schema (quoting the problem), then writes both files.
 */
export async function produceFinalPlan(
  turns: TurnRunner,
  base: Omit<TurnRequest, "prompt" | "message" | "promptValues">,
  context: { workspaceDir: string; slug: string; branch: string; stillOpen: () => Promise<boolean> },
): Promise<Result<FinalPlan>> {
  const first = await turns.run({
    ...base,
    prompt: "finalize",
    message: "Write the final plan and prd.json now.",
    promptValues: { branch: context.branch },
  });
  if (!first.ok) return first;
  const blocks = extractFinalBlocks(first.text);
  if (!blocks.plan) {
    return fail(
      "planner_failed",
      "The planner's answer had no block opening with ```markdown final-plan.md, so no plan was written. Send /next (or /done) to ask again.",
      {
        details: { reason: "protocol" },
      },
    );
  }
  let checked = validatePrd(blocks.prdJson);
  if (!checked.ok) {
    const correction = await turns.run({
      ...base,
      prompt: "correct",
      message: `Please correct prd.json. Problems: ${checked.problem}`,
      shown: `(planbot asked for a corrected prd.json: ${checked.problem})`,
      promptValues: { problem: checked.problem },
    });
    if (!correction.ok) return correction;
    checked = validatePrd(extractFinalBlocks(correction.text).prdJson);
    if (!checked.ok) {
      return fail(
        "planner_failed",
        `The planner's prd.json still does not match Ralph's schema after one correction (${checked.problem}). Nothing was written; send /next to try again.`,
        {
          details: { reason: "invalid_prd" },
        },
      );
    }
  }
  // A /stop between the answer and here closes the session: a stopped planning writes nothing.
  if (!(await context.stillOpen()))
    return fail("no_active_session", "Planning was stopped; no plan was written.", { details: { reason: "aborted" } });
  const written = await writePlanArtifacts(
    context.workspaceDir,
    context.slug,
    blocks.plan,
    checked.prd,
    context.branch,
  );
  return { ok: true, ...written, prd: { ...checked.prd, branchName: context.branch }, commentary: blocks.commentary };
}
