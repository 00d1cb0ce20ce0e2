#!/bin/bash
# Fake of snarktank/ralph's ralph.sh (MIT) for planbot's tests.
#
# Usage (like the real one): ralph.sh [--tool amp|claude] [max_iterations]
# The executor copies it (with CLAUDE.md and prompt.md from this folder) to
# <workspace>/scripts/ralph/ and runs it from the workspace.
#
# What it reproduces of the real script, because planbot depends on it:
#   - `--tool amp|claude` (default amp, also --tool=X), max_iterations
#     (default 10), "Error: Invalid tool" + exit 1 for another tool;
#   - paths relative to its own folder, not resolved through a symlink;
#   - reads prd.json's branchName with jq: on a change from .last-branch it
#     archives prd.json and progress.txt to archive/<date>-<branch without
#     ralph/>/ and resets progress.txt; writes .last-branch and progress.txt;
#     without jq this silently does nothing (the real `jq … || echo ""`);
#   - each iteration runs the agent as the real one does, output captured with
#     `OUTPUT=$(… 2>&1 | tee /dev/stderr) || true`: claude gets CLAUDE.md on
#     stdin (`< "$SCRIPT_DIR/CLAUDE.md"`: a missing file is bash's own error
#     and an empty iteration), amp gets prompt.md through `cat`;
#   - exits 0 as soon as an iteration's output contains
#     <promise>COMPLETE</promise> ("Ralph completed all tasks!"), 1 after
#     max_iterations ("Ralph reached max iterations");
#   - sleeps between iterations: 2 s like the real one, FAKE_RALPH_DELAY_MS
#     shortens it for tests.
#
# The agent: with FAKE_RALPH_AGENT=cli the real `claude` / `amp` on PATH runs,
# exactly like the real script. Otherwise a built-in stand-in for
# `claude --dangerously-skip-permissions --print` that does what snarktank's
# CLAUDE.md asks of the agent:
#   - like the Claude CLI, refuses as root unless IS_SANDBOX=1 ("cannot be used
#     with root/sudo privileges for security reasons", exit 1);
#     FAKE_RALPH_UID overrides the uid it sees (tests as an ordinary user);
#   - needs the prompt on stdin (the CLI's "Input must be provided" error);
#   - checks out prd.json's branchName (creating it when missing);
#   - picks the story with passes:false and the lowest priority number (file
#     order breaks ties), writes logs/iteration-<n>.log, appends to
#     progress.txt, and depending on the mode:
#       complete (default)  passes:true; <promise>COMPLETE</promise> once all pass
#       fail                iteration 2: failed:true on its story,
#                           "error: tests failed for <id>"
#       block               iteration 2: blocked:true on every story still
#                           passes:false, "blocked: <id> <id>…"
#       hang                iteration 1 completes its story, then sleeps forever
#                           (a `sleep` child: kill the process group)
#   - FAKE_RALPH_COMMIT=1 commits each iteration (git add -A && git commit).
# Deviation, to keep tests short: in fail and block modes the fake stops
# after that iteration with exit 1 (the real loop would run on to
# max_iterations and then also exit 1).
#
# Test controls: mode from scripts/ralph/.fake-mode when that file exists (per
# project), else $FAKE_RALPH_MODE, else "complete". While
# scripts/ralph/.fake-hold exists, each iteration waits before its agent runs.
#
# It is run through its shebang, so /proc/<pid>/cmdline holds ".../ralph.sh":
# planbot's derived status ("running-ralph") relies on that.

set -e

TOOL="amp"
MAX_ITERATIONS=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --tool) TOOL="$2"; shift 2 ;;
    --tool=*) TOOL="${1#*=}"; shift ;;
    *)
      # Like the real script: a bare number is max_iterations, anything else is ignored.
      if [[ "$1" =~ ^[0-9]+$ ]]; then MAX_ITERATIONS="$1"; fi
      shift
      ;;
  esac
done
if [[ "$TOOL" != "amp" && "$TOOL" != "claude" ]]; then
  echo "Error: Invalid tool '$TOOL'. Must be 'amp' or 'claude'."
  exit 1
fi

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PRD_FILE="$SCRIPT_DIR/prd.json"
PROGRESS_FILE="$SCRIPT_DIR/progress.txt"
ARCHIVE_DIR="$SCRIPT_DIR/archive"
LAST_BRANCH_FILE="$SCRIPT_DIR/.last-branch"
LOG_DIR="$SCRIPT_DIR/logs"

