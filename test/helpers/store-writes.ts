/**
 * A child that makes `--writes` mutations of the project store in `--data-dir` one after another and exits,
 * for tests that watch a writer's system calls from outside (strace):
 *
 *   node --import tsx test/helpers/store-writes.ts --data-dir D --writes 3
 */
import { parseArgs } from "node:util";
import { systemClock } from "../../src/projects/clock.ts";
import { createProjectStore } from "../../src/projects/project-store.ts";

const { values } = parseArgs({
  options: { "data-dir": { type: "string" }, writes: { type: "string", default: "3" } },
});
const store = createProjectStore({ dataDir: values["data-dir"]!, clock: systemClock });
for (let write = 0; write < Number(values.writes); write += 1) {
  const result = await store.mutate((file) => {
    file.projects.push({ name: `p${write}`, description: "written under strace", status: "pending" });
    return { ok: true };
  });
  if (!result.ok) {
    process.stderr.write(`${result.code}: ${result.message}\n`);
    process.exit(1);
  }
}
