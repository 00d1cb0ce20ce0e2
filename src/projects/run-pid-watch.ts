import type { ProcessProbe } from "./process-probe.ts";
import type { ProjectRecord } from "./project-list.ts";

/** Slugs of the records that run with a recorded PID whose process is gone: a process exit is no file event. */
export function endedRuns(records: Iterable<ProjectRecord>, probe: ProcessProbe): string[] {
  const ended: string[] = [];
  for (const record of records)
    if (isRunningWithPid(record) && !probe.inspect(record.pid).alive) ended.push(record.slug);
  return ended;
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

/** Creates the {@link RunPidWatch}; `onEnded` hears each slug whose run's process is gone, at every probe. */
export function createRunPidWatch(deps: {
  records: () => Iterable<ProjectRecord>;
  probe: ProcessProbe;
  intervalMs: number;
  onEnded: (slug: string) => void;
}): RunPidWatch {
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    for (const slug of endedRuns(deps.records(), deps.probe)) deps.onEnded(slug);
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
