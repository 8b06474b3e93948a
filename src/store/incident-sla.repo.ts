import { sql, type Expression, type ExpressionBuilder } from 'kysely';
import type { SlaClockName, SlaFacts } from '../domain/incident/sla.js';
import type { Conn } from './db.js';
import type { IncidentRow } from './incident.repo.js';
import type { DB } from './schema.js';

/**
 * What the SLA clocks are read from (src/domain/incident/sla.ts): the first status update, the
 * first status change or update by a person (or an API token), and the first acknowledgement of an alert while it
 * was attached. The breach query below asks the same questions in SQL, so the engine and the
 * incident's JSON agree on when a clock stopped.
 */
const PERSON_KINDS = ['status_changed', 'update'];
/** A person signed in, or an API token (someone acting through the CLI or a script); never the engine or an alert source. */
const PERSON_ACTORS = ['user', 'token'];

export async function loadSlaFacts(conn: Conn, incidents: IncidentRow[]): Promise<Map<number, SlaFacts>> {
  const ids = incidents.map((i) => Number(i.id));
  const out = new Map<number, SlaFacts>();
  if (ids.length === 0) return out;
  const [updates, actions, acks] = await Promise.all([
    conn.selectFrom('incident_updates').select(['incident_id', (eb) => eb.fn.min('at').as('at')]).where('incident_id', 'in', ids).groupBy('incident_id').execute(),
    conn
      .selectFrom('incident_events')
      .select(['incident_id', (eb) => eb.fn.min('at').as('at')])
      .where('incident_id', 'in', ids)
      .where('actor_kind', 'in', PERSON_ACTORS)
      .where('kind', 'in', PERSON_KINDS)
      .groupBy('incident_id')
      .execute(),
    conn
      .selectFrom('incident_alerts as ia')
      .innerJoin('alert_events as ae', 'ae.alert_id', 'ia.alert_id')
      .select(['ia.incident_id', (eb) => eb.fn.min('ae.at').as('at')])
      .where('ia.incident_id', 'in', ids)
      .where('ae.kind', '=', 'acknowledged')
      .where((eb) => eb.or([eb('ia.detached_at', 'is', null), eb('ae.at', '<=', eb.ref('ia.detached_at'))]))
      .groupBy('ia.incident_id')
      .execute(),
  ]);
  const byId = (rows: { incident_id: number; at: number | null }[]) => new Map(rows.map((r) => [Number(r.incident_id), r.at === null ? null : Number(r.at)]));
  const u = byId(updates);
  const p = byId(actions);
  const a = byId(acks);
  for (const i of incidents) {
    const id = Number(i.id);
    out.set(id, { declaredAt: i.declared_at, resolvedAt: i.resolved_at, firstUpdateAt: u.get(id) ?? null, firstPersonActionAt: p.get(id) ?? null, firstAlertAckAt: a.get(id) ?? null });
  }
  return out;
}

type IncidentEb = ExpressionBuilder<DB, 'incidents'>;

/** True when the clock did not stop by `due` (an expression over the incident row). */
function unmetBy(eb: IncidentEb, clock: SlaClockName, due: Expression<number>) {
  const unresolved = eb.or([eb('incidents.resolved_at', 'is', null), eb('incidents.resolved_at', '>', due)]);
  if (clock === 'resolve') return unresolved;
  if (clock === 'first_update') return eb.and([unresolved, eb.not(eb.exists(eb.selectFrom('incident_updates as u').select('u.id').whereRef('u.incident_id', '=', 'incidents.id').where('u.at', '<=', due)))]);
  return eb.and([
    unresolved,
    eb.not(
      eb.exists(
        eb
          .selectFrom('incident_events as e')
          .select('e.id')
          .whereRef('e.incident_id', '=', 'incidents.id')
          .where('e.actor_kind', 'in', PERSON_ACTORS)
          .where('e.kind', 'in', PERSON_KINDS)
          .where('e.at', '<=', due),
      ),
    ),
    eb.not(
      eb.exists(
        eb
          .selectFrom('incident_alerts as ia')
          .innerJoin('alert_events as ae', 'ae.alert_id', 'ia.alert_id')
          .select('ae.id')
          .whereRef('ia.incident_id', '=', 'incidents.id')
          .where('ae.kind', '=', 'acknowledged')
          .where('ae.at', '<=', due)
          .where((w) => w.or([w('ia.detached_at', 'is', null), w('ae.at', '<=', w.ref('ia.detached_at'))])),
      ),
    ),
  ]);
}

/**
 * Incidents of `severity`, not closed, whose `clock` (target `targetMs`) is past due at `now`, did
 * not stop by its due time, and has no breach recorded yet. Closed incidents are done with; a
 * resolved one that was resolved late still gets its breach recorded (an engine may have been down).
 */
export async function dueSlaBreaches(conn: Conn, severity: string, clock: SlaClockName, targetMs: number, now: number, limit: number): Promise<IncidentRow[]> {
  return conn
    .selectFrom('incidents')
    .selectAll()
    .where('status', 'in', ['investigating', 'identified', 'monitoring', 'resolved'])
    .where('severity', '=', severity)
    .where('declared_at', '<=', now - targetMs)
    .where((eb) => eb.not(eb.exists(eb.selectFrom('incident_sla_breaches as b').select('b.incident_id').whereRef('b.incident_id', '=', 'incidents.id').where('b.clock', '=', clock))))
    .where((eb) => unmetBy(eb, clock, sql<number>`${eb.ref('incidents.declared_at')} + ${targetMs}`))
    .orderBy('declared_at')
    .limit(limit)
    .execute();
}

/** Records a breach; false when it was recorded already (by another engine, or before a crash). */
export async function recordSlaBreach(conn: Conn, row: { incident_id: number; clock: SlaClockName; target_ms: number; due_at: number; breached_at: number }): Promise<boolean> {
  const r = await conn
    .insertInto('incident_sla_breaches')
    .values(row)
    .onConflict((oc) => oc.columns(['incident_id', 'clock']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}
