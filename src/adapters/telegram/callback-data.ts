import { randomBytes } from "node:crypto";

/** Telegram's limit on `callback_data`, in bytes (1–64). */
export const CALLBACK_DATA_LIMIT = 64;

/** What a pressed button asks for: a command line to run, or an explanation why it cannot run. */
export type DecodedCallback = { kind: "command"; command: string } | { kind: "expired"; hint: string };

/**
 * Turns a button's line (a command line, or a choice line — see `choiceLine` in src/chat/reply.ts) into
 * `callback_data` and back. A line that fits in 64 bytes is the data itself, so such buttons survive restarts. Longer ones (a long slug plus `--force`) get a short
 * token kept in an in-memory map: those buttons expire when planbot restarts (or when the map evicts
 * them), and pressing one answers "this button expired, type <command>" instead of running anything.
 */
export interface CallbackCodec {
  encode(command: string): string;
  decode(data: string): DecodedCallback;
}

/** Tokens start with this; command lines start with "/" and choice lines with "!", so none collide. */
const TOKEN_MARK = "#";

/** A button line kept as the data itself: a command line, or a choice line (`!<choice id>/command`). */
function isPlainLine(line: string): boolean {
  return line.startsWith("/") || line.startsWith("!");
}

/** Creates a {@link CallbackCodec}; `capacity` bounds the token map (oldest tokens are forgotten first). */
export function createCallbackCodec(capacity = 10_000): CallbackCodec {
  // A per-process prefix: after a restart the counter starts again, and without it an old button's
  // token could name a different command issued by the new process.
  const boot = randomBytes(3).toString("base64url");
  const commandsByToken = new Map<string, string>();
  const tokensByCommand = new Map<string, string>();
  let counter = 0;

  return {
    encode(command) {
      if (isPlainLine(command) && Buffer.byteLength(command) <= CALLBACK_DATA_LIMIT) return command;
      let token = tokensByCommand.get(command);
      if (!token) {
        token = `${TOKEN_MARK}${boot}${(counter++).toString(36)}`;
        commandsByToken.set(token, command);
        tokensByCommand.set(command, token);
        if (commandsByToken.size > capacity) {
          const [oldest, oldCommand] = commandsByToken.entries().next().value as [string, string];
          commandsByToken.delete(oldest);
          tokensByCommand.delete(oldCommand);
        }
      }
      // The rest of the 64 bytes carries the start of the command, so an expired button can still say what to type.
      return `${token}:${clipBytes(command, CALLBACK_DATA_LIMIT - Buffer.byteLength(token) - 1)}`;
    },
    decode(data) {
      if (isPlainLine(data)) return { kind: "command", command: data };
      if (data.startsWith(TOKEN_MARK)) {
        const separator = data.indexOf(":");
        const token = separator === -1 ? data : data.slice(0, separator);
        const command = commandsByToken.get(token);
        if (command) return { kind: "command", command };
        const prefix = separator === -1 ? "" : data.slice(separator + 1);
        return { kind: "expired", hint: prefix ? `${prefix}…` : "the command" };
      }
      return { kind: "expired", hint: "the command" };
    },
  };
}

/** The longest prefix of `text` that fits in `bytes` UTF-8 bytes, never cutting a character. */
function clipBytes(text: string, bytes: number): string {
  if (bytes <= 0) return "";
  let out = "";
  let used = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    out += char;
    used += size;
  }
  return out;
}
