import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { checkTransition, deadlineAfterMiss, incidentSlug, nextUpdateDue, transitionProblem, type IncidentStatus } from './lifecycle.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-08T08:00:00Z');
const cadence = { every: { critical: 15 * MIN, high: 30 * MIN, medium: 60 * MIN } };

describe('incident status transitions', () => {
  it.each<[IncidentStatus, IncidentStatus, string | null]>([
    ['investigating', 'identified', null],
    ['investigating', 'monitoring', null],
    ['investigating', 'resolved', null],
    ['identified', 'investigating', null],
    ['monitoring', 'resolved', null],
    ['resolved', 'investigating', null],
    ['resolved', 'closed', null],
    ['investigating', 'closed', 'only a resolved incident can be closed; resolve it first (it is investigating)'],
    ['monitoring', 'closed', 'only a resolved incident can be closed; resolve it first (it is monitoring)'],
    ['closed', 'investigating', 'the incident is closed; closed is final. Declare a new incident'],
    ['closed', 'resolved', 'the incident is closed; closed is final. Declare a new incident'],
    ['identified', 'identified', 'the incident is already identified'],
  ])('%s → %s', (from, to, problem) => {
    expect(transitionProblem(from, to)).toBe(problem);
  });

  it('refuses with a conflict naming the status field', () => {
    const err = (() => {
      try {
        checkTransition('investigating', 'closed');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'conflict', field: 'status' });
  });
});

describe('status update due times', () => {
  it.each<[string, IncidentStatus, number | null, number | null]>([
    ['critical', 'investigating', null, T0 + 15 * MIN],
    ['high', 'identified', null, T0 + 30 * MIN],
    ['medium', 'monitoring', null, T0 + 60 * MIN],
    ['low', 'investigating', null, null],
    ['critical', 'investigating', T0 + 5 * MIN, T0 + 5 * MIN],
    ['critical', 'resolved', null, null],
    ['critical', 'closed', T0 + 5 * MIN, null],
  ])('%s while %s (promised %s) is due at %s', (severity, status, promised, due) => {
    expect(nextUpdateDue(cadence, severity, status, T0, promised)).toBe(due);
  });

  it('after a missed deadline, the next is one step later; after a long outage, the first one still ahead', () => {
    const due = T0 + 15 * MIN;
    expect(deadlineAfterMiss(cadence, 'critical', due, due)).toBe(due + 15 * MIN);
    expect(deadlineAfterMiss(cadence, 'critical', due, due + 14 * MIN)).toBe(due + 15 * MIN);
    expect(deadlineAfterMiss(cadence, 'critical', due, due + 15 * MIN)).toBe(due + 30 * MIN);
    expect(deadlineAfterMiss(cadence, 'critical', due, due + 100 * MIN)).toBe(due + 105 * MIN);
    expect(deadlineAfterMiss(cadence, 'low', due, due)).toBeNull();
  });
});

describe('incident slug', () => {
  it('is the UTC date and a short description, as incident channels are named', () => {
    expect(incidentSlug('API errors', Date.parse('2024-12-22T23:30:00Z'))).toBe('20241222-api-errors');
    expect(incidentSlug('Checkout: 5xx > 5% (EU) — café', T0)).toBe('20260308-checkout-5xx-5-eu-cafe');
    expect(incidentSlug('Orchestrator service completely down for every tenant in every region', T0)).toBe('20260308-orchestrator-service-completely-down-for');
    expect(incidentSlug('!!!', T0)).toBe('20260308');
  });
});
