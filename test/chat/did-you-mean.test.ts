import { describe, expect, it } from "vitest";
import { closestWord } from "../../src/chat/did-you-mean.ts";
import { CONFIG_VARIABLES } from "../../src/config.ts";

/** The plain definition (every word measured on the full table), to hold the skipping version to. */
function referenceClosest(typed: string, known: readonly string[]): string | undefined {
  const plain = (word: string) => word.toLowerCase().replace(/[-_]/g, "");
  const distance = (a: string, b: string) => {
    const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        const cost = a[i - 1] === b[j - 1] ? 0 : 1;
        let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
          value = Math.min(value, rows[i - 2]![j - 2]! + 1);
        rows[i]![j] = value;
      }
    }
    return rows[a.length]![b.length]!;
  };
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const word of known) {
    const d = distance(plain(typed), plain(word));
    if (d < bestDistance) {
      best = word;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(plain(typed).length / 3)) ? best : undefined;
}

describe("closestWord", () => {
  it("names the meant word for typical slips, and nothing for an unrelated one", () => {
    expect(closestWord("hlep", ["start", "help", "chat"])).toBe("help");
    expect(closestWord("--dryrun", ["--dry-run", "--json"])).toBe("--dry-run");
    expect(closestWord("DISCROD_TOKEN", CONFIG_VARIABLES)).toBe("DISCORD_TOKEN");
    expect(closestWord("PLANBOT_DATADIR", CONFIG_VARIABLES)).toBe("PLANBOT_DATA_DIR");
    expect(closestWord("PATH", CONFIG_VARIABLES)).toBeUndefined();
    expect(closestWord("", ["a", "bc"])).toBe("a");
    // Of two equally close words, the first.
    expect(closestWord("cat", ["bat", "hat"])).toBe("bat");
  });

  it("answers as the full comparison of every word would, though it skips words too long or short", () => {
    const environment = [
      "PATH",
      "HOME",
      "HOSTNAME",
      "LANG",
      "TERM",
      "SHELL",
      "PWD",
      "NODE_OPTIONS",
      "PLANBOT_DATADIR",
      "DISCORD_TOKN",
      "TELEGRAM_TOKEN_",
      "DASHBORD_PORT",
      "LOG_LEVLE",
      "EXECUTE_PARALEL",
      "RALPH_COMAND",
      "GITHUB_OWNR",
      "QUEUE_LOCK",
      "WORKER_CONCURENCY",
      "XDG_RUNTIME_DIR",
      "npm_config_cache",
      "a",
      "",
    ];
    const words = [...environment, ...CONFIG_VARIABLES, "hlep", "strat", "projets", "--jsno", "x"];
    const lists = [
      CONFIG_VARIABLES,
      ["start", "chat", "projects", "execute", "doctor", "worker"],
      ["--json", "--dry-run"],
    ];
    for (const list of lists) {
      for (const typed of words) expect(closestWord(typed, list), typed).toBe(referenceClosest(typed, list));
    }
  });
});
