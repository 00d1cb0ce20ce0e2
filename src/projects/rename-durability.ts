import { statfsSync } from "node:fs";

/**
 * Whether a store must fsync its folder after renaming a new file over the old one, or whether the new
 * file's own fsync (which always follows the rename, see atomic-write.ts) already makes the rename durable.
 *
 * POSIX promises neither, so the folder fsync is the rule. Three Linux file systems do make it durable, and
 * on them the folder fsync only costs a second device cache flush per write (docs/architecture.md, "The
 * store's write path"):
 * - ext4 with a journal: the rename changed the file's inode (its ctime) in a transaction, and the file's
 *   fsync waits for the commit of that transaction, which carries the rename.
 * - ext4 without a journal: a file whose name is new since its last fsync has its folder's blocks written by
 *   that fsync (`ext4_sync_parent`); the temp file is never fsynced before it is renamed.
 * - XFS: the rename logs the file's inode, and the file's fsync forces the log up to that change.
 * - btrfs: the fsync of a file renamed in the running transaction logs its new name (or commits).
 * The journalling ones are checked for it by the kernel's own file system tests (xfstests generic/322: rename
 * a file, fsync it under its new name, cut the power, and the new name must be there). The magic numbers are
 * statfs(2)'s (ext2 and ext3 share ext4's, and today's kernels mount them with the ext4
 * driver). Anything else, overlay and network file systems included, keeps the folder fsync.
 */
const FILE_SYNC_COVERS_RENAME = new Map<number, string>([
  [0xef53, "ext4"],
  [0x58465342, "xfs"],
  [0x9123683e, "btrfs"],
]);

/** True when a file system of statfs type `fsType` makes a rename durable with the renamed file's fsync. */
export function fileSyncCoversRename(fsType: number): boolean {
  return FILE_SYNC_COVERS_RENAME.has(fsType);
}

/** Decided once per folder: a store's folder does not change file system while planbot runs. */
const decided = new Map<string, boolean>();

/** Whether renames in `folder` need the folder's own fsync; true when the file system cannot be told. */
export function folderSyncNeeded(folder: string): boolean {
  let needed = decided.get(folder);
  if (needed === undefined) {
    try {
      needed = !fileSyncCoversRename(statfsSync(folder).type);
    } catch {
      needed = true;
    }
    decided.set(folder, needed);
  }
  return needed;
}
