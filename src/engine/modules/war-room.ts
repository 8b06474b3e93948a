import { DateTime } from 'luxon';
import type { Ctx } from '../../commands/context.js';
import { systemActor } from '../../commands/context.js';
import { incidentNumber, loadPolicy } from '../../commands/incidents.js';
import { commsLeadOrCommander, incidentEvent, insertEvent, rulesFor, tellStakeholders, toldText } from '../../commands/war-room.js';
import { formatDuration } from '../../domain/silence/policy.js';
import { queueNotice } from '../../notify/notices.js';
import { listIncidentRoles } from '../../store/incident.repo.js';
import {
  advancePostedThrough,
  dueStakeholderUpdates,
  incidentsDueWarRoomPrompt,
  incidentsToTell,
  insertStakeholdersTold,
  insertWarRoomPrompt,
  markStakeholderReminded,
  moveWarRoom,
  openWarRooms,
  queueSlackJobs,
} from '../../store/war-room.repo.js';

/**
 * The engine's side of war rooms and stakeholders. Each step is a set of rows found by a query and
 * claimed by a conditional write (an insert that does nothing on conflict, or an UPDATE that names
 * the old value), so of two engines exactly one acts and a crash repeats nothing:
 *
 * 1. Prompt: an open incident of a `war_room.severities` severity, declared `war_room.after` ago
 *    and without a war room, gets a 'prompted' row; its commander is told how to open one.
 * 2. Status updates: an open war room with a channel has the status updates posted since it opened
 *    queued for the channel, and people given a role since then invited to it (a cursor on the
 *    incident's timeline, `posted_through`).
 * 3. Archive: the war room of a closed incident is archived (its channel, when it has one).
 * 4. Stakeholders: an open incident of a rule's severities whose group was not told yet is told
 *    (at declaration, or when its severity is raised into the rule); `within` sets the deadline
 *    for the first stakeholder update.
 * 5. Reminders: a missed first-update deadline reminds the communications lead, or the commander.
 *
 * Slack calls are queued in incident_slack_jobs and made by the notify role.
 */
const BATCH = 50;
const ENGINE = systemActor('engine');

