import { code, escapeMarkup } from "../chat/reply.ts";
import type { RunFacts, StoryFact } from "./run-facts.ts";

/** Stories listed one a line; a longer plan is summed up after these. */
const LISTED_STORIES = 20;

const MARKS: Record<StoryFact["result"], string> = { passed: "✅", failed: "❌", blocked: "⛔", open: "▫️" };
const WORDS: Record<StoryFact["result"], string> = {
  passed: "passed",
  failed: "failed",
  blocked: "blocked",
  open: "not done",
};

/**
 * The body of a run report, under its one-line headline: every story passed or not, the commits on the
 * branch since its base (how many, and the newest subjects) and the cost when it is known. Text from the
 * repository (titles, commit subjects) is escaped so it prints as written.
 */
export function reportLines(facts: RunFacts): string[] {
  const lines: string[] = [];
  if (facts.stories.length) {
    lines.push("**Stories:**");
    for (const story of facts.stories.slice(0, LISTED_STORIES)) lines.push(storyLine(story));
    const rest = facts.stories.slice(LISTED_STORIES);
    if (rest.length)
      lines.push(`- … and ${rest.length} more (${rest.filter((story) => story.result === "passed").length} passed)`);
  }
  const commits = facts.commits;
  if (commits) {
    const newest = commits.subjects.map((subject) => `"${escapeMarkup(subject.slice(0, 120))}"`).join(", ");
    lines.push(
      commits.count === 0
        ? `**Commits:** none on ${code(commits.branch)} since ${code(commits.base)}.`
        : `**Commits:** ${commits.count} on ${code(commits.branch)} since ${code(commits.base)}; newest: ${newest}.`,
    );
  }
  if (facts.costUsd !== null) lines.push(`**Cost:** $${facts.costUsd.toFixed(2)}`);
  return lines;
}

/** The blocked stories with the notes Ralph left on them: what a person has to unblock. */
export function blockedLines(facts: RunFacts): string[] {
  const blocked = facts.stories.filter((story) => story.result === "blocked");
  if (!blocked.length) return [];
  return [
    "**Blocked, with Ralph's notes:**",
    ...blocked.map(
      (story) =>
        `- ${code(story.id)} ${escapeMarkup(story.title.slice(0, 120))}: ${story.notes.trim() ? escapeMarkup(story.notes.trim().replace(/\s+/g, " ").slice(0, 300)) : "no notes"}`,
    ),
  ];
}

function storyLine(story: StoryFact): string {
  const title = story.title ? ` ${escapeMarkup(story.title.slice(0, 120))}` : "";
  return `- ${MARKS[story.result]} ${code(story.id)}${title} — ${WORDS[story.result]}`;
}
