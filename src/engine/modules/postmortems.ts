import type { Ctx } from '../../commands/context.js';
import { systemActor } from '../../commands/context.js';
import { pmEvent, postmortemOwner, postmortemUrl } from '../../commands/postmortem-hooks.js';
import { STAGE_HOW, STAGE_LABELS, type DeadlineStage } from '../../domain/incident/postmortem.js';
import { queueNotice } from '../../notify/notices.js';
import { getIncident, insertIncidentEvents } from '../../store/incident.repo.js';
import { dueActionItems, dueDeadlines, getPostmortem, markActionItemReminded, markDeadlineReminded } from '../../store/postmortem.repo.js';

/**
 * Post-mortem reminders. Each stage's deadline is a row (`postmortem_deadlines.due_at`); when it
 * passes unmet, the owner (the post-mortem's owner, else the incident's commander) is reminded and
 * the miss is on the incident's timeline, once: a conditional UPDATE sets `reminded_at` in the same
 * transaction, so of two engines only one records it, and the notice key holds the stage too.
 * Action items that are still open past their due date remind their owner (or, unowned, the
 * post-mortem's owner) once per due date: moving the date arms the reminder again.
 */
const BATCH = 50;

const utc = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export async function remindPostmortems(ctx: Ctx): Promise<{ reminded: number; more: boolean }> {
  const now = ctx.clock.now();
  const [deadlines, items] = await Promise.all([dueDeadlines(ctx.store.db, now, BATCH), dueActionItems(ctx.store.db, now, BATCH)]);
  if (deadlines.length === 0 && items.length === 0) return { reminded: 0, more: false };
  const org = await ctx.org.get(ctx.store.db);
  const engine = systemActor('engine');
  let reminded = 0;
  let notices = 0;

  for (const d of deadlines) {
    const stage = d.stage as DeadlineStage;
    const label = STAGE_LABELS[stage] ?? d.stage;
    await ctx.store.tx(async (trx) => {
      if (!(await markDeadlineReminded(trx, d.postmortem_id, d.stage, now))) return;
      const incident = await getIncident(trx, d.incident_id);
      if (!incident) return;
      const owner = await postmortemOwner(trx, org, incident.id, d.owner_id);
      await insertIncidentEvents(trx, [
        pmEvent(incident.id, now, engine, 'postmortem_overdue', `post-mortem ${label.toLowerCase()} overdue: due ${utc(d.due_at)}; ${owner ? `reminded ${owner.name}` : 'no owner to remind; assign one'}`, {
          stage: d.stage,
          due_at: new Date(d.due_at).toISOString(),
          reminded: owner?.name ?? null,
        }),
      ]);
      if (owner) {
        notices += await queueNotice(trx, org, now, {
          userId: owner.id,
          kind: 'postmortem_due',
          key: `postmortem:${d.postmortem_id}:${d.stage}`,
          subject: `Incident #${incident.id}: post-mortem ${label.toLowerCase()} overdue (due ${utc(d.due_at)})`,
          text: [
            `The ${label.toLowerCase()} of the post-mortem for incident #${incident.id} "${incident.title}" (${incident.severity}) was due ${utc(d.due_at)}.`,
            `To meet it, ${STAGE_HOW[stage] ?? 'update the post-mortem'}.`,
            `Open it: ${postmortemUrl(incident.id)} or run: watchkeeper postmortem show ${incident.id}`,
          ].join('\n'),
          short: `#${incident.id}: post-mortem ${label.toLowerCase()} overdue since ${utc(d.due_at)}. ${incident.title}`,
          url: postmortemUrl(incident.id),
          data: { incident: incident.id, postmortem: d.postmortem_id, stage: d.stage, due_at: new Date(d.due_at).toISOString() },
        });
      }
      reminded++;
    });
  }

  for (const item of items) {
    const due = item.due_at!;
    await ctx.store.tx(async (trx) => {
      if (!(await markActionItemReminded(trx, item.id, due))) return;
      const incident = await getIncident(trx, item.incident_id);
      const pm = await getPostmortem(trx, item.postmortem_id);
      if (!incident || !pm) return;
      const owner = item.owner_id ? org.users.get(item.owner_id) : await postmortemOwner(trx, org, incident.id, pm.owner_id);
      await insertIncidentEvents(trx, [
        pmEvent(incident.id, now, engine, 'action_item_overdue', `action item "${item.title}" overdue: due ${utc(due)}; ${owner ? `reminded ${owner.name}` : 'no owner to remind; assign one'}`, {
          item: Number(item.id),
          due_at: new Date(due).toISOString(),
          reminded: owner?.name ?? null,
        }),
      ]);
      if (owner) {
        notices += await queueNotice(trx, org, now, {
          userId: owner.id,
          kind: 'action_item_due',
          key: `action-item:${item.id}:due:${due}`,
          subject: `Action item overdue: ${item.title} (incident #${incident.id})`,
          text: [
            `The action item "${item.title}" from the post-mortem of incident #${incident.id} "${incident.title}" was due ${utc(due)} and is ${item.status.replace('_', ' ')}${item.owner_id ? '' : ' with no owner'}.`,
            item.link ? `Tracked at: ${item.link}` : null,
            `Mark it done, or move its due date: watchkeeper postmortem action done ${item.id}, or open ${postmortemUrl(incident.id)}`,
          ]
            .filter(Boolean)
            .join('\n'),
          short: `Action item overdue since ${utc(due)}: ${item.title} (#${incident.id})`,
          url: postmortemUrl(incident.id),
          data: { incident: incident.id, postmortem: Number(item.postmortem_id), item: Number(item.id), due_at: new Date(due).toISOString(), title: item.title },
        });
      }
      reminded++;
    });
  }
  if (reminded > 0) {
    ctx.bus.publish([{ type: 'incident.updated', at: now }]);
    ctx.log.info({ component: 'engine', module: 'postmortems', reminded }, 'post-mortem reminders recorded');
  }
  if (notices > 0) ctx.wake();
  return { reminded, more: deadlines.length === BATCH || items.length === BATCH };
}

export function postmortemsModule(ctx: Ctx) {
  return {
    name: 'postmortems',
    run: async (): Promise<boolean> => (await remindPostmortems(ctx)).more,
  };
}
