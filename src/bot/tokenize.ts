import { split } from "shlex";
import { fail, type Result } from "../projects/result.ts";

/**
 * Splits a command line into words the way a shell would (quotes group, backslashes escape) using
 * shlex, after two chat-friendly adjustments: an apostrophe inside a word (don't, Bob's) is a letter,
 * not a quote, and a backslash not escaping a quote or backslash is kept (C:\path stays as typed).
 */
export function tokenize(line: string): Result<{ words: string[] }> {
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
