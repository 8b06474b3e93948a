import { randomUUID } from 'node:crypto';
import type { AlertEventInput, Surface } from '../domain/alert/types.js';
import { AppError } from '../domain/errors.js';
import { firstApplicableLevel } from '../domain/escalation/policy.js';
import { openKey, type AlertRow, type NewAlertEvent } from '../store/alert.repo.js';
import type { IngestWrites } from '../store/ingest-writes.js';
import type { Tx } from '../store/db.js';
import { HOT_PATH_ORG_AGE_MS, type OrgSnapshot } from '../store/org.repo.js';
import type { NewPage } from '../store/page.repo.js';
import type { IntegrationKeysTable, ServicesTable } from '../store/schema.js';
import { acknowledge, nextTimer, resolve } from './alert-transitions.js';
import { eventRow } from './timeline.js';
import type { Actor, ChangeEvent, Ctx } from './context.js';
import { levelOverrides, notifyLevel } from './notify-level.js';
import { silenceCache, silencing, type Silence } from './silences.js';
import { findInhibitor, inhibitedText, inhibitTargets } from './inhibition.js';
import { inMaintenance, maintenanceText } from './maintenance.js';
import { anySource } from '../domain/silence/inhibition.js';
import { abandonGroup, groupHoldsPage, groupTimer, joinedGroup, placeInGroup } from './grouping.js';
import type { RouteDecision } from '../domain/routing/rules.js';
import { dropNow, routedNotes, routedPolicy, routeEvent } from './routing.js';

export interface IngestItem {
  /** The service the event is for (from its integration key or the API caller's choice). */
  serviceId: string;
  integration: Pick<IntegrationKeysTable, 'id' | 'name' | 'kind'> | null;
  event: AlertEventInput;
  actor: Actor;
}

export type IngestOutcome = 'created' | 'deduplicated' | 'acknowledged' | 'resolved' | 'ignored' | 'dropped';

export interface IngestResult {
  alertId: number | null;
  dedupKey: string;
  outcome: IngestOutcome;
}

interface Prepared {
  item: IngestItem;
  service: ServicesTable;
  severity: string;
  dedupKey: string;
  /** The routing rules' decision (service and severity above already follow it); null: no rule matched. */
  route?: RouteDecision | null;
}

/** Checks what can be checked before the transaction, so a bad event never aborts a batch. */
function prepare(org: OrgSnapshot, item: IngestItem): Prepared {
  const service = org.services.get(item.serviceId);
  if (!service) throw AppError.notFound(`service ${item.serviceId}`);
  const severity = org.severities.resolveOrThrow('severity', item.event.severity);
  const dedupKey = item.event.dedupKey ?? randomUUID();
  return { item, dedupKey, ...routeEvent(org, service, severity, item.event.labels) };
}

/**
 * Timeline rows and pages of a whole batch, written with one multi-row insert each at the end of
 * the transaction: per-statement overhead, not row count, dominates the ingest path.
 */
interface Sink {
  events: NewAlertEvent[];
  pages: NewPage[];
  changes: ChangeEvent[];
}

async function flush(w: IngestWrites, sink: Sink): Promise<void> {
  const CHUNK = 200;
  for (let i = 0; i < sink.events.length; i += CHUNK) await w.insertEvents(sink.events.slice(i, i + CHUNK));
  for (let i = 0; i < sink.pages.length; i += CHUNK) await w.insertPages(sink.pages.slice(i, i + CHUNK));
  sink.events = [];
  sink.pages = [];
}

