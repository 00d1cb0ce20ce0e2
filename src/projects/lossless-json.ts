import { randomHex } from "./random-hex.ts";

/**
 * JSON that keeps every number as it was written. The stores are shared with other tools (Ralph, scripts,
 * people with an editor), and the README promises that fields planbot does not own survive its rewrites;
 * `JSON.parse` turns `1e400` into Infinity (written back as `null`), rounds long decimals and big integers.
 *
 * A number token that a double reproduces exactly (`String(Number(token)) === token`, true for every number
 * planbot itself writes) is read as a plain number. Any other token is read as a `String` object holding the
 * token (`new String("1e400")`) and written back byte for byte. JSON text never produces a `String` object
 * (its strings are primitives), so no stored string can be mistaken for a number — the old
 * `"\u0000planbot-int:<digits>"` marker could be forged by any string with that text — and copies of the
 * data keep `String` objects (clone-data.ts, like `structuredClone`), so they keep the token too. Seen
 * through plain `JSON.stringify` (the HTTP API), such a number shows as its token in a string.
 */

/** A number token kept byte for byte. */
export type KeptNumber = InstanceType<typeof String>;

/** Whether `value` is a number token kept byte for byte by {@link parseLosslessJson}. */
export function isKeptNumber(value: unknown): value is KeptNumber {
  return value instanceof String;
}

// A JSON number token in its strict grammar (so an invalid `01` stays invalid), matched where a scan found one.
const NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const NUMBER_TOKEN = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Parses JSON text like `JSON.parse`, keeping numbers a double cannot reproduce as {@link KeptNumber}s. Throws a SyntaxError like JSON.parse. */
export function parseLosslessJson(text: string): unknown {
  const found = unreproducibleNumbers(text);
  if (found.length === 0) return JSON.parse(text);
  // A fresh random nonce per parse, checked absent from the text: no string in it can spell a placeholder.
  const nonce = freshNonce(text);
  const kept: string[] = [];
  let marked = "";
  let at = 0;
  for (const [start, end] of found) {
    marked += `${text.slice(at, start)}"${nonce}${kept.length}"`;
    kept.push(text.slice(start, end));
    at = end;
  }
  marked += text.slice(at);
  const revive = (_key: string, value: unknown) => {
    if (typeof value !== "string" || !value.startsWith(nonce)) return value;
    const token = kept[Number(value.slice(nonce.length))];
    return token === undefined ? value : new String(token);
  };
  try {
    return JSON.parse(marked, revive) as unknown;
  } catch (error) {
    // Report the error at the file's own positions, not at those of the marked copy.
    JSON.parse(text);
    throw error;
  }
}

/**
 * Where the number tokens outside strings are that a double does not reproduce, as [start, end) pairs.
 * Strings are skipped with indexOf (native speed), so a store of long descriptions costs little more
 * than JSON.parse. On text that is not JSON the result does not matter: JSON.parse reports the error.
 */
function unreproducibleNumbers(text: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const quote = text.indexOf('"', i);
    const segmentEnd = quote === -1 ? length : quote;
    while (i < segmentEnd) {
      const c = text.charCodeAt(i);
      if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
        NUMBER_AT.lastIndex = i;
        const token = NUMBER_AT.exec(text)?.[0];
        if (!token) {
          i += 1;
          continue;
        }
        if (!reproducible(token)) found.push([i, i + token.length]);
        i += token.length;
      } else {
        i += 1;
      }
    }
    if (quote === -1) break;
    i = stringEnd(text, quote);
  }
  return found;
}

/** The index after the string that opens at `quote` (or the text's length if it never closes). */
function stringEnd(text: string, quote: number): number {
  let from = quote + 1;
  for (;;) {
    const close = text.indexOf('"', from);
    if (close === -1) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === 92 /* \ */) backslashes += 1;
    if (backslashes % 2 === 0) return close + 1;
    from = close + 1;
  }
}

/** Serialises like `JSON.stringify(value, null, indent)`, writing every {@link KeptNumber} as its original token. */
export function stringifyLosslessJson(value: unknown, indent = 2): string {
  const kept: string[] = [];
  // Made only when a kept number turns up, so a store without one (nearly all) pays no random bytes per write.
  let nonce: string | undefined;
  const json = JSON.stringify(
    value,
    (_key, current: unknown) => {
      if (!isKeptNumber(current)) return current;
      const token = current.valueOf();
      // Only the parser makes KeptNumbers; anything else shaped like one is written as the string it is.
      if (!NUMBER_TOKEN.test(token)) return token;
      nonce ??= `\u0000${randomHex(16)}:`;
      kept.push(token);
      return `${nonce}${kept.length - 1}`;
    },
    indent,
  );
  if (kept.length === 0 || nonce === undefined) return json;
  // JSON.stringify escapes U+0000 as \u0000; the random nonce makes every match one of ours.
  const escaped = JSON.stringify(nonce).slice(1, -1);
  return json.replace(
    new RegExp(`"${escaped.replace(/\\/g, "\\\\")}(\\d+)"`, "g"),
    (_match, index: string) => kept[Number(index)]!,
  );
}

function reproducible(token: string): boolean {
  const number = Number(token);
  return Number.isFinite(number) && String(number) === token;
}

function freshNonce(text: string): string {
  for (;;) {
    const nonce = `planbot-number-${randomHex(16)}:`;
    if (!text.includes(nonce)) return nonce;
  }
}
