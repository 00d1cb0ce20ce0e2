/**
 * Awaits `work` while keeping the event loop alive: Ralph's child handle and the queue's connections are
 * unref'd, so a `planbot execute` waiting on runs would otherwise exit with the runs unfinished.
 */
export async function keepingAlive<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(() => undefined, 1 << 30);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