async function applyOne(w: IngestWrites, trx: Tx, org: OrgSnapshot, p: Prepared, now: number, sink: Sink, silences: readonly Silence[]): Promise<IngestResult> {
  const { event, actor } = p.item;
  const changes = sink.changes;
  const existing = await w.findOpen(p.service.id, p.dedupKey);
  if (event.action === 'trigger') {
    if (existing) return repeat(w, existing, p, now, sink);
    const created = await openAlert(w, trx, org, p, now, sink, silences);
    if (!created) {
      // Another process opened the same key between our read and insert: it is a repeat.
      const winner = await w.findOpen(p.service.id, p.dedupKey);
      if (!winner) throw new Error('open alert vanished during insert');
      return repeat(w, winner, p, now, sink);
    }
    changes.push({ type: 'alert.created', alertId: created.id, status: 'triggered', at: now });
    return { alertId: created.id, dedupKey: p.dedupKey, outcome: 'created' };
  }
  // PagerDuty semantics: acknowledge or resolve with no open alert is dropped, still accepted.
  if (!existing) return { alertId: null, dedupKey: p.dedupKey, outcome: 'ignored' };
  // Transitions read and write the alert row directly; keep the batch's rows in order before them.
  await flush(w, sink);
  const r = event.action === 'acknowledge' ? await acknowledge(trx, existing, actor, now) : await resolve(trx, existing, actor, now);
  changes.push(...r.changes);
  return { alertId: existing.id, dedupKey: p.dedupKey, outcome: r.changed ? (event.action === 'acknowledge' ? 'acknowledged' : 'resolved') : 'ignored' };
}

async function repeat(w: IngestWrites, alert: AlertRow, p: Prepared, now: number, sink: Sink): Promise<IngestResult> {
  // A repeat never pages again: the open alert already did (and an acknowledged one stays quiet).
  const count = await w.countRepeat(alert.id, now);
  sink.events.push(eventRow(alert.id, now, p.item.actor, 'repeated', `fired again (${count} times)`));
  sink.changes.push({ type: 'alert.updated', alertId: alert.id, status: alert.status, at: now });
  return { alertId: alert.id, dedupKey: p.dedupKey, outcome: 'deduplicated' };
}

