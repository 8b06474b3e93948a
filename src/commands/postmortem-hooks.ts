import { AppError } from '../domain/errors.js';
import { deadlineDates, DEADLINE_STAGES, NO_POSTMORTEM_POLICY, requirementReasons, type RequirementFacts } from '../domain/incident/postmortem.js';
import { queueNotice } from '../notify/notices.js';
import type { Conn, Dialect, Tx } from '../store/db.js';
import { insertIncidentEvents, listIncidentRoles, type IncidentRow } from '../store/incident.repo.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import { getPostmortemForUpdate, getPostmortemPolicy, insertDeadlines, insertPostmortem, updatePostmortem, type PostmortemRow } from '../store/postmortem.repo.js';
import type { UsersTable } from '../store/schema.js';
import type { Actor } from './context.js';
import { incidentEventRow } from './timeline.js';

/**
 * The two places the incident lifecycle meets post-mortems, called inside the incident's own
 * transaction (src/commands/incidents.ts): resolving evaluates the org file's `postmortems` rules
 * (and any request an SLA breach recorded) and starts the post-mortem with its due dates; closing
 * is refused while a required post-mortem is not complete. Kept apart from the post-mortem
 * commands so the incident commands do not import them back.
 */

export const pmEvent = incidentEventRow;

export const postmortemUrl = (incidentId: number): string => `/incidents/${incidentId}/postmortem`;


