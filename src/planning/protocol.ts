/**
 * The planner protocol (docs/architecture.md, "The planner protocol"): the prompt files tell Claude to follow it, these functions read it.
 * Kept in one file so the prompts and the parser cannot drift apart unnoticed.
 */

/** The line a reply ends with when the planner thinks the phase is done. */
export const PHASE_READY_MARKER = "[[PHASE_READY]]";

/** Strips a trailing ready marker (and whitespace around it); reports whether it was there. */
export function readPhaseMarker(text: string): { text: string; ready: boolean } {
  const read = readTrailingMarker(text);
  // A marker line elsewhere (a model that repeats it) is protocol, never shown to people.
  return {
    ...read,
    text: read.text
      .split("\n")
      .filter((line) => line.trim() !== PHASE_READY_MARKER)
      .join("\n")
      .trimEnd(),
  };
}

function readTrailingMarker(text: string): { text: string; ready: boolean } {
  const trimmed = text.trimEnd();
  const lines = trimmed.split("\n");
  const last = lines.at(-1)?.trim();
  if (last === PHASE_READY_MARKER) return { text: lines.slice(0, -1).join("\n").trimEnd(), ready: true };
  // Tolerate the marker at the end of the last line, which models sometimes produce.
  if (last?.endsWith(PHASE_READY_MARKER))
    return { text: trimmed.slice(0, -PHASE_READY_MARKER.length).trimEnd(), ready: true };
  return { text: trimmed, ready: false };
}

/** The two artifacts of the final step, plus whatever else the planner said. */
export interface FinalBlocks {
  plan?: string;
  prdJson?: string;
  commentary: string;
}

const OPENING = /^(\s*)(`{3,}|~{3,})\s*(markdown|md|json)\s+(final-plan\.md|prd\.json)\s*$/i;

/**
 * Finds the fenced block opening with "```markdown final-plan.md" and the one opening with
 * "```json prd.json". A block ends at a line holding only the same fence (same character, at least as
 * long), so a plan may contain code blocks of its own if its outer fence is longer (````markdown …).
 * For a plain ``` outer fence, inner fences that open with a language tag are skipped in pairs.
 */
export function extractFinalBlocks(text: string): FinalBlocks {
  const lines = text.split("\n");
  const commentary: string[] = [];
  const found: FinalBlocks = { commentary: "" };
  let index = 0;
  while (index < lines.length) {
    const match = OPENING.exec(lines[index]!);
    if (!match) {
      commentary.push(lines[index]!);
      index += 1;
      continue;
    }
    const fence = match[2]!;
    const name = match[4]!.toLowerCase();
    const body: string[] = [];
    let depth = 0;
    index += 1;
    while (index < lines.length) {
      const line = lines[index]!;
      const trimmed = line.trim();
      const run = /^(`{3,}|~{3,})(.*)$/.exec(trimmed);
      if (run) {
        const info = run[2]!.trim();
        const closes = run[1]![0] === fence[0] && info === "";
        if (closes && run[1]!.length >= fence.length && depth === 0) break;
        if (closes && depth > 0) depth -= 1;
        else if (info) depth += 1;
      }
      body.push(line);
      index += 1;
    }
    index += 1;
    const content = body.join("\n");
    if (name === "final-plan.md") found.plan = content.trim();
    else found.prdJson = content.trim();
  }
  found.commentary = commentary.join("\n").trim();
  return found;
}
