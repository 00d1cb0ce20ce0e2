// cloneData copies store data the way structuredClone does (src/projects/clone-data.ts): these are the
// properties the store relies on, checked against structuredClone's own copy of the same value.
import { describe, expect, it } from "vitest";
import { cloneData } from "../../src/projects/clone-data.ts";
import { parseLosslessJson, stringifyLosslessJson } from "../../src/projects/lossless-json.ts";

const text = `{"projects":[{"name":"a","hits":1e400,"tags":["x",{"deep":[1,2,{"z":null}]}],"pid":null}],"version":3}`;

describe("cloneData", () => {
  it("copies parsed store data deeply: changing the copy leaves the original as it was", () => {
    const data = parseLosslessJson(text) as { projects: { tags: unknown[]; name: string }[]; version: number };
    const copy = cloneData(data);
    expect(copy).toEqual(structuredClone(data));
    copy.projects[0]!.name = "b";
    (copy.projects[0]!.tags[1] as { deep: unknown[] }).deep.push(4);
    copy.version = 4;
    expect(stringifyLosslessJson(data)).toBe(stringifyLosslessJson(parseLosslessJson(text)));
  });

  it("keeps a kept number token a String object, written back byte for byte", () => {
    const copy = cloneData(parseLosslessJson(text)) as { projects: { hits: unknown }[] };
    expect(copy.projects[0]!.hits).toBeInstanceOf(String);
    expect(stringifyLosslessJson(copy)).toBe(stringifyLosslessJson(parseLosslessJson(text)));
  });

  it("keeps keys in their order, undefined values and objects without a prototype", () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: undefined });
    const copy = cloneData({ z: 1, a: 2, bare });
    expect(Object.keys(copy)).toEqual(["z", "a", "bare"]);
    expect(Object.keys(copy.bare)).toEqual(["b", "a"]);
    expect("a" in copy.bare).toBe(true);
    expect(copy.bare).not.toBe(bare);
  });

  it("hands what is not plain data to structuredClone: a Date stays a Date, a Map a Map", () => {
    const when = new Date("2026-01-02T03:04:05.000Z");
    const copy = cloneData({ when, seen: new Map([["a", 1]]) });
    expect(copy.when).toBeInstanceOf(Date);
    expect(copy.when).not.toBe(when);
    expect(copy.when.toISOString()).toBe(when.toISOString());
    expect(copy.seen.get("a")).toBe(1);
  });
});
