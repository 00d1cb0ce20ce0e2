/**
 * A scripted model for planbot's planning protocol, behind the fake Messages API: it reads the
 * `PLANBOT-PHASE:` / `PLANBOT-PROJECT:` lines planbot appends to the system prompt and answers like a
 * cooperative planner — questions, then a summary with `[[PHASE_READY]]`, a design, stories, and the
 * final reply with the ```` ```markdown final-plan.md ```` and ```` ```json prd.json ```` blocks.
 *
 * On the first clarify turn of a conversation it first calls the Read tool on `src/app.txt` in the
 * working directory the CLI names (`Primary working directory: …`), so a test can see the planner read
 * the project's code; when the tool result comes back it answers with text that quotes what it read.
 */
import { contentText, systemText, type MessagesBody, type ScriptedReply } from "./server.ts";

const READY = "[[PHASE_READY]]";

/** Unwraps planbot's `<member-message …>` markers for quoting. */
function unwrap(text: string): string {
  return text
    .replace(/<member-message[^>]*>\n?/g, "")
    .replace(/\n?<\/member-message>/g, "")
    .trim();
}

/** The text of the last user message that is not only a tool result or the CLI's reminders. */
export function lastUserText(body: MessagesBody): string {
  const last = (body.messages ?? []).at(-1);
  if (last?.role !== "user") return "";
  const blocks = typeof last.content === "string" ? [{ type: "text", text: last.content }] : last.content;
  return blocks
    .filter((block) => block.type === "text" && !(block as { text: string }).text.startsWith("<system-reminder>"))
    .map((block) => (block as { text: string }).text)
    .join("\n")
    .trim();
}

/** The working directory the CLI reports in its system prompt. */
export function primaryWorkingDirectory(body: MessagesBody): string | undefined {
  return /Primary working directory: (.+)/.exec(systemText(body))?.[1]?.trim();
}

function stories(slug: string) {
  return [1, 2, 3].map((n) => ({
    id: `US-00${n}`,
    title: `Story ${n} of ${slug}`,
    description: `As a user of ${slug}, I want part ${n} so that it works.`,
    acceptanceCriteria: ["Typecheck passes", `Part ${n} works`],
    priority: n,
    passes: false,
    notes: "",
  }));
}

/** The planner's reply for one request (the default script of the real-CLI tests). */
export function plannerScript(body: MessagesBody): ScriptedReply {
  const system = systemText(body);
  const phase = /^PLANBOT-PHASE:[ \t]*(\S+)/m.exec(system)?.[1];
  const slug = /^PLANBOT-PROJECT:[ \t]*(\S+)/m.exec(system)?.[1] ?? "project";
  const messages = body.messages ?? [];
  const last = messages.at(-1);
  const lastIsToolResult =
    last?.role === "user" &&
    typeof last.content !== "string" &&
    last.content.some((block) => block.type === "tool_result");
  const earlierAnswers = messages.filter((message) => message.role === "assistant").length;
  const text = lastUserText(body);
  // The last member's words: the last delimited block (a seeded message carries the whole history).
  const blocks = [...text.matchAll(/<member-message[^>]*>\n([\s\S]*?)\n<\/member-message>/g)];
  const said = blocks.length ? blocks.at(-1)![1]!.trim() : unwrap(text);
  const seeded = text.includes("planbot kept a record");
  switch (phase) {
    case "clarify": {
      const cwd = primaryWorkingDirectory(body);
      if (lastIsToolResult) {
        const read =
          contentText(last!.content)
            .split("\n")
            .find((line) => line.includes("app")) ?? "nothing";
        return {
          text: `I read src/app.txt (${read.replace(/^\s*\d+[→\t]/, "").trim()}).\n\n1. Who will use ${slug}?\n2. Any constraints on the stack?`,
        };
      }
      if (earlierAnswers === 0 && cwd && !seeded)
        return {
          text: "Let me look at the code first.",
          toolUse: { name: "Read", input: { file_path: `${cwd}/src/app.txt` } },
        };
      if (earlierAnswers === 0 && !seeded)
        return { text: `1. Who will use ${slug}?\n2. Any constraints on the stack?` };
      return { text: `Thanks. You answered: "${said}"\n\nI have what I need.\n${READY}` };
    }
    case "design":
      return { text: `Design for ${slug}.\n\n## Approach\nA small service.\n\n## Risks\n- Scope creep.\n${READY}` };
    case "stories":
      return {
        text: `User stories for ${slug}:\n\n${stories(slug)
          .map((story) => `1. ${story.id} — ${story.title}`)
          .join("\n")}\n${READY}`,
      };
    case "finalize": {
      const branch = /"branchName": "([^"]+)"/.exec(system)?.[1] ?? `ralph/${slug}`;
      const prd = { project: slug, branchName: branch, description: `Plan for ${slug}`, userStories: stories(slug) };
      const plan = `# Plan for ${slug}\n\n## Goal\nShip ${slug}.\n\n## Stories\n${stories(slug)
        .map((story) => `- ${story.id}`)
        .join("\n")}`;
      return {
        text: `Here is the plan.\n\n\`\`\`\`markdown final-plan.md\n${plan}\n\`\`\`\`\n\n\`\`\`json prd.json\n${JSON.stringify(prd, null, 2)}\n\`\`\``,
      };
    }
    case "correct":
      return { text: "```json prd.json\n{}\n```" };
    default:
      return { text: `You said: ${said || "(nothing)"}` };
  }
}