async function openAlert(w: IngestWrites, trx: Tx, org: OrgSnapshot, p: Prepared, now: number, sink: Sink, silences: readonly Silence[]): Promise<AlertRow | undefined> {
  const { event, actor } = p.item;
  const policy = routedPolicy(org, p);
  const spec = policy?.spec ?? null;
  const level = spec ? firstApplicableLevel(spec, p.severity, 0) : null;
  const labels = { service: p.service.name, ...event.labels, severity: p.severity };
  const silence = silences.length ? silencing(silences, labels, now) : null;
  // Silenced wins: an alert both silenced and inhibited shows the silence that will end.
  const maintenance = silence ? null : inMaintenance(org, p.service.name, labels, now);
  const inhibitor = silence || maintenance ? null : await findInhibitor(trx, org, labels, null);
  const group = silence || maintenance || inhibitor ? null : await placeInGroup(trx, p.service, labels, now, level !== null);
  const held = group !== null && groupHoldsPage(group, level);
  const values = {
    service_id: p.service.id,
    dedup_key: p.dedupKey,
    open_key: openKey(p.service.id, p.dedupKey),
    status: 'triggered',
    severity: p.severity,
    summary: event.summary,
    source: event.source,
    component: event.component,
    group_name: event.group,
    class: event.class,
    details: event.details ? JSON.stringify(event.details) : null,
    links: JSON.stringify(event.links),
    images: JSON.stringify(event.images),
    labels: JSON.stringify(event.labels),
    count: 1,
    first_seen_at: event.occurredAt ?? now,
    last_seen_at: now,
    created_at: now,
    updated_at: now,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    resolved_by: null,
    escalation_policy_id: policy?.id ?? null,
    policy_snapshot: policy?.specJson ?? null,
    escalation_level: level ?? 0,
    escalation_cycle: 0,
    level_started_at: now,
    notify_seq: level === null ? 0 : 1,
    next_escalation_at: null as number | null,
    snoozed_until: null,
    silenced_by: silence?.id ?? null,
    inhibited_by: inhibitor?.id ?? null,
    maintenance_by: maintenance?.window.id ?? null,
    group_id: group?.group.id ?? null,
  };
  // The first timer is known before the insert, so it goes into the same row write. A silenced
  // alert's timer is the silence's end: the engine checks it again then and pages if it must.
  if (silence) {
    values.notify_seq = 0;
    values.next_escalation_at = silence.endsAt;
  } else if (maintenance) {
    // Checked again when the occurrence ends (engine: holdInMaintenance).
    values.notify_seq = 0;
    values.next_escalation_at = maintenance.occurrence.end;
  } else if (inhibitor) {
    // Released (made due) when the inhibiting alert resolves.
    values.notify_seq = 0;
    values.next_escalation_at = null;
  } else if (held && group) {
    // Grouped: a member pages nobody; a leader pages when the group wait ends (grouping.ts).
    values.notify_seq = 0;
    values.next_escalation_at = groupTimer(group, now);
  } else if (level !== null) values.next_escalation_at = nextTimer({ ...values, id: 0 }, {}, spec);
  const row = await w.insertOpen(values);
  if (!row) return group ? abandonGroup(trx, group) : undefined;
  const via = p.item.integration ? `${p.item.integration.name} (${p.item.integration.kind})` : actor.surface;
  const events = [eventRow(row.id, now, actor, 'triggered', `triggered via ${via}: ${event.summary}`, { severity: p.severity, raw_severity: event.severity })];
  if (p.route) {
    const routed = routedNotes(org, row, p, now, Boolean(silence || maintenance || inhibitor));
    events.push(...routed.events);
    sink.pages.push(...routed.pages);
  }
  if (silence) {
    const until = new Date(silence.endsAt).toISOString().replace(/\.000Z$/, 'Z');
    events.push(eventRow(row.id, now, { kind: 'system', id: null, name: 'Watchkeeper', surface: 'engine' }, 'silenced', `silenced until ${until} by ${silence.createdBy}: ${silence.comment}; nobody paged`, { silence_id: silence.id }));
  } else if (maintenance) {
    events.push(eventRow(row.id, now, { kind: 'system', id: null, name: 'Watchkeeper', surface: 'engine' }, 'maintenance', maintenanceText(maintenance), { maintenance_window_id: maintenance.window.id }));
  } else if (inhibitor) {
    events.push(eventRow(row.id, now, { kind: 'system', id: null, name: 'Watchkeeper', surface: 'engine' }, 'inhibited', inhibitedText(inhibitor), { inhibited_by: inhibitor.id }));
  } else if (held) {
    // Nobody paged yet: the group's rows (joinedGroup) say when the group pages.
  } else if (level !== null && spec) {
    const overrides = await levelOverrides(trx, spec, level, p.severity, now);
    const n = notifyLevel(org, row, spec, level, 0, 1, now, actor, 'alert opened', overrides);
    events.push(...n.events);
    sink.pages.push(...n.pages);
  } else if (p.route?.outcome !== 'channels-only') {
    const why = spec ? `no level of policy "${policy?.name}" applies to ${p.severity} alerts` : `service "${p.service.name}" has no escalation policy`;
    events.push(eventRow(row.id, now, { kind: 'system', id: null, name: 'Watchkeeper', surface: 'engine' }, 'unreachable', `nobody paged: ${why}`));
  }
  sink.events.push(...events);
  if (group) await joinedGroup(trx, group, row, held, now, sink);
  if (org.inhibitRules.length && anySource(org.inhibitRules, labels)) {
    // This alert is the source of a rule: the alerts it inhibits stop paging. Their rows are
    // written directly, so the batch's queued rows go first (only then: flushing per alert would
    // undo the batching of every other alert).
    await flush(w, sink);
    sink.changes.push(...(await inhibitTargets(trx, org, row, now)));
  }
  return row;
}

