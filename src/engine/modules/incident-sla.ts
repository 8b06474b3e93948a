import { DateTime } from 'luxon';
import { incidentNumber, loadPolicy, pageMethodIds } from '../../commands/incidents.js';
import type { Ctx } from '../../commands/context.js';
import { systemActor } from '../../commands/context.js';
import { actorColumns } from '../../commands/timeline.js';
import { onCallIn } from '../../commands/schedules.js';
import { breachActionsFor, type SlaPerson } from '../../config/org-incident-sla.js';
import { isOpen } from '../../domain/incident/lifecycle.js';
import { SLA_CLOCKS, slaClocks, slaMetTimes, type SlaClockName } from '../../domain/incident/sla.js';
import { formatDuration } from '../../domain/silence/policy.js';
import { queueNotice } from '../../notify/notices.js';
import type { Tx } from '../../store/db.js';
import { dueSlaBreaches, loadSlaFacts, recordSlaBreach } from '../../store/incident-sla.repo.js';
import { getIncidentForUpdate, insertIncidentEvents, type IncidentRow, type NewIncidentEvent } from '../../store/incident.repo.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import type { UsersTable } from '../../store/schema.js';

/**
 * SLA breaches: each clock of an incident is due at `declared_at` plus its severity's target
 * (org file `incident_policy.sla`). When one passes without the clock having stopped, the breach
 * is recorded on the timeline (kind `sla_breached`) and the matching `breach_actions` run, in one
 * transaction: people paged (high-urgency methods), people notified, and `postmortem_required`
 * recorded. A row per (incident, clock) in incident_sla_breaches, inserted first, makes it happen
 * once: of two engines only one inserts it, and a crash before commit repeats everything.
 *
 * The clocks need no timer rows of their own: `declared_at` is the timer and the query asks per
 * (severity, clock) for incidents past due. Rows kept per clock were rejected because every
 * command that changes a severity or a status would have to keep them in step.
 *
 * A breach found late (an engine was down) that has stopped since (met late) is recorded, and a
 * post-mortem required, but nobody is paged or notified any more: the page would come too late to
 * help and only wake someone.
 */
const BATCH = 50;

const CLOCK_WORDS: Record<SlaClockName, string> = { acknowledge: 'acknowledge', first_update: 'first update', resolve: 'resolve' };

function breachSentence(clock: SlaClockName, target: string): string {
  if (clock === 'acknowledge') return `nobody acknowledged it within ${target}`;
  if (clock === 'first_update') return `no status update was posted within ${target}`;
  return `it was not resolved within ${target}`;
}

function nextStep(clock: SlaClockName, id: number): string {
  if (clock === 'acknowledge') return `Acknowledge an attached alert, or post an update: watchkeeper incident update ${id} --impact "…" --actions "…"`;
  if (clock === 'first_update') return `Post an update: watchkeeper incident update ${id} --impact "…" --actions "…"`;
  return `Join the response, or resolve it when it is fixed: watchkeeper incident resolve ${id}`;
}

/** The people a target means now: a user, a team's members (with the role), a schedule's on-call person. */
async function resolvePeople(trx: Tx, org: OrgSnapshot, targets: SlaPerson[], now: number): Promise<{ users: UsersTable[]; missing: string[] }> {
  const users: UsersTable[] = [];
  const missing: string[] = [];
  const add = (u: UsersTable | undefined) => {
    if (u && !users.some((x) => x.id === u.id)) users.push(u);
  };
  for (const t of targets) {
    if ('user' in t) {
      const u = org.usersByName.get(t.user);
      if (u) add(u);
      else missing.push(`user ${t.user}`);
    } else if ('team' in t) {
      const team = [...org.teams.values()].find((x) => x.name === t.team);
      const members = team ? (org.teamMembers.get(team.id) ?? []).filter((m) => t.role === null || m.role.toLowerCase() === t.role) : [];
      if (members.length === 0) missing.push(`team ${t.team}${t.role ? ` (${t.role})` : ''}`);
      for (const m of members) add(org.users.get(m.userId));
    } else {
      const s = org.schedulesByName.get(t.schedule);
      const on = s ? (await onCallIn(trx, [s], now))[0]?.userId : null;
      if (on) add(org.users.get(on));
      else missing.push(`schedule ${t.schedule} (nobody on call)`);
    }
  }
  return { users, missing };
}

function breachNotice(incident: IncidentRow, user: UsersTable, clock: SlaClockName, targetMs: number, dueAt: number, paged: boolean) {
  const id = Number(incident.id);
  const target = formatDuration(targetMs);
  const due = DateTime.fromMillis(dueAt, { zone: user.time_zone }).toFormat('HH:mm ZZZZ');
  return {
    userId: user.id,
    kind: 'incident_sla_breach' as const,
    key: `incident:${id}:sla:${clock}:${paged ? 'page' : 'notify'}`,
    subject: `Incident ${incidentNumber(id)}: ${CLOCK_WORDS[clock]} SLA breached (${incident.severity}, target ${target})`,
    text: [
      `Incident ${incidentNumber(id)} "${incident.title}" (${incident.severity}, ${incident.status}) breached its ${CLOCK_WORDS[clock]} SLA at ${due}: ${breachSentence(clock, target)}.`,
      nextStep(clock, id),
      `Open it: /incidents/${id}`,
    ].join('\n'),
    short: `${incidentNumber(id)} ${incident.severity.toUpperCase()}: ${CLOCK_WORDS[clock]} SLA breached (${target}). ${incident.title}`,
    url: `/incidents/${id}`,
    data: { incident: id, clock, target_ms: targetMs, due_at: new Date(dueAt).toISOString(), severity: incident.severity, title: incident.title, paged },
  };
}

