import type { IncidentPolicy } from '../../config/org-incidents.js';
import { slaClocks, slaMetTimes, type SlaFacts } from '../../domain/incident/sla.js';
import type { IncidentRow } from '../../store/incident.repo.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/**
 * The incident's SLA clocks as the API shows them: target, due time, state (on_track, at_risk,
 * breached, met) and when the clock stopped. `at_risk_at` and `elapsed_ms` let a live view count
 * down without asking again. Empty when the severity has no targets.
 */
export function presentSla(i: IncidentRow, policy: IncidentPolicy, facts: SlaFacts | undefined, now: number) {
  const targets = policy.sla?.targets[i.severity];
  if (!targets || !facts || !policy.sla) return [];
  return slaClocks(targets, i.declared_at, slaMetTimes(facts), policy.sla.atRisk, now).map((c) => ({
    clock: c.clock,
    target_ms: c.targetMs,
    due_at: iso(c.dueAt)!,
    at_risk_at: iso(c.atRiskAt)!,
    state: c.state,
    met_at: iso(c.metAt),
    elapsed_ms: c.elapsedMs,
  }));
}