interface Pending {
  item: IngestItem;
  resolve: (r: IngestResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: events that arrive while a transaction is running wait for the next one, and all of
 * them commit together. Each caller is answered only after its event is committed (invariant 2),
 * while one fsync covers a whole batch instead of one per request.
 */
export class Ingestor {
  private queue: Pending[] = [];
  /** Batches being committed right now. */
  private active = 0;
  private readonly maxBatch = 256;
  /**
   * SQLite has one writer, so one batch at a time. PostgreSQL commits several batches at once over
   * the pool; two batches racing for the same open key are settled by the unique open_key (the
   * later one records a repeat), and a deadlock between them is retried by the store.
   */
  private readonly parallel: number;

  constructor(private readonly ctx: Ctx) {
    this.parallel = ctx.store.dialect === 'postgres' ? 4 : 1;
  }

  submit(item: IngestItem): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.active >= this.parallel || this.queue.length === 0) return;
    this.active++;
    setImmediate(() => void this.drainQueue());
  }

  /** Resolves when every submitted event has been committed or refused (used at shutdown). */
  async drain(): Promise<void> {
    while (this.active > 0 || this.queue.length > 0) await new Promise<void>((r) => setImmediate(r));
  }

  private async drainQueue(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        // More waiting than this batch holds: let another drainer start on it meanwhile.
        this.kick();
        await this.commitBatch(batch);
      }
    } finally {
      this.active--;
      this.kick();
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    const { ctx } = this;
    let org: OrgSnapshot;
    try {
      org = await ctx.org.recent(ctx.store.db, HOT_PATH_ORG_AGE_MS);
    } catch (err) {
      for (const b of batch) b.reject(err);
      return;
    }
    const ready: { p: Pending; prepared: Prepared }[] = [];
    for (const b of batch) {
      try {
        const prepared = prepare(org, b.item);
        if (dropNow(ctx, b.item.event.action, prepared.route)) b.resolve({ alertId: null, dedupKey: prepared.dedupKey, outcome: 'dropped' });
        else ready.push({ p: b, prepared });
      } catch (err) {
        b.reject(err);
      }
    }
    if (ready.length === 0) return;
    const now = ctx.clock.now();
    let silences: readonly Silence[];
    try {
      silences = await silenceCache(ctx).current(ctx.store.db, now, HOT_PATH_ORG_AGE_MS);
    } catch (err) {
      for (const r of ready) r.p.reject(err);
      return;
    }
    try {
      const sink: Sink = { events: [], pages: [], changes: [] };
      const results = await ctx.store.ingestTx(async (w, trx) => {
        const out: IngestResult[] = [];
        for (const r of ready) out.push(await applyOne(w, trx, org, r.prepared, now, sink, silences));
        await flush(w, sink);
        return out;
      });
      const changes = sink.changes;
      ctx.metrics.ingestBatchSize.observe(ready.length);
      // Answer once the commit is on disk. The next batch waits for the flush too: letting it run
      // meanwhile made batches smaller and commits more frequent, which cost more than it saved
      // (bench/ingest.js: 6,300 → 5,600 alerts/s).
      await ctx.store.flushed();
      ready.forEach((r, i) => r.p.resolve(results[i] as IngestResult));
      this.afterCommit(changes);
    } catch (batchErr) {
      if (ready.length === 1) {
        ready[0]?.p.reject(batchErr);
        return;
      }
      // One bad event must not fail its neighbours: retry each alone.
      ctx.log.warn({ err: batchErr, size: ready.length }, 'ingest batch failed; retrying events one by one');
      for (const r of ready) {
        try {
          const sink: Sink = { events: [], pages: [], changes: [] };
          const result = await ctx.store.ingestTx(async (w, trx) => {
            const out = await applyOne(w, trx, org, r.prepared, ctx.clock.now(), sink, silences);
            await flush(w, sink);
            return out;
          });
          await ctx.store.flushed();
          r.p.resolve(result);
          this.afterCommit(sink.changes);
        } catch (err) {
          r.p.reject(err);
        }
      }
    }
  }

  private afterCommit(changes: ChangeEvent[]): void {
    if (changes.length === 0) return;
    this.ctx.bus.publish(changes);
    if (changes.some((c) => c.type === 'alert.created')) this.ctx.wake();
  }
}

export type { Surface };
