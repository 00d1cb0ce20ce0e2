import { liveStatus } from "./derive-status.ts";
import type { ProcessProbe } from "./process-probe.ts";
import type { ProjectRecord } from "./project-list.ts";
import { defaultRalphSignature, type RalphSignature } from "./ralph-signature.ts";

/**
 * Slugs of the records that run with a recorded PID whose process no longer matches the record: it is gone,
 * or it runs another program than the record says (the configured Ralph, `isRalph`, ↔ something else). Neither a process exit nor
 * an `exec` is a file event, so only probing sees them. A command line that reads empty (a process inside
 * execve) is no evidence either way: the next probe decides.
 */
export function changedRuns(
  records: Iterable<ProjectRecord>,
  probe: ProcessProbe,
  isRalph: RalphSignature = defaultRalphSignature,
): string[] {
  const changed: string[] = [];
  for (const record of records) {
    if (!isRunningWithPid(record)) continue;
    const info = probe.inspect(record.pid);
    if (!info.alive) changed.push(record.slug);
    else if (info.commandLine !== "" && liveStatus(info.commandLine, "", isRalph) !== record.status)
      changed.push(record.slug);
  }
  return changed;
}

function isRunningWithPid(record: ProjectRecord): boolean {
  return Boolean(record.pid) && record.status.startsWith("running");
}

/**
 * Probes the PIDs of running projects on an interval, only while some project runs with a recorded
 * PID: an idle planbot never wakes up for it.
 */
export interface RunPidWatch {
  /** Starts or stops the interval to match the records now (always stops once `stopped`). */
  arm(stopped: boolean): void;
}

/** Creates the {@link RunPidWatch}; `onChanged` hears each slug {@link changedRuns} names, at every probe. */
export function createRunPidWatch(deps: {
  records: () => Iterable<ProjectRecord>;
  probe: ProcessProbe;
  isRalph?: RalphSignature | undefined;
  intervalMs: number;
  onChanged: (slug: string) => void;
}): RunPidWatch {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    for (const slug of changedRuns(deps.records(), deps.probe, deps.isRalph)) deps.onChanged(slug);
  };
  return {
    arm(stopped) {
      let needed = false;
      for (const record of deps.records()) if (isRunningWithPid(record)) needed = true;
      if (needed && !timer && !stopped) timer = setInterval(check, deps.intervalMs).unref();
      if ((!needed || stopped) && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    },
  };
}
