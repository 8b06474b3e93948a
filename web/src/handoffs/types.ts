/** The shapes of /api/v1/handoffs (src/http/routes/handoffs.ts). Times are ISO 8601 in UTC. */

export interface NoteSummary {
  id: number;
  schedule: string;
  time_zone: string;
  handoff_at: string;
  shift_start: string;
  outgoing: string | null;
  incoming: string | null;
  created_at: string;
  read_at: string | null;
  read_by: string | null;
  handed_over_at: string | null;
  handed_over_by: string | null;
  handed_over_count: number;
  summary: { total: number; by_severity: { severity: string; count: number }[]; triggered: number; acknowledged: number };
}

export interface NoteAlert {
  id: number;
  summary: string;
  severity: string;
  status: string;
  service: string;
  created_at: string;
  acknowledged_by: string | null;
  count: number;
}

export interface Note extends NoteSummary {
  open: NoteAlert[];
  open_more: number;
  watch_items: { id: string; text: string; alert_id: number | null; author: string; created_at: string }[];
  alerts_by_severity: { severity: string; count: number; alerts: NoteAlert[] }[];
  changes: { at: string; actor: string; action: string; entity_kind: string; entity: string | null }[];
  changes_more: number;
  /** Maintenance windows during the incoming shift; absent on notes written before they were listed. */
  maintenance?: { name: string; scope: string; starts_at: string; ends_at: string; comment: string }[];
  /** Incidents open during the shift; absent on notes written before they were listed. */
  incidents?: { id: number; title: string; severity: string; status: string; declared_at: string; resolved_at: string | null; commander: string | null }[];
  hand_over: { count: number; alerts: { id: number; summary: string }[] };
  text: string;
}

export interface NoteList {
  notes: NoteSummary[];
  unread: number | null;
}

export interface WatchItem {
  id: string;
  schedule: string;
  user: string;
  text: string;
  alert_id: number | null;
  shift_start: string;
  created_by: string;
  created_at: string;
  updated_at: string;
}

export interface WatchItems {
  shifts: { schedule: string; start: string; end: string | null }[];
  items: WatchItem[];
}
