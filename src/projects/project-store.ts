import { join } from "node:path";
import { createLockedJsonFile, type LockedJsonFile, type MutationOutcome } from "./locked-json-file.ts";
import { fail, type Result } from "./result.ts";
import { TasksFileSchema, describeZodError, type ProjectEntry, type TasksFile } from "./schemas.ts";
import { normalizeSlug } from "./validation.ts";
import type { Clock } from "./clock.ts";

/** The file name the echo-core tools share. */
export const TASKS_FILE_NAME = "approved-tasks.json";

/** Options of a single store mutation. */
export interface MutateOptions {
  /** The version the caller last saw (echo-core's If-Match); a different current version gives `stale`. */
  expectedVersion?: number;
}

/**
 * `approved-tasks.json`: the list of projects every planbot process and the echo-core tools share.
 * Mutations are locked, versioned and atomic (see {@link LockedJsonFile}); `version` counts them.
 */
export interface ProjectStore {
  readonly path: string;
  read(): Promise<Result<{ file: TasksFile }>>;
  /** Applies `apply` under the lock; on success `version` is the file's new version. */
  mutate<T extends object>(
    apply: (file: TasksFile & { projects: ProjectEntry[] }) => MutationOutcome<T>,
    options?: MutateOptions,
  ): Promise<Result<T & { version: number }>>;
  /** Writes of this file made by this process so far ({@link LockedJsonFile.localWrites}). */
  localWrites(): number;
}

/** Dependencies of {@link createProjectStore}. */
export interface ProjectStoreDeps {
  dataDir: string;
  clock: Clock;
  staleLockMs?: number;
}

/** Creates the {@link ProjectStore} of `dataDir`. */
export function createProjectStore(deps: ProjectStoreDeps): ProjectStore {
  const file: LockedJsonFile<TasksFile> = createLockedJsonFile<TasksFile>({
    path: join(deps.dataDir, TASKS_FILE_NAME),
    staleMs: deps.staleLockMs,
    empty: () => ({ projects: [], last_updated: null, version: 0 }),
    parse: (value) => {
      const parsed = TasksFileSchema.safeParse(value);
      if (!parsed.success) return { ok: false, problem: describeZodError(parsed.error) };
      // Keep the raw object, not zod's copy: key order and fields we do not own stay as written.
      return { ok: true, data: value as TasksFile };
    },
    beforeWrite: (data) => {
      data.version = (data.version ?? 0) + 1;
      data.last_updated = deps.clock.now().toISOString();
    },
  });

  return {
    path: file.path,
    localWrites: () => file.localWrites(),
    async read() {
      const result = await file.read();
      return result.ok ? { ok: true, file: result.data } : result;
    },
    async mutate(apply, options = {}) {
      let version = 0;
      const result = await file.mutate(async (data) => {
        const current = data.version ?? 0;
        if (options.expectedVersion !== undefined && options.expectedVersion !== current) {
          return fail(
            "stale",
            `The project list changed (version ${current}, you had ${options.expectedVersion}); reload and retry.`,
            {
              currentVersion: current,
            },
          );
        }
        data.projects ??= [];
        const outcome = await apply(data as TasksFile & { projects: ProjectEntry[] });
        version = current + 1;
        return outcome;
      });
      return result.ok ? { ...result, version } : result;
    },
  };
}

/** Finds a project by slug, case-insensitively (echo-core's rule). */
export function findProject(file: TasksFile, slug: string): ProjectEntry | undefined {
  const wanted = normalizeSlug(slug);
  return file.projects?.find((entry) => normalizeSlug(entry.name ?? "") === wanted);
}
