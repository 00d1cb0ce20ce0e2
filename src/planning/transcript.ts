import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

/** One turn of a planning conversation as people read it. */
export interface TranscriptEntry {
  role: "user" | "assistant";
  text: string;
}

/** Where the Claude CLI keeps a session's transcript (docs/architecture.md, "The planner protocol"). */
export function transcriptPath(cwd: string, sessionId: string, env: NodeJS.ProcessEnv = process.env): string {
  const configDir = env.CLAUDE_CONFIG_DIR || join(homedir(), ".claude");
  return join(configDir, "projects", cwd.replace(/[^A-Za-z0-9]/g, "-"), `${sessionId}.jsonl`);
}

const EXTERNAL_CONTENT = /^\s*\[EXTERNAL CONTENT\]\s*\n([\s\S]*)\n\[END EXTERNAL CONTENT\]\s*$/;
const COMMAND_ARGS = /<command-args>([\s\S]*?)<\/command-args>/;

/**
 * Reads a session's history from the CLI's JSONL transcript: user and assistant text only. Tool
 * results, meta lines, tool calls and other line types are dropped; a missing or unreadable file is an
 * empty history (the caller falls back to the stored excerpt).
 */
export async function readTranscript(cwd: string, sessionId: string, env: NodeJS.ProcessEnv = process.env): Promise<TranscriptEntry[]> {
  let raw: string;
  try {
    raw = await readFile(transcriptPath(cwd, sessionId, env), "utf8");
  } catch {
    return [];
  }
  const history: TranscriptEntry[] = [];
  for (const line of raw.split("\n")) {
    if (!line.trim()) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const type = entry.type;
    if (type !== "user" && type !== "assistant") continue;
    if (entry.isMeta || (type === "user" && "toolUseResult" in entry)) continue;
    const message = (entry.message ?? {}) as { content?: unknown };
    let text = textOf(message.content);
    if (type === "user") text = cleanUserText(text);
    text = text.trim();
    if (text) history.push({ role: type, text });
  }
  return history;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter((block): block is { type: "text"; text: string } => typeof block === "object" && block !== null && (block as { type?: unknown }).type === "text" && typeof (block as { text?: unknown }).text === "string")
    .map((block) => block.text)
    .filter(Boolean)
    .join("\n\n");
}

function cleanUserText(text: string): string {
  const external = EXTERNAL_CONTENT.exec(text);
  if (external) text = external[1]!.trim();
  if (text.includes("<command-name>")) {
    const args = COMMAND_ARGS.exec(text);
    if (args) text = args[1]!.trim();
  }
  return text;
}
