import { closeSync, fstatSync, openSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { Writable } from "node:stream";

/** A rotation lock older than this was left by a planbot that died mid-rotation: it is taken over. */
const STALE_LOCK_MS = 10_000;

/**
 * Opens `file` for appending (mode 0600; throws when it cannot be opened). A line is written whole with one
 * append, so lines of two processes writing the same file never mix. After a line that takes the file to
 * `limitBytes` or more, the file is renamed to `<file>.1` (replacing the older copy) and a new one is begun:
 * rotation falls between two lines, so none is cut. Several processes may write one file: a rotation runs
 * under `<file>.lock`, re-checks that the file is still the one that grew past the limit, and a writer that
 * finds the file renamed under it (its lines went on into `<file>.1`) opens the new one.
 */
export function openRotatingLogFile(file: string, limitBytes: number): Writable {
  let fd = openSync(file, "a", 0o600);

  const reopen = () => {
    const next = openSync(file, "a", 0o600);
    closeSync(fd);
    fd = next;
  };

  /** Renames the file once it is past the limit, unless another writer is rotating it right now. */
  const rotate = () => {
    const lock = `${file}.lock`;
    if (!takeLock(lock)) return;
    try {
      const current = statOrUndefined(file);
      const ours = fstatSync(fd);
      if (current && current.ino === ours.ino && current.size >= limitBytes) renameSync(file, `${file}.1`);
      reopen();
    } finally {
      unlinkSync(lock);
    }
  };

  // A stream (pino-pretty pipes into it), written synchronously like pino's own file destination, so the
  // last line before an exit is in the file. pino and pino-pretty hand it one whole line per write.
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        let written = 0;
        while (written < chunk.length) written += writeSync(fd, chunk, written);
      } catch (error) {
        done(error as Error);
        return;
      }
      try {
        const current = statOrUndefined(file);
        if (!current || current.ino !== fstatSync(fd).ino) reopen();
        else if (current.size >= limitBytes) rotate();
      } catch {
        // A rotation that fails (a folder turned read-only) keeps writing to the file as it is.
      }
      done();
    },
  });
}

/** Creates the lock file, taking over one left behind; false when another writer holds it. */
function takeLock(lock: string): boolean {
  try {
    closeSync(openSync(lock, "wx", 0o600));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") return false;
    const held = statOrUndefined(lock);
    if (!held || Date.now() - held.mtimeMs < STALE_LOCK_MS) return false;
    try {
      unlinkSync(lock);
      closeSync(openSync(lock, "wx", 0o600));
      return true;
    } catch {
      return false;
    }
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
