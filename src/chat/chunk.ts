/** One piece of a long text: a slice of the original plus the fence lines added to keep code blocks balanced. */
export interface Chunk {
  /** The exact slice of the input; the bodies of all chunks concatenate to the input. */
  body: string;
  /** A fence line (e.g. "```ts") re-opening a code block the previous chunk was inside. */
  reopen?: string;
  /** Whether a closing fence is appended because the body ends inside a code block. */
  close: boolean;
}

const FENCE_LINE = /^[ \t]*(```+|~~~+)(.*)$/;
const CLOSE = "\n```";

/**
 * Splits text into chunks whose rendering is at most `limit` characters: on paragraph boundaries first,
 * then lines, then words, and mid-word only when a single word is longer than a chunk. A code block
 * cut in two is closed at the end of one chunk and re-opened with its language in the next.
 */
export function splitIntoChunks(text: string, limit: number): Chunk[] {
  if (limit < 40) throw new RangeError(`chunk limit ${limit} is too small`);
  const chunks: Chunk[] = [];
  let position = 0;
  let openFence: string | undefined;
  while (position < text.length) {
    const reopen = openFence;
    const prefixLength = reopen ? reopen.length + 1 : 0;
    const budget = limit - prefixLength - CLOSE.length;
    const remaining = text.length - position;
    let cut: number;
    if (remaining + prefixLength <= limit && fenceAfter(text.slice(position), reopen) === undefined) {
      cut = remaining;
    } else if (remaining <= budget) {
      cut = remaining;
    } else {
      cut = bestCut(text, position, budget);
    }
    const body = text.slice(position, position + cut);
    const after = fenceAfter(body, reopen);
    chunks.push({ body, ...(reopen ? { reopen } : {}), close: after !== undefined });
    openFence = after;
    position += cut;
  }
  return chunks;
}

/** Renders a chunk as text ready to send. */
export function renderChunk(chunk: Chunk): string {
  const start = chunk.reopen ? `${chunk.reopen}\n` : "";
  const end = chunk.close ? (chunk.body.endsWith("\n") ? "```" : CLOSE) : "";
  return `${start}${chunk.body}${end}`;
}

/** {@link splitIntoChunks} then {@link renderChunk}: the strings to send, in order. */
export function chunkText(text: string, limit: number): string[] {
  if (text.length === 0) return [];
  return splitIntoChunks(text, limit).map(renderChunk);
}

/** The last boundary inside the window that keeps most of it: paragraph, then line, then word. */
function bestCut(text: string, position: number, budget: number): number {
  const window = text.slice(position, position + budget);
  const minimum = Math.floor(budget / 3);
  for (const separator of ["\n\n", "\n", " "]) {
    const index = window.lastIndexOf(separator);
    if (index >= minimum) return index + separator.length;
  }
  let cut = budget;
  // Never split a surrogate pair: a lone half is not valid text on any platform.
  const code = text.charCodeAt(position + cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return Math.max(1, cut);
}

/** The fence line still open at the end of `body` (starting inside `open`), or undefined. */
function fenceAfter(body: string, open: string | undefined): string | undefined {
  let current = open;
  let lineStart = 0;
  while (lineStart <= body.length) {
    const newline = body.indexOf("\n", lineStart);
    const line = body.slice(lineStart, newline === -1 ? body.length : newline);
    const match = FENCE_LINE.exec(line);
    if (match) current = current === undefined ? line.trim() : undefined;
    if (newline === -1) break;
    lineStart = newline + 1;
  }
  return current === undefined ? undefined : normalizeFence(current);
}

function normalizeFence(line: string): string {
  const match = FENCE_LINE.exec(line);
  // A short language tag only: a long info string repeated in every chunk could push chunks over the limit.
  const language = /^[\w+#.-]{1,20}/.exec(match?.[2]?.trim() ?? "")?.[0] ?? "";
  return `\`\`\`${language}`;
}
