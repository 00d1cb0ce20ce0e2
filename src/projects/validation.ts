/**
 * Input rules for everything a user can name: slugs, descriptions, repos and git refs. Each validator
 * returns `undefined` when the value is fine, else one sentence naming the field and the rule, so every
 * adapter can show it as is. These rules are also what keeps user text out of git's option parser.
 */

/** Echo-core's slug rule: lower-case letters, digits and dashes, 1–63 characters, starting with a letter or digit. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const DESCRIPTION_MAX = 2000;

/** Checks a project slug (case-insensitive like echo-core's lookups: `My-App` is accepted as `my-app`). */
export function validateSlug(slug: string): string | undefined {
  if (!slug) return "slug is required: use lower-case letters, digits and dashes, e.g. my-app.";
  const hidden = bidiProblem(slug, "slug");
  if (hidden) return hidden;
  if (slug.length > 63)
    return `slug "${preview(slug)}" is ${slug.length} characters long; the limit is 63: use a shorter one, such as my-app.`;
  if (!SLUG_PATTERN.test(slug.toLowerCase())) {
    return `slug "${preview(slug)}" is not valid: use lower-case letters, digits and dashes, starting with a letter or digit (e.g. my-app).`;
  }
  return undefined;
}

/** Normalises a slug the way lookups compare it. */
export function normalizeSlug(slug: string): string {
  return slug.trim().toLowerCase();
}

/** Checks a project description: 1–2000 characters after trimming, no control characters but newlines and tabs. */
export function validateDescription(description: string): string | undefined {
  const text = description.trim();
  if (!text) return "description is required: say in a sentence what the project should do.";
  if (text.length > DESCRIPTION_MAX)
    return `description is ${text.length} characters long; the limit is ${DESCRIPTION_MAX}. Keep it to a summary: the details can go to the planner while planning.`;
  return textProblem(text, "description");
}

/** Checks an answer to the planner: no control characters but newlines and tabs, no bidirectional controls. */
export function validateAnswer(answer: string): string | undefined {
  return textProblem(answer, "answer");
}

/** Free text (descriptions, answers): control characters other than newlines and tabs, and bidirectional controls. */
function textProblem(text: string, field: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text))
    return `${field} contains control characters; remove them.`;
  return bidiProblem(text, field);
}

/**
 * The invisible characters that reorder how text is displayed (Trojan Source, CVE-2021-42574): with them a
 * branch name or description shown in a chat can read as another. Their names, for the message.
 */
const BIDI_CONTROLS: Record<string, string> = {
  "\u061c": "ARABIC LETTER MARK",
  "\u200e": "LEFT-TO-RIGHT MARK",
  "\u200f": "RIGHT-TO-LEFT MARK",
  "\u202a": "LEFT-TO-RIGHT EMBEDDING",
  "\u202b": "RIGHT-TO-LEFT EMBEDDING",
  "\u202c": "POP DIRECTIONAL FORMATTING",
  "\u202d": "LEFT-TO-RIGHT OVERRIDE",
  "\u202e": "RIGHT-TO-LEFT OVERRIDE",
  "\u2066": "LEFT-TO-RIGHT ISOLATE",
  "\u2067": "RIGHT-TO-LEFT ISOLATE",
  "\u2068": "FIRST STRONG ISOLATE",
  "\u2069": "POP DIRECTIONAL ISOLATE",
};
const BIDI_PATTERN = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const BIDI_GLOBAL = new RegExp(BIDI_PATTERN.source, "g");

/** One sentence naming the first bidirectional control character in `value` and the field, or undefined. */
export function bidiProblem(value: string, field: string): string | undefined {
  const found = BIDI_PATTERN.exec(value);
  if (!found) return undefined;
  const character = found[0];
  const code = `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
  return `${field} contains the invisible character ${code} (${BIDI_CONTROLS[character]}) at position ${found.index + 1}, which changes how text is displayed; remove it.`;
}

const REPO_PART = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** Checks a repository name: `name` or `owner/name` of letters, digits, `.`, `_`, `-`, appended to GIT_REMOTE_BASE. */
export function validateRepo(repo: string): string | undefined {
  if (!repo) return "repo is empty: give a repository name such as todo-app or team/todo-app.";
  const hidden = bidiProblem(repo, "repo");
  if (hidden) return hidden;
  const parts = repo.split("/");
  if (parts.length > 2 || parts.some((part) => !REPO_PART.test(part) || part.includes(".."))) {
    return `repo "${preview(repo)}" is not valid: use name or owner/name made of letters, digits, ".", "_" and "-", not starting with "-" or ".".`;
  }
  return undefined;
}

/**
 * Checks a branch name against git's ref-name rules (git check-ref-format) plus one of ours: no leading
 * "-", so a branch can never be read as an option.
 */
export function validateBranch(branch: string, field = "branch"): string | undefined {
  return branchProblem(branch, field, "use a name such as feat/reminders");
}

/** Checks the branch a project starts from, by the rules of {@link validateBranch}; named as the forms name it. */
export function validateBaseBranch(base: string): string | undefined {
  return branchProblem(base, "base branch", "name the branch to start from, such as main");
}

/** The rule's sentence: what is wrong with the name, then what to do (`advice`). */
function branchProblem(branch: string, field: string, advice: string): string | undefined {
  const hidden = bidiProblem(branch, field);
  if (hidden) return hidden;
  const problem = refNameProblem(branch);
  return problem ? `${field} "${preview(branch)}" is not a valid git branch name: ${problem}; ${advice}.` : undefined;
}

function refNameProblem(name: string): string | undefined {
  if (!name) return "it is empty";
  if (name.length > 200) return "it is longer than 200 characters";
  if (name.startsWith("-")) return 'it starts with "-"';
  if (name === "@") return 'it is the single character "@"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(name)) return "it contains spaces or control characters";
  if (/[~^:?*[\\]/.test(name)) return "it contains one of ~ ^ : ? * [ \\";
  if (name.includes("..")) return 'it contains ".."';
  if (name.includes("@{")) return 'it contains "@{"';
  if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) return "it has an empty path component";
  if (name.endsWith(".")) return 'it ends with "."';
  for (const component of name.split("/")) {
    if (component.startsWith(".")) return 'a component starts with "."';
    if (component.endsWith(".lock")) return 'a component ends with ".lock"';
  }
  return undefined;
}

function preview(value: string): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, "?").replace(BIDI_GLOBAL, "?");
  // Cut by code points, so an emoji is never split into half a surrogate pair.
  const characters = Array.from(flat);
  return characters.length > 40 ? `${characters.slice(0, 40).join("")}…` : flat;
}
