/** An alert a responder marked not actionable (027-review): the record behind the false-positive rate. */
export interface AlertNotActionableTable {
  alert_id: number;
  marked_at: number;
  /** Who marked it, by name. */
  marked_by: string;
  /** Why, in the responder's words; '' when none was given. */
  reason: string;
}

/** A periodic review that was sent (027-review); the key makes a second send impossible. */
export interface ReviewSendsTable {
  /** `<send>:<local date the period ends>`, e.g. "weekly:2026-11-30". */
  review_key: string;
  period_from: number;
  period_to: number;
  sent_at: number;
  /** How many messages were queued. */
  recipients: number;
}

