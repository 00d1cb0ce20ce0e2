#!/bin/bash
# Fake of snarktank/ralph's ralph.sh for planbot's executor tests.
#
# Usage (like the real one): ralph.sh [--tool amp|claude] [max_iterations]
# The executor copies or links it to <workspace>/scripts/ralph/ralph.sh and runs
# it from the workspace. Instead of running an agent, each iteration edits
# prd.json (next to this script) the way a successful or failing agent would:
#
#   picks the story with passes:false and the lowest priority number
#   (file order breaks ties), writes logs/iteration-<n>.log, prints a banner,
#   then depending on the mode:
#     complete (default)  passes:true; after the last story prints
#                         <promise>COMPLETE</promise> and exits 0
#     fail                iteration 2: failed:true on its story,
#                         "error: tests failed for <id>" on stderr, exit 1
#     block               iteration 2: blocked:true on every story still
#                         passes:false, "blocked: <id> <id>…", exit 1
#     hang                iteration 1 completes its story, then sleeps forever
#                         (a `sleep` child: kill the process group)
#   Reaching max_iterations exits 1, like the real script.
#
# Control: mode from scripts/ralph/.fake-mode when that file exists (per
# project), else $FAKE_RALPH_MODE, else "complete". FAKE_RALPH_DELAY_MS
# (default 50) is the pause between iterations. FAKE_RALPH_COMMIT=1 commits
# each iteration (git add -A && git commit -m "<story id>") inside a git repo.
#
# It is run through its shebang, so /proc/<pid>/cmdline holds ".../ralph.sh":
# planbot's derived status ("running-ralph") relies on that.

set -euo pipefail

TOOL="amp"
MAX_ITERATIONS=10
while [[ $# -gt 0 ]]; do
  case $1 in
    --tool) TOOL="${2:-}"; shift 2 ;;
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

# Paths are relative to this script's folder (not resolved through a symlink),
# exactly as the real script does.
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PRD_FILE="$SCRIPT_DIR/prd.json"
PROGRESS_FILE="$SCRIPT_DIR/progress.txt"
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
DELAY_MS="${FAKE_RALPH_DELAY_MS:-50}"
DELAY_S="$(awk -v ms="$DELAY_MS" 'BEGIN { printf "%.3f", ms / 1000 }')"

if [[ ! -f "$PRD_FILE" ]]; then
  echo "Error: $PRD_FILE not found" >&2
  exit 1
fi
mkdir -p "$LOG_DIR"
if [[ ! -f "$PROGRESS_FILE" ]]; then
  { echo "# Ralph Progress Log"; echo "Started: $(date)"; echo "---"; } > "$PROGRESS_FILE"
fi

# prd <action> [id]: all JSON work in one small node program.
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

echo "Starting Ralph - Tool: $TOOL - Max iterations: $MAX_ITERATIONS (fake, mode: $MODE)"

for ((i = 1; i <= MAX_ITERATIONS; i++)); do
  echo ""
  echo "==============================================================="
  echo "  Ralph Iteration $i of $MAX_ITERATIONS ($TOOL)"
  echo "==============================================================="
  LOG="$LOG_DIR/iteration-$i.log"
  NEXT="$(prd next)"
  if [[ -z "$NEXT" ]]; then
    # Nothing left (e.g. a re-run): the agent just reports completion.
    echo "iteration $i: no incomplete stories" | tee "$LOG"
    echo "<promise>COMPLETE</promise>"
    echo "Ralph completed all tasks!"
    echo "Completed at iteration $i of $MAX_ITERATIONS"
    exit 0
  fi
  ID="${NEXT%%$'\t'*}"
  TITLE="${NEXT#*$'\t'}"
  echo "iteration $i: working on $ID - $TITLE" | tee "$LOG"

  if [[ "$MODE" == "fail" && $i -eq 2 ]]; then
    prd fail "$ID"
    echo "error: tests failed for $ID" | tee -a "$LOG" >&2
    commit "$ID"
    exit 1
  fi
  if [[ "$MODE" == "block" && $i -eq 2 ]]; then
    IDS="$(prd block)"
    echo "blocked: $IDS" | tee -a "$LOG"
    commit "$ID"
    exit 1
  fi

  prd pass "$ID"
  echo "iteration $i: $ID passes" | tee -a "$LOG"
  echo "## Iteration $i - $ID" >> "$PROGRESS_FILE"
  commit "$ID"

  if [[ "$MODE" == "hang" ]]; then
    echo "iteration $i: hanging (fake mode hang)"
    # A child sleep, not exec: the script must stay ralph.sh in /proc cmdline.
    # No trap: SIGTERM ends bash at once; the orphaned sleep dies only when the
    # caller kills the whole process group.
    sleep 100000
    exit 1
  fi

  if [[ -z "$(prd next)" ]]; then
    echo "<promise>COMPLETE</promise>"
    echo ""
    echo "Ralph completed all tasks!"
    echo "Completed at iteration $i of $MAX_ITERATIONS"
    exit 0
  fi
  echo "Iteration $i complete. Continuing..."
  sleep "$DELAY_S"
done

echo ""
echo "Ralph reached max iterations ($MAX_ITERATIONS) without completing all tasks."
echo "Check $PROGRESS_FILE for status."
exit 1