export async function runWarRooms(ctx: Ctx, opts: { slack: boolean }): Promise<{ acted: number; more: boolean }> {
  const policy = await loadPolicy(ctx);
  const now = ctx.clock.now();
  let acted = 0;
  let notices = 0;
  let jobs = 0;
  let more = false;
  const org = await ctx.org.get(ctx.store.db);

  // 1. Prompts.
  if (policy.warRoom) {
    const after = policy.warRoom.after;
    const due = await incidentsDueWarRoomPrompt(ctx.store.db, policy.warRoom.severities, now - after, BATCH);
    more ||= due.length === BATCH;
    for (const incident of due) {
      await ctx.store.tx(async (trx) => {
        if (!(await insertWarRoomPrompt(trx, incident.id, now))) return;
        const commander = (await listIncidentRoles(trx, [incident.id])).find((r) => r.role === 'commander');
        const user = commander ? org.users.get(commander.user_id) : undefined;
        // The time it has really been open: an incident raised into a war room severity later is prompted at once.
        const open = `open ${Math.round((now - incident.declared_at) / 60_000)} min`;
        const line = `Incident ${incidentNumber(incident.id)} has been ${open}: open a war room — watchkeeper incident war-room ${incident.id}`;
        const message = `${open}: ${user ? `prompted ${user.name} to open a war room` : 'a war room is due, but there is no commander to prompt; assign one'}`;
        await insertEvent(trx, incidentEvent(incident.id, now, ENGINE, 'war_room_prompted', message, { after: formatDuration(after), prompted: user?.name ?? null }));
        if (user) {
          notices += await queueNotice(trx, org, now, {
            userId: user.id,
            kind: 'incident_war_room',
            key: `incident:${incident.id}:war-room-prompt`,
            subject: line,
            text: [
              `${line}.`,
              `"${incident.title}" (${incident.severity}, ${incident.status}) is still open.${opts.slack ? ' A war room gives the response its own Slack channel, with the role holders invited and status updates posted there.' : ''}`,
              `Open it: /incidents/${incident.id} (Open war room)`,
            ].join('\n'),
            short: line,
            url: `/incidents/${incident.id}`,
            data: { incident: incident.id, severity: incident.severity, title: incident.title },
          });
        }
        acted++;
      });
      ctx.log.info({ component: 'engine', module: 'war-room', incidentId: incident.id }, `war room prompted for incident ${incidentNumber(incident.id)}`);
    }
  }

  // 2 and 3. Open war rooms: post new status updates; archive those of closed incidents.
  const rooms = await openWarRooms(ctx.store.db, BATCH);
  more ||= rooms.length === BATCH;
  for (const room of rooms) {
    const id = room.incident_id;
    if (room.status === 'closed') {
      await ctx.store.tx(async (trx) => {
        if (room.channel_name) {
          if (!(await moveWarRoom(trx, id, 'open', { state: 'archiving' }))) return;
          jobs += await queueSlackJobs(trx, now, [{ incident_id: id, job_key: `war-room:${id}:archive`, action: 'archive', channel: null, text: '' }]);
        } else {
          if (!(await moveWarRoom(trx, id, 'open', { state: 'archived', archived_at: now }))) return;
          await insertEvent(trx, incidentEvent(id, now, ENGINE, 'war_room_archived', 'war room closed with the incident', {}));
        }
        acted++;
      });
      continue;
    }
    if (!room.channel_name) continue;
    const updates = await ctx.store.db
      .selectFrom('incident_events')
      .select(['id', 'at', 'kind', 'data', 'actor_name'])
      .where('incident_id', '=', id)
      .where('kind', 'in', ['update', 'role_assigned'])
      .where('id', '>', room.posted_through)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    if (updates.length === 0) continue;
    const last = Number(updates[updates.length - 1]!.id);
    await ctx.store.tx(async (trx) => {
      if (!(await advancePostedThrough(trx, id, room.posted_through, last))) return;
      jobs += await queueSlackJobs(
        trx,
        now,
        updates.map((u) =>
          u.kind === 'update'
            ? { incident_id: id, job_key: `war-room:${id}:update:${u.id}`, action: 'post', channel: null, text: updateText(id, u.at, u.actor_name, u.data) }
            : // A role taken after the war room opened: its holder is invited too (text: the user name).
              { incident_id: id, job_key: `war-room:${id}:invite:${u.id}`, action: 'invite', channel: null, text: (JSON.parse(u.data ?? '{}') as { user?: string }).user ?? '' },
        ),
      );
      acted++;
    });
  }

  // 4. Stakeholders told.
  for (const rule of policy.stakeholders ?? []) {
    const toTell = await incidentsToTell(ctx.store.db, rule.name, rule.severities, BATCH);
    more ||= toTell.length === BATCH;
    for (const incident of toTell) {
      await ctx.store.tx(async (trx) => {
        const key = `incident:${incident.id}:stakeholders:${rule.name}:told`;
        // The deadline counts from when the incident came into the rule: its declaration, or the
        // last severity change (into it), not from this tick.
        const raised = await trx.selectFrom('incident_events').select((eb) => eb.fn.max('at').as('at')).where('incident_id', '=', incident.id).where('kind', '=', 'severity_changed').executeTakeFirst();
        const since = Number(raised?.at ?? 0) || incident.declared_at;
        // The insert claims the telling; the count is set from the recipients below, in this transaction.
        if (!(await insertStakeholdersTold(trx, { incident_id: incident.id, rule: rule.name, told_at: now, told: 0, next_update_due_at: rule.within === null ? null : since + rule.within }))) return;
        const commander = (await listIncidentRoles(trx, [incident.id])).find((r) => r.role === 'commander');
        const commanderName = commander ? (org.users.get(commander.user_id)?.name ?? null) : null;
        const told = await tellStakeholders(
          trx,
          org,
          now,
          incident,
          rule,
          {
            kind: 'incident_stakeholder',
            key,
            subject: `Incident ${incidentNumber(incident.id)} (${incident.severity}): ${incident.title}`,
            text: [
              `Incident ${incidentNumber(incident.id)} "${incident.title}" (${incident.severity}, ${incident.status}) was declared by ${incident.declared_by}${commanderName ? `; ${commanderName} leads the response` : ''}.`,
              `You are told as ${rule.name}.${rule.within !== null ? ` The first stakeholder update comes within ${formatDuration(rule.within)}.` : ''}`,
              `Follow it: /incidents/${incident.id}`,
            ].join('\n'),
            short: `${incidentNumber(incident.id)} ${incident.severity.toUpperCase()}: ${incident.title}`,
          },
          opts.slack,
        );
        notices += told.notices;
        jobs += told.jobs;
        await trx.updateTable('incident_stakeholders').set({ told: told.people }).where('incident_id', '=', incident.id).where('rule', '=', rule.name).execute();
        await insertEvent(trx, incidentEvent(incident.id, now, ENGINE, 'stakeholders_told', `told ${toldText(rule, told.people, told.channels, opts.slack)}`, { rule: rule.name, people: told.people, channels: told.channels }));
        acted++;
      });
    }
  }

  // 5. First stakeholder update overdue.
  const overdue = await dueStakeholderUpdates(ctx.store.db, now, BATCH);
  more ||= overdue.length === BATCH;
  for (const row of overdue) {
    const due = row.next_update_due_at!;
    await ctx.store.tx(async (trx) => {
      if (!(await markStakeholderReminded(trx, row.incident_id, row.rule, due, now))) return;
      if (row.status === 'resolved' || row.status === 'closed') return;
      const incident = await trx.selectFrom('incidents').selectAll().where('id', '=', row.incident_id).executeTakeFirstOrThrow();
      const user = await commsLeadOrCommander(trx, org, row.incident_id);
      const rule = rulesFor(policy, incident.severity).find((r) => r.name === row.rule);
      const within = rule?.within ?? due - row.told_at;
      const line = `Incident ${incidentNumber(row.incident_id)}: no stakeholder update for ${row.rule} within ${formatDuration(within)}`;
      await insertEvent(trx, incidentEvent(row.incident_id, now, ENGINE, 'stakeholder_update_overdue', `no stakeholder update for ${row.rule} within ${formatDuration(within)}; ${user ? `reminded ${user.name}` : 'no communications lead or commander to remind; assign one'}`, { rule: row.rule, due_at: new Date(due).toISOString(), reminded: user?.name ?? null }));
      if (user) {
        notices += await queueNotice(trx, org, now, {
          userId: user.id,
          kind: 'stakeholder_update_due',
          key: `incident:${row.incident_id}:stakeholder-update-due:${row.rule}`,
          subject: line,
          text: [
            `${line} (due ${DateTime.fromMillis(due, { zone: user.time_zone }).toFormat('HH:mm ZZZZ')}).`,
            `"${incident.title}" (${incident.severity}, ${incident.status}). Tell them what is affected and when they hear next.`,
            `Send it: /incidents/${row.incident_id} or run: watchkeeper incident stakeholder-update ${row.incident_id} "…"`,
          ].join('\n'),
          short: line,
          url: `/incidents/${row.incident_id}`,
          data: { incident: row.incident_id, rule: row.rule, due_at: new Date(due).toISOString() },
        });
      }
      acted++;
    });
  }

  if (acted > 0) ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if (notices + jobs > 0) ctx.wake();
  return { acted, more };
}

/** A status update as posted to the war room channel. */
function updateText(incidentId: number, at: number, author: string, data: string | null): string {
  const d = (data ? JSON.parse(data) : {}) as { status?: string; impact?: string; actions?: string; next_update_at?: string | null };
  const time = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toFormat('HH:mm') + ' UTC';
  return [
    `Status update on incident ${incidentNumber(incidentId)} (${time(at)}, ${author})`,
    `Status: ${d.status ?? '-'}`,
    `Impact: ${d.impact ?? '-'}`,
    `Current actions: ${d.actions ?? '-'}`,
    `Next update: ${d.next_update_at ? time(Date.parse(d.next_update_at)) : '-'}`,
  ].join('\n');
}

export function warRoomModule(ctx: Ctx, opts: { slack: boolean }) {
  return {
    name: 'war-room',
    run: async (): Promise<boolean> => (await runWarRooms(ctx, opts)).more,
  };
}
