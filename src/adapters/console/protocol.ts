import { join } from "node:path";
import type { TerminalLook } from "./terminal-styles.ts";

/**
 * The local socket `planbot chat` attaches through: `<PLANBOT_DATA_DIR>/planbot.sock`, a Unix socket
 * only the data dir's owner can open (mode 0600). Messages are JSON, one per line.
 */
export const SOCKET_FILE = "planbot.sock";

/** The socket of a data dir. */
export function socketPath(dataDir: string): string {
  return join(dataDir, SOCKET_FILE);
}

/** Terminal → planbot. */
export type ClientMessage =
  /**
   * First message: who is typing (the OS user name), whether replies should come styled for a colour
   * terminal, and whether each line must wait for the answer to the one before (piped input; see
   * console-session.ts).
   */
  | { type: "hello"; user: string; look?: TerminalLook; inOrder?: boolean }
  | { type: "line"; text: string }
  /** Ctrl-C: stop the planner turns this terminal started. */
  | { type: "interrupt" }
  /** The input ended: answer what was sent, then say bye. */
  | { type: "end" };

/** planbot → terminal. */
export type ServerMessage = { type: "print"; text: string } | { type: "bye" };

/** Splits a byte stream into JSON messages, one per line; a line that is not JSON is skipped. */
export function messageReader<T>(onMessage: (message: T) => void): (chunk: Buffer) => void {
  let buffered = "";
  return (chunk) => {
    buffered += chunk.toString("utf8");
    let newline = buffered.indexOf("\n");
    while (newline !== -1) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim()) {
        try {
          onMessage(JSON.parse(line) as T);
        } catch {
          // Not ours: ignore rather than crash the process that serves every chat.
        }
      }
      newline = buffered.indexOf("\n");
    }
  };
}
