import type { Generated } from 'kysely';

/** A post-mortem of one incident (024-postmortems). */
export interface PostmortemsTable {
  id: Generated<number>;
  incident_id: number;
  /** draft | in_review | complete (src/domain/incident/postmortem.ts) */
  status: string;
  /** 1: the org file's rules (or an SLA breach) require it, and the incident cannot close before it is complete. */
  required: number;
  /** JSON list of why it is required, in words. */
  reasons: string;
  /** Who writes it; null: the incident's commander. */
  owner_id: string | null;
  /** Markdown, in the handbooks' template. */
  body: string;
  /** 1 once a person saved the body: a new draft does not overwrite it unless forced. */
  body_edited: number;
  drafted_at: number | null;
  /** First time the body was saved: the initial report. */
  body_saved_at: number | null;
  /** When it went to review. */
  submitted_at: number | null;
  meeting_held_at: number | null;
  completed_at: number | null;
  completed_by: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
}

/** A stage's deadline (initial_report, draft, meeting, action_items_assigned): a timer row. */
export interface PostmortemDeadlinesTable {
  postmortem_id: number;
  stage: string;
  due_at: number;
  met_at: number | null;
  /** Set once, by the engine, when the deadline passed unmet. */
  reminded_at: number | null;
}

export interface PostmortemActionItemsTable {
  id: Generated<number>;
  postmortem_id: number;
  incident_id: number;
  title: string;
  owner_id: string | null;
  due_at: number | null;
  /** open | in_progress | done | wont_do */
  status: string;
  link: string | null;
  created_at: number;
  created_by: string;
  updated_at: number;
  done_at: number | null;
  /** The due date its owner was last reminded of: one reminder per due date. */
  reminded_due_at: number | null;
}

export interface PostmortemTables {
  postmortems: PostmortemsTable;
  postmortem_deadlines: PostmortemDeadlinesTable;
  postmortem_action_items: PostmortemActionItemsTable;
}
