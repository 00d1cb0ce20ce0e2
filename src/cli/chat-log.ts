import type { Writable } from "node:stream";
import { join } from "node:path";
import type { Config } from "../config.ts";
import { createLogger, type Logger, type ProblemListener } from "../log.ts";
import { openRotatingLogFile } from "./rotating-log-file.ts";

/** The log of a standalone `planbot chat`, in the data dir. */
export const CHAT_LOG_FILE = "chat.log";

/** Past this size `chat.log` moves to `chat.log.1` and a new one begins: at most about twice this on disk. */
export const CHAT_LOG_LIMIT_BYTES = 10 * 1024 * 1024;

/** Where a standalone chat's log goes: `file` names the log file, or undefined when it goes to the terminal. */
export interface ChatLog {
  log: Logger;
  file?: string;
  /**
   * Hands every error logged from now on — and those logged before, kept until now — to `listener`, while the
   * log goes to the file: the chat tells its user, who would not see them otherwise.
   */
  tellProblems(listener: ProblemListener): void;
}

/**
 * The logger of a standalone `planbot chat`, which is a whole planbot (watcher, notifier, executor) sharing the
 * terminal with a conversation. Its log lines would land between the replies, so they go to
 * `<PLANBOT_DATA_DIR>/chat.log` (appended, JSON lines unless LOG_FORMAT says otherwise, at LOG_LEVEL's default;
 * past `limitBytes` it moves to `chat.log.1`, see rotating-log-file.ts);
 * what the user must act on reaches them as chat messages instead: each error line (`tellProblems`), and a
 * store that cannot be read (src/notify/store-health-notices.ts). LOG_LEVEL set means the user asked to watch: the log goes
 * to the terminal's stderr at that level, as `planbot start`'s does. A log file that cannot be opened (a data
 * folder planbot may not write) leaves warnings on stderr.
 */
export function openChatLog(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
  limitBytes = CHAT_LOG_LIMIT_BYTES,
): ChatLog {
  const onTerminal = (level: string): ChatLog => ({
    log: createLogger(level, 2, config.logFormat),
    tellProblems: () => undefined,
  });
  if (env.LOG_LEVEL) return onTerminal(config.logLevel);
  const file = join(config.dataDir, CHAT_LOG_FILE);
  let stream: Writable;
  try {
    stream = openRotatingLogFile(file, limitBytes);
  } catch {
    return onTerminal("warn");
  }
  const early: string[] = [];
  let listener: ProblemListener | undefined;
  const log = createLogger(config.logLevel, stream, config.logFormat, (message) =>
    listener ? listener(message) : early.push(message),
  );
  return {
    log,
    file,
    tellProblems(next) {
      listener = next;
      for (const message of early.splice(0)) next(message);
    },
  };
}
