// Reads every import under src/ and fails on an import cycle or on a lower layer importing a higher one.
// The layer order lives in one place, src/layers.ts; docs/architecture.md explains it.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LAYERS } from "../../src/layers.ts";
import { cyclesOf, importsOf, sourceFiles } from "./import-graph.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const files = sourceFiles(root, "src");
const graph = new Map(files.map((file) => [file, importsOf(root, file)] as const));

/** The layer of a file: the longest matching entry of LAYERS wins. */
function layerOf(file: string): { rank: number; name: string } | undefined {
  let best: { rank: number; name: string; length: number } | undefined;
  for (const [rank, layer] of LAYERS.entries()) {
    for (const path of layer.paths) {
      const matches = path.endsWith("/") ? file.startsWith(path) : file === path;
      if (matches && (!best || path.length > best.length)) best = { rank, name: layer.name, length: path.length };
    }
  }
  return best && { rank: best.rank, name: best.name };
}

describe("layers", () => {
  it("every source file belongs to a layer", () => {
    expect(files.filter((file) => !layerOf(file))).toEqual([]);
  });

  it("no file imports a higher layer", () => {
    const violations: string[] = [];
    for (const [file, imports] of graph) {
      const from = layerOf(file)!;
      for (const target of imports) {
        const to = layerOf(target);
        if (to && to.rank > from.rank) violations.push(`${file} (${from.name}) imports ${target} (${to.name})`);
      }
    }
    // A lower layer that needs something above it gets it moved down a layer, or through a port it owns
    // that the runtime wires (docs/architecture.md, "Layers"): no exceptions are kept.
    expect(violations.sort()).toEqual([]);
  });

  it("no import cycles", () => {
    expect(cyclesOf(graph)).toEqual([]);
  });

  it("every import names a file that exists", () => {
    const missing = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => !graph.has(target) && !target.endsWith(".md") && !target.endsWith(".json"))
        .map((target) => `${file} -> ${target}`),
    );
    expect(missing).toEqual([]);
  });

  it("the checker finds a cycle and an upward import when there is one", () => {
    expect(
      cyclesOf(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", ["a"]],
          ["d", ["a"]],
        ]),
      ),
    ).toEqual([["a", "b", "c"]]);
    expect(layerOf("src/chat/reply.ts")!.rank).toBeLessThan(layerOf("src/bot/bot.ts")!.rank);
    expect(layerOf("src/projects/result.ts")!.name).toBe("foundation");
    expect(layerOf("src/config/delivery-settings.ts")!.name).toBe("foundation");
  });
});
