import { isAbsolute, relative } from "node:path";
import { escapeMarkup, type Reply } from "./reply.ts";

/**
 * planbot's own folders on its machine. Chat members never see them: an absolute path shows the server's
 * user name and folder layout, and means nothing on a phone. The CLI, run by the server's operator, keeps them.
 */
export interface ServerFolders {
  /** PLANBOT_DATA_DIR, resolved. */
  readonly dataDir: string;
  /** PLANBOT_WORKSPACE_DIR, resolved: one folder per project. */
  readonly workspaceDir: string;
}

/** What a bare folder reads as once its path is hidden. */
const FOLDER_WORDS: Record<keyof ServerFolders, string> = {
  workspaceDir: "the projects' workspace folder",
  dataDir: "planbot's data folder",
};

/**
 * `path` relative to `root` when it lies inside it (`scripts/ralph/final-plan.md`), else undefined: the
 * words a chat shows for a file of a project's workspace.
 */
export function insideFolder(path: string, root: string): string | undefined {
  if (!isAbsolute(path)) return undefined;
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : undefined;
}

/**
 * `text` with every absolute path under planbot's folders written relative to them: a workspace file
 * becomes `<slug>/scripts/ralph/…`, a data file its name, a bare folder a few words. Handlers that know
 * the project word their paths better themselves (`scripts/ralph/final-plan.md` of a project); this is
 * the net under every chat reply for the rest, above all error messages of lower layers and the planner's
 * own text. Paths inside URLs (`file:///…`) are left alone, as are folders too short to tell apart.
 */
export function hideServerPaths(text: string, folders: ServerFolders): string {
  let shown = text;
  for (const folder of folderPatterns(folders)) {
    if (!folder.spellings.some((spelling) => shown.includes(spelling))) continue;
    shown = shown.replace(folder.inside, "").replace(folder.bare, folder.words);
  }
  return shown;
}

/** How one of planbot's folders is found in a reply's text, and the words a bare mention becomes. */
interface FolderPattern {
  /** The folder's path as written, and with markup characters escaped (text outside code spans: `my\_home`). */
  spellings: string[];
  /** The folder followed by a path inside it: the folder part goes. */
  inside: RegExp;
  /** The folder on its own. */
  bare: RegExp;
  words: string;
}

/** Every reply passes through here, and the folders never change: their patterns are worked out once. */
const patternsOf = new WeakMap<ServerFolders, FolderPattern[]>();

function folderPatterns(folders: ServerFolders): FolderPattern[] {
  const known = patternsOf.get(folders);
  if (known) return known;
  // The workspace folder usually lies inside the data folder: the longer path is replaced first.
  const order = (Object.keys(FOLDER_WORDS) as (keyof ServerFolders)[]).sort(
    (a, b) => folders[b].length - folders[a].length,
  );
  const patterns: FolderPattern[] = [];
  for (const key of order) {
    const folder = folders[key].replace(/\/+$/, "");
    // Folders too short to tell apart are left alone.
    if (folder.length < 2) continue;
    const spellings = [...new Set([folder, escapeMarkup(folder)])];
    const forms = spellings.map(escapeRegExp).join("|");
    patterns.push({
      spellings,
      inside: new RegExp(`(?<![\\w/.~-])(?:${forms})/(?=[\\w.~-])`, "g"),
      bare: new RegExp(`(?<![\\w/.~-])(?:${forms})/?(?![\\w~-]|\\.[\\w.~-])`, "g"),
      words: FOLDER_WORDS[key],
    });
  }
  patternsOf.set(folders, patterns);
  return patterns;
}

/** A reply whose text shows no path of planbot's folders (see {@link hideServerPaths}); the rest is kept. */
export function hideServerPathsIn(reply: Reply, folders: ServerFolders): Reply {
  const text = hideServerPaths(reply.text, folders);
  return text === reply.text ? reply : { ...reply, text };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