MODE="${FAKE_RALPH_MODE:-complete}"
if [[ -f "$SCRIPT_DIR/.fake-mode" ]]; then
  MODE="$(tr -d '[:space:]' < "$SCRIPT_DIR/.fake-mode")"
fi
case "$MODE" in complete|fail|block|hang) ;; *)
  echo "fake ralph: unknown mode '$MODE' (complete|fail|block|hang)" >&2
  exit 2
  ;;
esac
DELAY_S="$(awk -v ms="${FAKE_RALPH_DELAY_MS:-2000}" 'BEGIN { printf "%.3f", ms / 1000 }')"

# Archive previous run if branch changed (as the real script).
if [ -f "$PRD_FILE" ] && [ -f "$LAST_BRANCH_FILE" ]; then
  CURRENT_BRANCH=$(jq -r '.branchName // empty' "$PRD_FILE" 2>/dev/null || echo "")
  LAST_BRANCH=$(cat "$LAST_BRANCH_FILE" 2>/dev/null || echo "")
  if [ -n "$CURRENT_BRANCH" ] && [ -n "$LAST_BRANCH" ] && [ "$CURRENT_BRANCH" != "$LAST_BRANCH" ]; then
    DATE=$(date +%Y-%m-%d)
    FOLDER_NAME=$(echo "$LAST_BRANCH" | sed 's|^ralph/||')
    ARCHIVE_FOLDER="$ARCHIVE_DIR/$DATE-$FOLDER_NAME"
    echo "Archiving previous run: $LAST_BRANCH"
    mkdir -p "$ARCHIVE_FOLDER"
    [ -f "$PRD_FILE" ] && cp "$PRD_FILE" "$ARCHIVE_FOLDER/"
    [ -f "$PROGRESS_FILE" ] && cp "$PROGRESS_FILE" "$ARCHIVE_FOLDER/"
    echo "   Archived to: $ARCHIVE_FOLDER"
    echo "# Ralph Progress Log" > "$PROGRESS_FILE"
    echo "Started: $(date)" >> "$PROGRESS_FILE"
    echo "---" >> "$PROGRESS_FILE"
  fi
fi

# Track current branch.
if [ -f "$PRD_FILE" ]; then
  CURRENT_BRANCH=$(jq -r '.branchName // empty' "$PRD_FILE" 2>/dev/null || echo "")
  if [ -n "$CURRENT_BRANCH" ]; then
    echo "$CURRENT_BRANCH" > "$LAST_BRANCH_FILE"
  fi
fi

if [ ! -f "$PROGRESS_FILE" ]; then
  echo "# Ralph Progress Log" > "$PROGRESS_FILE"
  echo "Started: $(date)" >> "$PROGRESS_FILE"
  echo "---" >> "$PROGRESS_FILE"
fi

# prd <action> [id]: the built-in agent's JSON work in one small node program.
#   next            print "<id>\t<title>" of the story to work on, or nothing
#   pass|fail <id>  set passes:true / failed:true on that story
#   block           set blocked:true on every passes:false story, print their ids
# Writes go through a temp file + rename so a reader never sees half a file;
# unknown fields are kept.
prd() {
  node -e '
    const fs = require("fs");
    const [file, action, id] = process.argv.slice(1);
    const doc = JSON.parse(fs.readFileSync(file, "utf8"));
    const stories = Array.isArray(doc.userStories) ? doc.userStories : [];
    const open = stories.filter((s) => s.passes !== true);
    const save = () => {
      fs.writeFileSync(file + ".tmp", JSON.stringify(doc, null, 2) + "\n");
      fs.renameSync(file + ".tmp", file);
    };
    if (action === "next") {
      // stable sort: equal priorities keep file order
      const next = [...open].sort((a, b) => (a.priority ?? 1e9) - (b.priority ?? 1e9))[0];
      if (next) process.stdout.write(next.id + "\t" + (next.title ?? ""));
    } else if (action === "pass" || action === "fail") {
      const s = stories.find((x) => x.id === id);
      if (action === "pass") s.passes = true; else s.failed = true;
      save();
    } else if (action === "block") {
      for (const s of open) s.blocked = true;
      save();
      process.stdout.write(open.map((s) => s.id).join(" "));
    }
  ' "$PRD_FILE" "$@"
}

commit() {
  [[ "${FAKE_RALPH_COMMIT:-}" == "1" ]] || return 0
  git rev-parse --is-inside-work-tree > /dev/null 2>&1 || return 0
  git add -A
  # Tests may run where no git identity is configured.
  git -c user.name="${GIT_AUTHOR_NAME:-fake ralph}" -c user.email="${GIT_AUTHOR_EMAIL:-ralph@example.invalid}" \
    commit -q -m "$1" || true
}

