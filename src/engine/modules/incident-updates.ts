import { cadenceOf, incidentNumber, loadPolicy, updateDueNotice } from '../../commands/incidents.js';
import type { Ctx } from '../../commands/context.js';
import { systemActor } from '../../commands/context.js';
import { actorColumns } from '../../commands/timeline.js';
import { deadlineAfterMiss } from '../../domain/incident/lifecycle.js';
import { queueNotice } from '../../notify/notices.js';
import { advanceUpdateDeadline, dueIncidentUpdates, insertIncidentEvents, listIncidentRoles } from '../../store/incident.repo.js';

/**
 * Status update reminders: an open incident owes its next status update by `next_update_at` (set
 * from the org file's `incident_policy.update_every` whenever the incident is declared or an
 * update is posted). When that time passes with no update, the commander is reminded and the
 * missed update is recorded on the timeline, once per missed deadline: the deadline moves on by
 * one cadence step in the same transaction, by a conditional UPDATE, so of two engines only one
 * records it and a crash repeats nothing (the notice key holds the deadline too).
 */
const BATCH = 50;

export async function remindOverdueUpdates(ctx: Ctx): Promise<{ reminded: number; more: boolean }> {
  const now = ctx.clock.now();
  const due = await dueIncidentUpdates(ctx.store.db, now, BATCH);
  if (due.length === 0) return { reminded: 0, more: false };
  const org = await ctx.org.get(ctx.store.db);
  const policy = await loadPolicy(ctx);
  const cadence = cadenceOf(policy);
  let reminded = 0;
  let notices = 0;
  for (const incident of due) {
    const deadline = incident.next_update_at!;
    await ctx.store.tx(async (trx) => {
      const next = deadlineAfterMiss(cadence, incident.severity, deadline, now);
      if (!(await advanceUpdateDeadline(trx, incident.id, deadline, next))) return;
      const commander = (await listIncidentRoles(trx, [incident.id])).find((r) => r.role === 'commander');
      const user = commander ? org.users.get(commander.user_id) : undefined;
      const late = Math.round((now - deadline) / 60_000);
      const dueText = new Date(deadline).toISOString().slice(11, 16);
      await insertIncidentEvents(trx, [
        {
          incident_id: incident.id,
          at: now,
          kind: 'update_overdue',
          ...actorColumns(systemActor('engine')),
          message: `status update overdue: due ${dueText} UTC${late > 0 ? ` (${late} min ago)` : ''}; ${user ? `reminded ${user.name}` : 'no commander to remind; assign one'}`,
          data: JSON.stringify({ due_at: new Date(deadline).toISOString(), reminded: user?.name ?? null, next_due_at: next === null ? null : new Date(next).toISOString() }),
        },
      ]);
      if (user) notices += await queueNotice(trx, org, now, updateDueNotice(incident, user, deadline, policy.updateEvery[incident.severity] ?? null));
      reminded++;
    });
    ctx.log.info({ component: 'engine', module: 'incident-updates', incidentId: incident.id }, `status update overdue for incident ${incidentNumber(incident.id)}`);
  }
  if (reminded > 0) ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if (notices > 0) ctx.wake();
  return { reminded, more: due.length === BATCH };
}


export function incidentUpdatesModule(ctx: Ctx) {
  return {
    name: 'incident-updates',
    run: async (): Promise<boolean> => (await remindOverdueUpdates(ctx)).more,
  };
}
