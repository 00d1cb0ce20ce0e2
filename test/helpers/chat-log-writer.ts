/**
 * A child process that logs like a standalone `planbot chat`, for the rotation tests: the real
 * `openChatLog` over the data dir it is given, then `count` info lines `{writer, n}` (n from 0), padded so
 * each is about 200 bytes, then it exits. It says `ready` on stdout once loaded and starts at the first line
 * on its stdin, so the parent can start two writers at the same moment.
 *
 *   node --import tsx test/helpers/chat-log-writer.ts <dataDir> <writer> <count> <limitBytes>
 */
import { openChatLog } from "../../src/cli/chat-log.ts";
import { loadConfig } from "../../src/config.ts";

const [dataDir, writer, count, limit] = process.argv.slice(2);
const loaded = loadConfig({ PLANBOT_DATA_DIR: dataDir }, dataDir);
if (!loaded.ok) throw new Error(loaded.message);
const chatLog = openChatLog(loaded.config, {}, Number(limit));
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
process.stdin.pause();
for (let n = 0; n < Number(count); n += 1) chatLog.log.info({ writer, n, pad: "x".repeat(100) }, "a line");
