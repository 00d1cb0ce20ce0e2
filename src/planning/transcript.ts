import { createHash } from "node:crypto";
import { readFile, realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TranscriptEntry } from "./conversation-log.ts";
import { readPhaseMarker } from "./protocol.ts";
import { isUuid } from "./session-id.ts";

export type { TranscriptEntry } from "./conversation-log.ts";

/**
 * The CLI's project folder name for a working folder: every non-alphanumeric character becomes "-";
 * past 200 characters it is cut to 200 and a short hash of the whole path is appended.
 */
export function cliProjectFolder(realCwd: string): string {
  const name = realCwd.replace(/[^A-Za-z0-9]/g, "-");
  if (name.length <= 200) return name;
  return `${name.slice(0, 200)}-${createHash("sha256").update(realCwd).digest("hex").slice(0, 8)}`;
}

/** Where the Claude CLI keeps a session's transcript; undefined for an id that is not a UUID. */
export function transcriptPath(
  realCwd: string,
  sessionId: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!isUuid(sessionId)) return undefined;
  const configDir = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), ".claude");
  return join(configDir, "projects", cliProjectFolder(realCwd), `${sessionId}.jsonl`);
}

const EXTERNAL_CONTENT = /^\s*\[EXTERNAL CONTENT\]\s*\n([\s\S]*)\n\[END EXTERNAL CONTENT\]\s*$/;
const MEMBER = /^<member-message[^>]*>\n([\s\S]*)\n<\/member-message>$/;
const COMMAND_ARGS = /<command-args>([\s\S]*?)<\/command-args>/;
const SYNTHETIC = new Set(["No response requested."]);

/**
 * Reads the history of a session planned before planbot kept its own record, from the CLI's JSONL
 * transcript: user and assistant text only. Meta lines, tool calls and results, the CLI's synthetic
 * entries and the ready marker are dropped; a missing file is an empty history.
 */
export async function readCliTranscript(
  cwd: string,
  sessionId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TranscriptEntry[]> {
  let raw: string;
  try {
    // The CLI names the folder after the real path (a symlinked workspace is resolved first).
    const path = transcriptPath(await realpath(cwd).catch(() => cwd), sessionId, env);
    if (!path) return [];
    raw = await readFile(path, "utf8");
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
    const message = (entry.message ?? {}) as { content?: unknown; model?: unknown };
    if (type === "assistant" && (message.model === "<synthetic>" || entry.isApiErrorMessage)) continue;
    let text = textOf(message.content).trim();
    if (type === "user") text = cleanUserText(text);
    else text = readPhaseMarker(text).text;
    if (text && !SYNTHETIC.has(text))
      history.push({ role: type, text, ...(typeof entry.timestamp === "string" ? { at: entry.timestamp } : {}) });
  }
  return history;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .filter(
      (block): block is { type: "text"; text: string } =>
        typeof block === "object" &&
        block !== null &&
        (block as { type?: unknown }).type === "text" &&
        typeof (block as { text?: unknown }).text === "string",
    )
    .map((block) => block.text)
    .filter(Boolean)
    .join("\n\n");
}

function cleanUserText(text: string): string {
  const external = EXTERNAL_CONTENT.exec(text);
  if (external) text = external[1]!.trim();
  const member = MEMBER.exec(text);
  if (member) text = member[1]!.trim();
  if (text.includes("<command-name>")) {
    const args = COMMAND_ARGS.exec(text);
    if (args) text = args[1]!.trim();
  }
  return text.trim();
}
