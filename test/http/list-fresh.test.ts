// The list the dashboard's API serves after this planbot wrote the store itself (a delivery, an approval from
// a chat): it must hold the write at once, though the watcher hears of the file change only later. A page
// that acted and reads again must not be told the old state (the Run tab's "Deliver again" did, on a loaded
// machine, where the write's file event came after the page's read).
import { afterEach, describe, expect, it } from "vitest";
import { startHarness, stopHarnesses } from "./harness.ts";

afterEach(stopHarnesses);

describe("GET /api/projects after this planbot's own write", () => {
  it("serves the write before the watcher's file event, with its version in the list and the signature", async () => {
    // A debounce longer than the test: the watcher's own recomputation never comes on its own.
    const harness = await startHarness({ watch: true, watcherDebounceMs: 600_000 });
    await harness.writeStore([{ name: "shop", status: "pending" }], 1);
    await harness.runtime.watcher.refresh();
    const before = await harness.call("GET", "/api/projects");
    expect(before.json).toMatchObject({ version: 1, projects: [{ slug: "shop", status: "pending" }] });
    const signatureBefore = await harness.call("GET", "/api/projects/signature");

    const approved = await harness.runtime.core.lifecycle.approve("shop");
    expect(approved).toMatchObject({ ok: true, version: 2 });

    const after = await harness.call("GET", "/api/projects");
    expect(after.json).toMatchObject({ version: 2, projects: [{ slug: "shop", status: "approved" }] });
    const signature = await harness.call("GET", "/api/projects/signature");
    expect(signature.json).toMatchObject({ version: 2 });
    expect(signature.json.signature).not.toBe(signatureBefore.json.signature);
  });
});
