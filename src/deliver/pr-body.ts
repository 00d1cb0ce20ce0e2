import type { LoosePrd } from "../projects/schemas.ts";

/** What the title and body of a run's pull request are made of. */
export interface PullRequestContent {
  slug: string;
  /** final-plan.md's text, if readable. */
  plan: string | null;
  prd: LoosePrd | null;
  /** The entry's description: the last fallback of the title. */
  description: string;
  outcome: string;
  /** Web link to final-plan.md on the branch. */
  planUrl: string;
  durationMs?: number | undefined;
  costUsd?: number | undefined;
}

/**
 * The plan's goal as one line: the first paragraph under a "Goal" heading of final-plan.md, else prd.json's
 * description, else the project's description. Also the pull request's title (cut to 100 characters).
 */
export function planGoal(content: Pick<PullRequestContent, "plan" | "prd" | "description" | "slug">): string {
  const fromPlan = content.plan ? goalSection(content.plan) : "";
  const fromPrd = typeof content.prd?.description === "string" ? content.prd.description : "";
  return oneLine(fromPlan || fromPrd || content.description || `planbot: ${content.slug}`);
}

/** The title: the goal's first sentence, at most 100 characters. */
export function pullRequestTitle(content: Pick<PullRequestContent, "plan" | "prd" | "description" | "slug">): string {
  const goal = planGoal(content);
  const sentence = /^(.{20,}?[.!?])\s/.exec(`${goal} `)?.[1] ?? goal;
  return cut(sentence, 100);
}

/**
 * The body: a short summary, the stories as a checklist (passed ticked, failed and blocked marked), a
 * link to final-plan.md on the branch and the run's duration and cost when known. `@` is defused so a
 * story title never pings anyone.
 */
export function pullRequestBody(content: PullRequestContent): string {
  const stories = content.prd?.userStories ?? [];
  const passed = stories.filter((story) => story.passes === true).length;
  const facts = [`${content.outcome}: ${passed}/${stories.length} stories pass`];
  if (content.durationMs !== undefined && content.durationMs >= 0)
    facts.push(`run took ${formatDuration(content.durationMs)}`);
  if (content.costUsd !== undefined) facts.push(`cost $${content.costUsd.toFixed(2)}`);
  const lines = [
    `Opened by planbot after Ralph ran the approved plan of **${defuse(content.slug)}**. Draft until a person has reviewed it.`,
    "",
    `**Goal:** ${defuse(cut(planGoal(content), 500))}`,
    "",
    `**Run:** ${facts.join(" · ")}`,
    "",
    "### Stories",
    ...(stories.length ? stories.map(storyLine) : ["_prd.json lists no stories._"]),
    "",
    `**Plan:** [final-plan.md](${content.planUrl})`,
  ];
  return lines.join("\n");
}

function storyLine(story: NonNullable<LoosePrd["userStories"]>[number], index: number): string {
  const id = typeof story.id === "string" ? story.id : `#${index + 1}`;
  const title = typeof story.title === "string" ? defuse(cut(oneLine(story.title), 150)) : "";
  if (story.passes === true) return `- [x] ${id} ${title}`.trimEnd();
  const mark = story.blocked === true ? " — **blocked**" : story.failed === true ? " — **failed**" : " — not done";
  return `- [ ] ${id} ${title}${mark}`;
}

/** The text between a "Goal" heading and the next heading, first paragraph only. */
function goalSection(plan: string): string {
  const lines = plan.split("\n");
  const start = lines.findIndex((line) => /^#{1,6}\s*(\d+[.)]\s*)?goal\b/i.test(line.trim()));
  if (start < 0) return "";
  const paragraph: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{1,6}\s/.test(line.trim())) break;
    if (!line.trim()) {
      if (paragraph.length) break;
      continue;
    }
    paragraph.push(line.trim().replace(/^[-*]\s+/, ""));
  }
  return paragraph.join(" ");
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** `@name` → `@​name` (zero-width space): shown the same, never a mention. */
function defuse(text: string): string {
  return text.replace(/@/g, "@\u200b");
}

/** `45 s`, `12 min`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
