import { describe, expect, it } from 'vitest';
import { actionsFor, updateDraft } from './template';
import type { Incident } from './types';

const incident = (over: Partial<Incident> = {}) => ({ title: 'checkout errors', status: 'investigating', update_every_minutes: 15, ...over }) as Incident;

describe('status update template', () => {
  it('starts from the status sentence, the last impact and the severity cadence', () => {
    expect(updateDraft({ incident: incident(), updates: [] })).toEqual({ status: 'investigating', impact: '', actions: 'We are investigating checkout errors.', nextInMinutes: 15 });
    expect(
      updateDraft({
        incident: incident({ status: 'identified', update_every_minutes: null }),
        updates: [{ id: 1, at: '', status: 'identified', impact: 'EU checkout fails', actions: 'x', next_update_at: null, author: 'alice' }],
      }),
    ).toEqual({ status: 'identified', impact: 'EU checkout fails', actions: 'We have identified the issue and are working on a fix.', nextInMinutes: 30 });
  });

  it('follows the status with the actions line until the responder writes their own', () => {
    const d = updateDraft({ incident: incident(), updates: [] });
    expect(actionsFor(d, 'monitoring', 'checkout errors')).toBe('A fix has been applied, monitoring for stability.');
    expect(actionsFor({ ...d, actions: 'Rolling back 1.42' }, 'monitoring', 'checkout errors')).toBe('Rolling back 1.42');
  });
});
