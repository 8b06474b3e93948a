import type { IncidentDetail, IncidentStatus } from './types';

/**
 * The status update template the handbooks share (QAWave, Mother-Harness): Status, Impact,
 * Current Actions, Next Update. The current-actions line starts from Mother-Harness's status
 * sentence for the chosen status, so a responder edits rather than writes from nothing.
 */
export const STATUS_SENTENCES: Record<Exclude<IncidentStatus, 'closed'>, (title: string) => string> = {
  investigating: (title) => `We are investigating ${title}.`,
  identified: () => 'We have identified the issue and are working on a fix.',
  monitoring: () => 'A fix has been applied, monitoring for stability.',
  resolved: () => 'The issue has been resolved.',
};

export interface UpdateDraft {
  status: Exclude<IncidentStatus, 'closed'>;
  impact: string;
  actions: string;
  /** Minutes until the next update; the severity's cadence, or 30 when it has none. */
  nextInMinutes: number;
}

export function updateDraft(d: Pick<IncidentDetail, 'incident' | 'updates'>): UpdateDraft {
  const i = d.incident;
  const status = i.status === 'closed' ? 'resolved' : i.status;
  const last = d.updates[0];
  return {
    status,
    impact: last?.impact ?? '',
    actions: STATUS_SENTENCES[status](i.title),
    nextInMinutes: i.update_every_minutes ?? 30,
  };
}

/** When the status changes, the actions line follows it, unless the responder wrote their own. */
export function actionsFor(previous: UpdateDraft, status: UpdateDraft['status'], title: string): string {
  const untouched = (Object.keys(STATUS_SENTENCES) as UpdateDraft['status'][]).some((s) => STATUS_SENTENCES[s](title) === previous.actions) || previous.actions.trim() === '';
  return untouched ? STATUS_SENTENCES[status](title) : previous.actions;
}
