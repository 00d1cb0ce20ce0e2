/**
 * planbot's layers, lowest first (docs/architecture.md, "Layers"). A file may import files of its own
 * layer and of lower layers only; nothing may import in a cycle. test/architecture/layers.test.ts reads
 * every import under src/ and enforces both. Entries are folders (`src/chat/`) or single files; the most
 * specific entry wins, so a file can sit below the rest of its folder (the result and clock types).
 */
export const LAYERS: readonly { name: string; paths: readonly string[]; why: string }[] = [
  {
    name: "foundation",
    paths: [
      "src/log.ts",
      "src/config.ts",
      "src/config/",
      "src/layers.ts",
      "src/projects/result.ts",
      "src/projects/clock.ts",
      "src/projects/make-folders.ts",
    ],
    why: "logging, configuration (and the settings' shapes the layers above read), Result, Clock and making folders: used everywhere, using nothing of planbot",
  },
  { name: "chat", paths: ["src/chat/"], why: "the chat vocabulary: Incoming, Reply markup, Outbound, chunking" },
  { name: "projects", paths: ["src/projects/"], why: "the store, status derivation, lifecycle and the change watcher" },
  { name: "execute", paths: ["src/execute/"], why: "the Ralph executor" },
  { name: "deliver", paths: ["src/deliver/"], why: "pushing a finished run's branch and opening its pull request" },
  {
    name: "queue",
    paths: ["src/queue/"],
    why: "Ralph runs as BullMQ jobs on Redis, for `planbot worker` on other machines",
  },
  { name: "planning", paths: ["src/planning/"], why: "planning sessions with the planner (Claude Code CLI)" },
  { name: "notify", paths: ["src/notify/"], why: "announcing project transitions to chats" },
  { name: "bot", paths: ["src/bot/"], why: "the command application: the one entry, parser, roles, handlers" },
  { name: "adapters", paths: ["src/adapters/"], why: "platforms: translate events in, render replies out" },
  { name: "runtime", paths: ["src/runtime/"], why: "wiring one planbot process in dependency order" },
  { name: "cli", paths: ["src/cli/", "src/main.ts"], why: "the planbot command line" },
];
