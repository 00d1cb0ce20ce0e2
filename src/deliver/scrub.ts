import { scrubSecrets } from "../log.ts";
import { redactUrl } from "../execute/remote-url.ts";

/**
 * Makes text from git or the GitHub API safe to log, store and show in a chat: the token's literal value,
 * credentials inside URLs and token-shaped strings are replaced. Every message leaving src/deliver goes
 * through this.
 */
export function scrubToken(text: string, token: string | undefined): string {
  let clean = text;
  if (token && token.length >= 4) clean = clean.split(token).join("[redacted]");
  if (token && token.length >= 4) {
    // The token also travels base64-encoded in the extra header of an https push.
    const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
    clean = clean.split(basic).join("[redacted]");
  }
  return scrubSecrets(redactUrl(clean));
}
