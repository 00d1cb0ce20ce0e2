/**
 * Input rules for everything a user can name: slugs, descriptions, repos and git refs. Each validator
 * returns `undefined` when the value is fine, else one sentence naming the field and the rule, so every
 * adapter can show it as is. These rules are also what keeps user text out of git's option parser.
 */

/** The seed's slug rule: lower-case letters, digits and dashes, 1–63 characters, starting with a letter or digit. */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const DESCRIPTION_MAX = 2000;

/** Checks a project slug (case-insensitive like the seed's lookups: `My-App` is accepted as `my-app`). */
export function validateSlug(slug: string): string | undefined {
  if (!slug) return "slug is required: use lower-case letters, digits and dashes, e.g. my-app.";
  if (slug.length > 63) return `slug "${preview(slug)}" is ${slug.length} characters long; the limit is 63.`;
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
  if (text.length > DESCRIPTION_MAX) return `description is ${text.length} characters long; the limit is ${DESCRIPTION_MAX}.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text)) return "description contains control characters; remove them.";
  return undefined;
}

const REPO_PART = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/;

/** Checks a repository name: `name` or `owner/name` of letters, digits, `.`, `_`, `-`, appended to GIT_REMOTE_BASE. */
export function validateRepo(repo: string): string | undefined {
  if (!repo) return "repo is empty: give a repository name such as todo-app or team/todo-app.";
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
  const problem = refNameProblem(branch);
  return problem ? `${field} "${preview(branch)}" is not a valid git branch name: ${problem}.` : undefined;
}

function refNameProblem(name: string): string | undefined {
  if (!name) return "it is empty";
  if (name.length > 200) return "it is longer than 200 characters";
  if (name.startsWith("-")) return 'it starts with "-"';
  if (name === "@") return 'it is the single character "@"';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(name)) return "it contains spaces or control characters";
  if (/[~^:?*[\\]/.test(name)) return 'it contains one of ~ ^ : ? * [ \\';
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
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, "?");
  // Cut by code points, so an emoji is never split into half a surrogate pair.
  const characters = Array.from(flat);
  return characters.length > 40 ? `${characters.slice(0, 40).join("")}…` : flat;
}