const engineActor = () => actorColumns(systemActor('engine'));

export async function recordSlaBreaches(ctx: Ctx): Promise<{ breached: number; more: boolean }> {
  const now = ctx.clock.now();
  const sla = (await loadPolicy(ctx)).sla;
  if (!sla) return { breached: 0, more: false };
  let breached = 0;
  let notices = 0;
  let more = false;
  for (const [severity, targets] of Object.entries(sla.targets)) {
    for (const clock of SLA_CLOCKS) {
      const targetMs = targets[clock];
      if (targetMs === undefined) continue;
      const due = await dueSlaBreaches(ctx.store.db, severity, clock, targetMs, now, BATCH);
      if (due.length === BATCH) more = true;
      if (due.length === 0) continue;
      const org = await ctx.org.get(ctx.store.db);
      for (const candidate of due) {
        const id = Number(candidate.id);
        const dueAt = candidate.declared_at + targetMs;
        const done = await ctx.store.tx(async (trx) => {
          // Read again under the lock: a person may have resolved it or changed its severity since.
          const incident = await getIncidentForUpdate(trx, ctx.store.dialect, id);
          if (!incident || incident.severity !== severity) return false;
          const facts = (await loadSlaFacts(trx, [incident])).get(id)!;
          const state = slaClocks({ [clock]: targetMs }, incident.declared_at, slaMetTimes(facts), sla.atRisk, now)[0];
          if (!state || state.state !== 'breached') return false;
          if (!(await recordSlaBreach(trx, { incident_id: id, clock, target_ms: targetMs, due_at: dueAt, breached_at: now }))) return false;
          const running = state.metAt === null && isOpen(incident.status);
          const actions = breachActionsFor(sla, clock, severity);
          const parts: string[] = [];
          const told = new Set<string>();
          if (running) {
            const page = await resolvePeople(trx, org, actions.flatMap((a) => a.page), now);
            const paged: string[] = [];
            for (const u of page.users) {
              let n = 0;
              for (const contactMethodId of pageMethodIds(org, u.id)) n += await queueNotice(trx, org, now, { ...breachNotice(incident, u, clock, targetMs, dueAt, true), contactMethodId });
              // Nobody is left out because they have no high-urgency method: they get a notice instead.
              if (n === 0) n = await queueNotice(trx, org, now, breachNotice(incident, u, clock, targetMs, dueAt, true));
              notices += n;
              told.add(u.id);
              paged.push(u.name);
            }
            const notify = await resolvePeople(trx, org, actions.flatMap((a) => a.notify), now);
            const notified: string[] = [];
            for (const u of notify.users) {
              if (told.has(u.id)) continue;
              notices += await queueNotice(trx, org, now, breachNotice(incident, u, clock, targetMs, dueAt, false));
              told.add(u.id);
              notified.push(u.name);
            }
            if (paged.length) parts.push(`paged ${paged.join(', ')}`);
            if (notified.length) parts.push(`notified ${notified.join(', ')}`);
            const missing = [...page.missing, ...notify.missing];
            if (missing.length) parts.push(`nobody to reach in ${missing.join(', ')}`);
          } else if (actions.some((a) => a.page.length || a.notify.length)) {
            parts.push('found after the clock stopped (met late); nobody paged');
          }
          const dueText = new Date(dueAt).toISOString().slice(11, 16);
          const target = formatDuration(targetMs);
          const events: NewIncidentEvent[] = [
            {
              incident_id: id,
              at: now,
              kind: 'sla_breached',
              ...engineActor(),
              message: `${CLOCK_WORDS[clock]} SLA breached: ${breachSentence(clock, target)} (due ${dueText} UTC)${parts.length ? `; ${parts.join('; ')}` : ''}`,
              data: JSON.stringify({ clock, target_ms: targetMs, due_at: new Date(dueAt).toISOString() }),
            },
          ];
          if (actions.some((a) => a.requirePostmortem)) {
            const reason = `${CLOCK_WORDS[clock]} SLA breached (${incident.severity}, target ${target})`;
            events.push({ incident_id: id, at: now, kind: 'postmortem_required', ...engineActor(), message: `post-mortem required: ${reason}`, data: JSON.stringify({ reason }) });
          }
          await insertIncidentEvents(trx, events);
          return true;
        });
        if (!done) continue;
        breached++;
        ctx.log.info({ component: 'engine', module: 'incident-sla', incidentId: id, clock }, `${clock} SLA breached on incident ${incidentNumber(id)}`);
      }
    }
  }
  if (breached > 0) ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if (notices > 0) ctx.wake();
  return { breached, more };
}

export function incidentSlaModule(ctx: Ctx) {
  return {
    name: 'incident-sla',
    run: async (): Promise<boolean> => (await recordSlaBreaches(ctx)).more,
  };
}
