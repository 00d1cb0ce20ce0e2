import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The planning phases a person moves through with /next, in order. */
export const PLANNING_PHASES = ["clarify", "design", "stories"] as const;
export type PlanningPhase = (typeof PLANNING_PHASES)[number];

/** The phase value of a session whose plan and PRD are written (echo-core's marker). */
export const COMPLETE_PHASE = "__complete__";

/** Prompt files: the phases plus the final step and its one correction. */
export type PromptName = PlanningPhase | "finalize" | "correct";

const cache = new Map<PromptName, string>();

/**
 * Loads a prompt from `src/planning/prompts/<name>.md` and fills its `{{placeholders}}`. The
 * instructions live in files so they can be read and edited as prose, not as string literals.
 */
export function renderPrompt(name: PromptName, values: Record<string, string>): string {
  let template = cache.get(name);
  if (template === undefined) {
    template = readFileSync(fileURLToPath(new URL(`./prompts/${name}.md`, import.meta.url)), "utf8");
    cache.set(name, template);
  }
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}
