import { split } from "shlex";
import { fail, type Result } from "../projects/result.ts";

/** The characters that make shlex do more than split: quotes and the escape character. */
const QUOTING = /["'\\]/;
/** shlex's whitespace (space, tab, CR, LF), exactly: other Unicode spaces stay inside words, as in shlex. */
const SHLEX_WHITESPACE = /[ \t\r\n]+/;

/**
 * Splits a command line into words the way a shell would (quotes group, backslashes escape) using
 * shlex, after two chat-friendly adjustments: an apostrophe inside a word (don't, Bob's) is a letter,
 * not a quote, and a backslash not escaping a quote or backslash is kept (C:\path stays as typed).
 */
export function tokenize(line: string): Result<{ words: string[] }> {
  // Without quotes or backslashes shlex only splits on its whitespace: most command lines (`/status`,
  // `/run my-app`) take this path and skip the two rewrites and shlex's character-by-character reader.
  if (!QUOTING.test(line)) return { ok: true, words: line.split(SHLEX_WHITESPACE).filter((word) => word !== "") };
  const prepared = line
    .replace(/\\[\\"']|\\/g, (match) => (match.length === 2 ? match : "\\\\"))
    // Skip escapes and double-quoted spans so only a bare apostrophe between letters is taken literally.
    .replace(/\\[\s\S]|"(?:[^"\\]|\\[\s\S])*"|(?<=[\p{L}\p{N}])'(?=[\p{L}\p{N}])/gu, (match) =>
      match === "'" ? "\\'" : match,
    );
  try {
    return { ok: true, words: split(prepared) };
  } catch (error) {
    const message = (error as Error).message;
    if (/quot/i.test(message))
      return fail("usage", "a quote is not closed: close it, or put a backslash before it to use it literally");
    if (/escape/i.test(message)) return fail("usage", "the line ends with a lone backslash");
    return fail("usage", `could not read the line: ${message}`);
  }
}
