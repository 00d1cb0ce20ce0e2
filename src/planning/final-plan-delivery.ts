import { choiceIdFor, code, escapeMarkup, type Reply, type ReplyAttachment } from "../chat/reply.ts";
import { planGoal } from "../deliver/pr-body.ts";
import { LoosePrdSchema, type LoosePrd } from "../projects/schemas.ts";
import { readWorkspaceText } from "../projects/workspace-files.ts";
import { workspacePaths } from "../projects/workspace.ts";
import type { PlanningSession } from "./session-store.ts";

/** Stories listed by title in the summary; the rest are counted (the document has them all). */
const LISTED_STORIES = 15;
const PLAN_FILE = "scripts/ralph/final-plan.md";
const PRD_FILE = "scripts/ralph/prd.json";

/** What turns an approval reply into the final plan's delivery: the summary, the buttons, the document. */
export type FinalPlanParts = Pick<Reply, "text" | "operatorText" | "actions" | "choice" | "attachment">;

/**
 * The final plan as chats receive it when it is approved: `final-plan.md` as a document, a short summary
 * (the goal, the stories by title) under `head` (under each of its wordings), and *Run now* · *Re-plan* · *Cancel* as one choice. The
 * choice id comes from the planning session, so every chat of the session shares it and one press spends
 * it everywhere. Files are read without following links out of the workspace; a plan that cannot be read
 * is named, not attached.
 */
export async function finalPlanParts(
  head: Pick<Reply, "text" | "operatorText">,
  plan: { slug: string; workspaceRoot: string; planningSessionId: string; description?: string },
): Promise<FinalPlanParts> {
  const [planRead, prdRead] = await Promise.all([
    readWorkspaceText(plan.workspaceRoot, PLAN_FILE),
    readWorkspaceText(plan.workspaceRoot, PRD_FILE),
  ]);
  const prd = prdRead.ok ? parsePrd(prdRead.text) : null;
  const planText = planRead.ok ? planRead.text : null;
  const goal = planGoal({ plan: planText, prd, description: plan.description ?? "", slug: plan.slug });
  const summary = [`**Goal:** ${escapeMarkup(goal.slice(0, 500))}`, ...storyLines(prd)];
  summary.push(
    planRead.ok
      ? `The whole plan is attached as ${code("final-plan.md")}.`
      : `${code("final-plan.md")} could not be read (${escapeMarkup(planRead.message)}); ${code(`/status ${plan.slug}`)} shows the project.`,
  );
  const under = (text: string) => [text, "", ...summary].join("\n");
  return {
    text: under(head.text),
    ...(head.operatorText ? { operatorText: under(head.operatorText) } : {}),
    actions: [
      { label: "Run now", command: `/run ${plan.slug}`, style: "primary" },
      { label: "Re-plan", command: `/replan ${plan.slug}`, style: "secondary" },
      { label: "Cancel", command: `/cancel ${plan.slug}`, style: "danger" },
    ],
    choice: choiceIdFor(`final-plan:${plan.slug.toLowerCase()}:${plan.planningSessionId}`),
    ...(planRead.ok ? { attachment: planAttachment(plan.slug, planRead) } : {}),
  };
}

/**
 * `final-plan.md` of an approved project as the document chats receive (the notify channels' approved
 * notice attaches the same one the planning chats get), or undefined when it cannot be read. Read without
 * following links out of the workspace.
 */
export async function finalPlanDocument(slug: string, workspaceRoot: string): Promise<ReplyAttachment | undefined> {
  const read = await readWorkspaceText(workspaceRoot, PLAN_FILE);
  return read.ok ? planAttachment(slug, read) : undefined;
}

function planAttachment(slug: string, read: { text: string; path: string }): ReplyAttachment {
  return { name: "final-plan.md", content: read.text, path: read.path, slug };
}

/** The plan of an approved session, as {@link finalPlanParts} reads it. */
export function planOf(session: PlanningSession, workspaceDir: string) {
  return {
    slug: session.slug,
    workspaceRoot: workspacePaths(workspaceDir, session.slug).root,
    planningSessionId: session.planning_session_id,
    description: session.description ?? "",
  };
}

function parsePrd(text: string): LoosePrd | null {
  try {
    const parsed = LoosePrdSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function storyLines(prd: LoosePrd | null): string[] {
  const stories = prd?.userStories ?? [];
  if (!stories.length) return [];
  const listed = stories.slice(0, LISTED_STORIES).map((story, index) => {
    const id = typeof story.id === "string" && story.id ? `${code(story.id)} ` : "";
    const title = typeof story.title === "string" && story.title ? story.title : `story ${index + 1}`;
    return `- ${id}${escapeMarkup(title.slice(0, 200))}`;
  });
  const more = stories.length > LISTED_STORIES ? [`- … and ${stories.length - LISTED_STORIES} more`] : [];
  return [`**Stories (${stories.length}):**`, ...listed, ...more];
}
