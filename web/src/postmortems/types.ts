/** What /api/v1/incidents/:id/postmortem and /api/v1/postmortems answer. */
export type PostmortemStatus = 'draft' | 'in_review' | 'complete';
export type DeadlineState = 'met' | 'overdue' | 'due' | 'moot';
export const ITEM_STATUSES = ['open', 'in_progress', 'done', 'wont_do'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const ITEM_STATUS_LABELS: Record<ItemStatus, string> = { open: 'Open', in_progress: 'In progress', done: 'Done', wont_do: "Won't do" };

export interface Deadline {
  stage: string;
  label: string;
  how: string;
  due_at: string;
  met_at: string | null;
  reminded_at: string | null;
  state: DeadlineState;
}

export interface ActionItem {
  id: number;
  title: string;
  owner: string | null;
  due_at: string | null;
  status: ItemStatus;
  link: string | null;
  overdue: boolean;
}

export interface Postmortem {
  id: number;
  incident: { id: number; number: string; title: string; severity: string; status: string; resolved_at: string | null; closed_at: string | null };
  status: PostmortemStatus;
  required: boolean;
  reasons: string[];
  owner: string | null;
  /** Who is reminded: the owner, else the commander. */
  reminded: string | null;
  body?: string;
  body_edited: boolean;
  meeting_held_at: string | null;
  completed_at: string | null;
  completed_by: string | null;
  deadlines: Deadline[];
  next_deadline: Deadline | null;
  overdue: boolean;
  action_items: ActionItem[];
  open_action_items: number;
  url: string;
  markdown_url: string;
}