const parse = (s: string | null): Record<string, unknown> => {
  try {
    const v: unknown = s ? JSON.parse(s) : null;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** What the record says about the incident, for the rules (see requirementReasons). */
export async function requirementFacts(conn: Conn, incident: IncidentRow, resolvedAt: number): Promise<RequirementFacts> {
  const alerts = await conn
    .selectFrom('incident_alerts')
    .innerJoin('alerts', 'alerts.id', 'incident_alerts.alert_id')
    .select(['alerts.class', 'alerts.labels'])
    .where('incident_alerts.incident_id', '=', incident.id)
    .where('incident_alerts.detached_at', 'is', null)
    .execute();
  const alertClasses = new Set<string>();
  for (const a of alerts) {
    if (a.class) alertClasses.add(a.class.toLowerCase());
    const labels = parse(a.labels);
    for (const k of ['class', 'category']) if (typeof labels[k] === 'string') alertClasses.add(labels[k].toLowerCase());
  }
  const events = await conn.selectFrom('incident_events').select(['kind', 'message', 'data']).where('incident_id', '=', incident.id).where('kind', 'in', ['sla_breached', 'postmortem_required']).orderBy('id').execute();
  const slaBreaches: string[] = [];
  const requested: string[] = [];
  for (const e of events) {
    const d = parse(e.data);
    if (e.kind === 'sla_breached') slaBreaches.push(typeof d.clock === 'string' ? d.clock : 'sla');
    else requested.push(typeof d.reason === 'string' && d.reason ? d.reason : e.message || 'requested');
  }
  return { severity: incident.severity, declaredAt: incident.declared_at, resolvedAt, alertClasses: [...alertClasses], slaBreaches, requested };
}

/** Who is reminded about a post-mortem: its owner, else the incident's (last) commander. */
export async function postmortemOwner(conn: Conn, org: OrgSnapshot, incidentId: number, ownerId: string | null): Promise<UsersTable | undefined> {
  if (ownerId) return org.users.get(ownerId);
  const commanders = (await listIncidentRoles(conn, [incidentId], true)).filter((r) => r.role === 'commander');
  const current = commanders.filter((r) => r.relieved_at === null);
  const pick = current[current.length - 1] ?? commanders[commanders.length - 1];
  return pick ? org.users.get(pick.user_id) : undefined;
}

/**
 * Creates a post-mortem for the incident in the caller's transaction, or returns the one it has.
 * Deadlines count from the resolution (or from now, for one started before the incident resolved).
 */
export async function ensurePostmortem(
  trx: Tx,
  dialect: Dialect,
  incident: IncidentRow,
  actor: Actor,
  now: number,
  required: { reasons: string[] } | null,
): Promise<{ postmortem: PostmortemRow; created: boolean; upgraded: boolean }> {
  const existing = await getPostmortemForUpdate(trx, dialect, incident.id);
  if (existing) {
    if (!required || existing.required || existing.status === 'complete') return { postmortem: existing, created: false, upgraded: false };
    const patch = { required: 1, reasons: JSON.stringify(required.reasons), updated_at: now };
    await updatePostmortem(trx, existing.id, patch);
    return { postmortem: { ...existing, ...patch }, created: false, upgraded: true };
  }
  const policy = (await getPostmortemPolicy(trx)) ?? NO_POSTMORTEM_POLICY;
  const postmortem = await insertPostmortem(trx, {
    incident_id: incident.id,
    status: 'draft',
    required: required ? 1 : 0,
    reasons: JSON.stringify(required?.reasons ?? []),
    owner_id: null,
    body: '',
    body_edited: 0,
    drafted_at: null,
    body_saved_at: null,
    submitted_at: null,
    meeting_held_at: null,
    completed_at: null,
    completed_by: null,
    created_at: now,
    created_by: actor.name,
    updated_at: now,
  });
  const due = deadlineDates(policy.deadlines, incident.resolved_at ?? now);
  await insertDeadlines(
    trx,
    DEADLINE_STAGES.map((stage) => ({ postmortem_id: Number(postmortem.id), stage, due_at: due[stage], met_at: null, reminded_at: null })),
  );
  return { postmortem, created: true, upgraded: false };
}

/**
 * Called when an incident becomes resolved, in its transaction (the row already says resolved):
 * when the rules require a post-mortem, starts it (or marks one started by hand as required),
 * records it on the timeline and tells the owner. Returns how many notices were queued.
 */
export async function postmortemOnResolve(trx: Tx, dialect: Dialect, org: OrgSnapshot, incident: IncidentRow, actor: Actor, now: number): Promise<number> {
  const policy = (await getPostmortemPolicy(trx)) ?? NO_POSTMORTEM_POLICY;
  const reasons = requirementReasons(policy, await requirementFacts(trx, incident, incident.resolved_at ?? now));
  if (reasons.length === 0) return 0;
  const { postmortem, created, upgraded } = await ensurePostmortem(trx, dialect, incident, actor, now, { reasons });
  if (!created && !upgraded) return 0;
  const due = deadlineDates(policy.deadlines, incident.resolved_at ?? now);
  const owner = await postmortemOwner(trx, org, incident.id, postmortem.owner_id);
  const draftDue = new Date(due.draft).toISOString();
  await insertIncidentEvents(trx, [
    pmEvent(incident.id, now, actor, 'postmortem_started', `post-mortem required: ${reasons.join('; ')}; draft due ${draftDue.slice(0, 16).replace('T', ' ')} UTC${owner ? `; owner ${owner.name}` : '; no commander to own it, assign an owner'}`, {
      postmortem: Number(postmortem.id),
      required: true,
      reasons,
      owner: owner?.name ?? null,
    }),
  ]);
  if (!owner) return 0;
  return queueNotice(trx, org, now, {
    userId: owner.id,
    kind: 'postmortem_required',
    key: `incident:${incident.id}:postmortem-required`,
    subject: `Incident #${incident.id}: post-mortem required (draft due ${draftDue.slice(0, 16).replace('T', ' ')} UTC)`,
    text: [
      `Incident #${incident.id} "${incident.title}" (${incident.severity}) is resolved and needs a post-mortem: ${reasons.join('; ')}.`,
      `Initial report due ${new Date(due.initial_report).toISOString().slice(0, 16).replace('T', ' ')} UTC, draft due ${draftDue.slice(0, 16).replace('T', ' ')} UTC.`,
      `Start from the timeline: watchkeeper postmortem draft ${incident.id} --save, or open ${postmortemUrl(incident.id)}`,
    ].join('\n'),
    short: `#${incident.id}: post-mortem required, draft due ${draftDue.slice(0, 16).replace('T', ' ')} UTC. ${incident.title}`,
    url: postmortemUrl(incident.id),
    data: { incident: incident.id, postmortem: Number(postmortem.id), reasons, draft_due_at: draftDue },
  });
}

/** Refuses to close an incident whose required post-mortem is not complete. */
export async function refuseCloseWithoutPostmortem(conn: Conn, incident: IncidentRow): Promise<void> {
  const pm = await conn.selectFrom('postmortems').select(['required', 'status']).where('incident_id', '=', incident.id).executeTakeFirst();
  if (pm && Number(pm.required) === 1 && pm.status !== 'complete') {
    throw new AppError('conflict', `status: incident #${incident.id} needs its post-mortem complete before it closes; completing it closes the incident: watchkeeper postmortem complete ${incident.id}`, { field: 'status' });
  }
}
