import { DateTime } from 'luxon';
import { AppError } from '../errors.js';

/**
 * An incident's life, in the handbooks' and Statuspage's words:
 *
 *   investigating ──▶ identified ──▶ monitoring ──▶ resolved ──▶ closed (final)
 *        ▲  └────────────┴──────────────┴──────────────▲   │
 *        └──────────── reopened (any open status) ◀─────────┘
 *
 * Any open status may move to any other open status or to resolved (a fix can land before the
 * cause is named); resolved may reopen to an open status; only resolved may close, and closed is
 * final (the record is done). An incident whose post-mortem is required closes when the post-mortem
 * is complete (see postmortem.ts); one started by hand may be written after the incident closed.
 */
export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const OPEN_STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring'];

export const isIncidentStatus = (s: string): s is IncidentStatus => (INCIDENT_STATUSES as readonly string[]).includes(s);
export const isOpen = (s: string): boolean => (OPEN_STATUSES as readonly string[]).includes(s);

/** Why `from` cannot become `to`, or null when it can. */
export function transitionProblem(from: IncidentStatus, to: IncidentStatus): string | null {
  if (from === to) return `the incident is already ${to}`;
  if (from === 'closed') return 'the incident is closed; closed is final. Declare a new incident';
  if (to === 'closed' && from !== 'resolved') return `only a resolved incident can be closed; resolve it first (it is ${from})`;
  return null;
}

export function checkTransition(from: IncidentStatus, to: IncidentStatus, field = 'status'): void {
  const p = transitionProblem(from, to);
  if (p) throw new AppError('conflict', `${field}: ${p}`, { field });
}

/**
 * Roles, from the Mother-Harness war room: one commander (final say), one ops lead, one
 * communications lead, any number of subject-matter experts. Assigning a single-holder role hands
 * it over; the previous holder is recorded as relieved.
 */
export const INCIDENT_ROLES = ['commander', 'ops_lead', 'comms_lead', 'sme'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];
export const isIncidentRole = (s: string): s is IncidentRole => (INCIDENT_ROLES as readonly string[]).includes(s);
export const singleHolder = (r: IncidentRole): boolean => r !== 'sme';

export const DEFAULT_ROLE_NAMES: Record<IncidentRole, string> = {
  commander: 'Incident Commander',
  ops_lead: 'Ops Lead',
  comms_lead: 'Communications Lead',
  sme: 'Subject-matter expert',
};

/** Key moments people mark on the timeline; the post-mortem's durations are measured between them. */
export const KEY_MOMENTS = ['root_cause_identified', 'mitigation_applied', 'service_restored'] as const;
export type KeyMoment = (typeof KEY_MOMENTS)[number];
export const isKeyMoment = (s: string): s is KeyMoment => (KEY_MOMENTS as readonly string[]).includes(s);
export const KEY_MOMENT_LABELS: Record<KeyMoment, string> = {
  root_cause_identified: 'Root cause identified',
  mitigation_applied: 'Mitigation applied',
  service_restored: 'Service restored',
};

/** How often the commander owes a status update, per severity; severities not listed owe none. */
export interface UpdateCadence {
  /** Severity name -> interval in ms. */
  every: Record<string, number>;
}

/**
 * When the next status update is due after one was posted (or the incident declared) at `at`.
 * An update may name its own next time (the template's "Next update"); otherwise the cadence
 * decides. Null: nothing is owed (no cadence for the severity, or the incident is not open).
 */
export function nextUpdateDue(cadence: UpdateCadence, severity: string, status: IncidentStatus, at: number, promised?: number | null): number | null {
  if (!isOpen(status)) return null;
  if (promised !== undefined && promised !== null) return promised;
  const every = cadence.every[severity];
  return every === undefined ? null : at + every;
}

/**
 * After the deadline `due` passed unmet at `now`: the next deadline, one cadence step after the
 * last one missed, so a reminder goes out once per missed deadline, and once (not once per step)
 * after an engine was down for longer than a step. Without a cadence (a promised time on a
 * severity that has none) nothing more is owed.
 */
export function deadlineAfterMiss(cadence: UpdateCadence, severity: string, due: number, now: number): number | null {
  const every = cadence.every[severity];
  if (every === undefined || every <= 0) return null;
  const steps = Math.floor((now - due) / every) + 1;
  return due + steps * every;
}

/**
 * A short, URL- and channel-safe name: `YYYYMMDD-short-description` from the declaration date (UTC)
 * and the title, as the handbooks name incident channels (`#incident-20241222-api-errors`).
 */
export function incidentSlug(title: string, declaredAt: number): string {
  const day = DateTime.fromMillis(declaredAt, { zone: 'utc' }).toFormat('yyyyLLdd');
  const words = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let desc = '';
  for (const w of words) {
    const next = desc ? `${desc}-${w}` : w;
    if (next.length > 40) break;
    desc = next;
  }
  return desc ? `${day}-${desc}` : day;
}
