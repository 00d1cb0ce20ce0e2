/**
 * Whether the dashboard may listen where it is configured to: off loopback only behind a strong
 * DASHBOARD_TOKEN. `planbot doctor` and the start-up refusal read these rules as the dashboard does; they
 * sit apart from the request gates (security.ts) so that doctor does not load node:crypto for them.
 */
import { isIP } from "node:net";

/** Whether binding `host` keeps the dashboard on this machine. `0.0.0.0` and `::` are everything but. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare.endsWith(".localhost")) return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (isIP(bare) === 6) return bare === "::1" || bare === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(bare);
  return false;
}

/** What a DASHBOARD_TOKEN must be off loopback, as `doctor` and the start-up refusal word it. */
export const STRONG_TOKEN_RULE =
  "at least 32 characters, at least 10 different ones, not one piece repeated, and at least 128 bits judged by its length and kinds of characters — e.g. the output of `openssl rand -hex 32`";

/**
 * Why `token` is too weak to guard a dashboard others can reach, or undefined. The bits are estimated as
 * length × log2(the alphabet of the kinds of characters used: digits 10, lower 26, upper 26, others 33),
 * which a random token meets and `password` repeated four times does not (it is one piece repeated).
 */
export function weakTokenProblem(token: string): string | undefined {
  const characters = Array.from(token);
  if (characters.length < 32)
    return `it is only ${characters.length} character${characters.length === 1 ? "" : "s"} long`;
  if (new Set(characters).size < 10) return `it uses only ${new Set(characters).size} different characters`;
  // A string is periodic when it occurs in itself doubled before its own length (e.g. "abcabc").
  if ((token + token).indexOf(token, 1) < token.length) return "it is one shorter piece repeated";
  let alphabet = 0;
  if (/\d/.test(token)) alphabet += 10;
  if (/[a-z]/.test(token)) alphabet += 26;
  if (/[A-Z]/.test(token)) alphabet += 26;
  if (/[^\dA-Za-z]/.test(token)) alphabet += 33;
  const bits = Math.floor(characters.length * Math.log2(alphabet));
  if (bits < 128) return `it carries about ${bits} bits`;
  return undefined;
}

/**
 * One line saying why the dashboard must not start on `host` with `token`, or undefined: off loopback
 * (the API can approve and re-plan projects) a token is required, and a strong one.
 */
export function exposureProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  if (!token) {
    return `DASHBOARD_HOST=${host} is not a loopback address and DASHBOARD_TOKEN is not set: anyone who can reach it could approve and re-plan projects. Set DASHBOARD_TOKEN, or bind DASHBOARD_HOST=127.0.0.1.`;
  }
  const weak = weakTokenProblem(token);
  if (!weak) return undefined;
  return `DASHBOARD_TOKEN is too weak for DASHBOARD_HOST=${host} (${weak}): off loopback it must be ${STRONG_TOKEN_RULE}. Or bind DASHBOARD_HOST=127.0.0.1.`;
}