# The agent's first step in snarktank's CLAUDE.md: be on the PRD's branch.
checkout_branch() {
  local want have
  want="$(jq -r '.branchName // empty' "$PRD_FILE" 2>/dev/null || true)"
  [[ -n "$want" ]] || return 0
  git rev-parse --is-inside-work-tree > /dev/null 2>&1 || return 0
  have="$(git symbolic-ref --quiet --short HEAD 2>/dev/null || true)"
  [[ "$have" == "$want" ]] && return 0
  if git show-ref --verify --quiet "refs/heads/$want"; then
    git switch --quiet "$want" || return 1
  else
    git switch --quiet -c "$want" || return 1
  fi
  echo "checked out branch $want (prd.json branchName)"
}

# agent <tool> <flags…>: one agent run, prompt on stdin.
agent() {
  local tool="$1"
  shift
  if [[ "${FAKE_RALPH_AGENT:-}" == "cli" ]]; then
    "$tool" "$@"
    return
  fi
  local prompt
  prompt="$(cat)"
  if [[ "$tool" == "claude" && "${FAKE_RALPH_UID:-$(id -u)}" == "0" && "${IS_SANDBOX:-}" != "1" ]]; then
    echo "--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons" >&2
    return 1
  fi
  if [[ -z "$prompt" ]]; then
    echo "Error: Input must be provided either through stdin or as a prompt argument when using --print" >&2
    return 1
  fi
  checkout_branch || { echo "error: could not check out the PRD's branch"; return 1; }
  mkdir -p "$LOG_DIR"
  local log="$LOG_DIR/iteration-$i.log" next id title ids
  next="$(prd next)"
  if [[ -z "$next" ]]; then
    echo "iteration $i: no incomplete stories" | tee "$log"
    echo "<promise>COMPLETE</promise>"
    return 0
  fi
  id="${next%%$'\t'*}"
  title="${next#*$'\t'}"
  echo "iteration $i: working on $id - $title" | tee "$log"
  if [[ "$MODE" == "fail" && $i -eq 2 ]]; then
    prd fail "$id"
    echo "error: tests failed for $id" | tee -a "$log" >&2
    commit "$id"
    echo "fake-agent: stop"
    return 1
  fi
  if [[ "$MODE" == "block" && $i -eq 2 ]]; then
    ids="$(prd block)"
    echo "blocked: $ids" | tee -a "$log"
    commit "$id"
    echo "fake-agent: stop"
    return 1
  fi
  prd pass "$id"
  echo "iteration $i: $id passes" | tee -a "$log"
  echo "## Iteration $i - $id" >> "$PROGRESS_FILE"
  commit "$id"
  if [[ "$MODE" == "hang" ]]; then
    echo "iteration $i: hanging (fake mode hang)"
    # A child sleep, not exec: the script must stay ralph.sh in /proc cmdline.
    sleep 100000
    return 1
  fi
  if [[ -z "$(prd next)" ]]; then
    echo "<promise>COMPLETE</promise>"
  fi
}

echo "Starting Ralph - Tool: $TOOL - Max iterations: $MAX_ITERATIONS"

for i in $(seq 1 "$MAX_ITERATIONS"); do
  echo ""
  echo "==============================================================="
  echo "  Ralph Iteration $i of $MAX_ITERATIONS ($TOOL)"
  echo "==============================================================="

  while [[ -e "$SCRIPT_DIR/.fake-hold" ]]; do sleep 0.02; done

  if [[ "$TOOL" == "amp" ]]; then
    OUTPUT=$(cat "$SCRIPT_DIR/prompt.md" | agent amp --dangerously-allow-all 2>&1 | tee /dev/stderr) || true
  else
    OUTPUT=$(agent claude --dangerously-skip-permissions --print < "$SCRIPT_DIR/CLAUDE.md" 2>&1 | tee /dev/stderr) || true
  fi

  if echo "$OUTPUT" | grep -q "<promise>COMPLETE</promise>"; then
    echo ""
    echo "Ralph completed all tasks!"
    echo "Completed at iteration $i of $MAX_ITERATIONS"
    exit 0
  fi
  if echo "$OUTPUT" | grep -q "^fake-agent: stop"; then
    exit 1
  fi

  echo "Iteration $i complete. Continuing..."
  sleep "$DELAY_S"
done

echo ""
echo "Ralph reached max iterations ($MAX_ITERATIONS) without completing all tasks."
echo "Check $PROGRESS_FILE for status."
exit 1
