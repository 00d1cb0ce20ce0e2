/**
 * The keys of a project record in echo-core's dashboard API (`_project_record`), which planbot's list and
 * HTTP API keep so existing clients read it unchanged. Shared by the list's and the HTTP contract's tests.
 */
export const SEED_RECORD_KEYS = [
  "slug",
  "status",
  "name",
  "description",
  "proposed_at",
  "approved_at",
  "started_at",
  "pid",
  "stories_total",
  "stories_done",
  "eta_seconds",
  "last_message_preview",
  "error_reason",
  "has_workspace",
  "has_prd",
] as const;
