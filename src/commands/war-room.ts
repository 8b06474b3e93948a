import type { StakeholderRule } from '../config/org-war-room.js';
import type { IncidentPolicy } from '../config/org-incidents.js';
import { AppError } from '../domain/errors.js';
import { isOpen } from '../domain/incident/lifecycle.js';
import { queueNotice } from '../notify/notices.js';
import { getIncidentForUpdate, listIncidentRoles, updateIncident, type IncidentRow, type NewIncidentEvent } from '../store/incident.repo.js';
import type { Conn, Tx } from '../store/db.js';
import type { OrgSnapshot } from '../store/org.repo.js';
import type { UsersTable } from '../store/schema.js';
import { getWarRoomForUpdate, lastIncidentEventId, markStakeholderUpdate, queueSlackJobs, upsertOpenWarRoom, type NewSlackJob, type WarRoomRow } from '../store/war-room.repo.js';
import { audit } from './audit.js';
import type { Actor, Ctx } from './context.js';
import { incidentNumber, loadPolicy } from './incidents.js';
import { incidentEventRow as incidentEvent } from './timeline.js';

export { incidentEvent };

/**
 * War rooms and stakeholder updates, what people do with them. The engine's side (the prompt,
 * telling stakeholders, reminders, archiving) is src/engine/modules/war-room.ts; the Slack calls
 * are made by src/notify/slack/war-room-slack.ts from the incident_slack_jobs outbox, never inside
 * a transaction.
 */

const incidentUrl = (id: number): string => `/incidents/${id}`;
const MAX_CHANNEL = 80;

/** `incident-YYYYMMDD-short-description`: the handbooks' channel name, within Slack's 80 characters. */
export function warRoomChannelName(slug: string): string {
  return `incident-${slug}`
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .slice(0, MAX_CHANNEL)
    .replace(/-+$/, '');
}


/** Inserts one timeline row and returns its id. */
export async function insertEvent(conn: Conn, row: NewIncidentEvent): Promise<number> {
  const r = await conn.insertInto('incident_events').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

/** The people and Slack channels a stakeholder rule tells, each person once. */
export function stakeholderRecipients(org: OrgSnapshot, rule: StakeholderRule): { users: UsersTable[]; channels: string[] } {
  const users = new Map<string, UsersTable>();
  const channels: string[] = [];
  for (const t of rule.notify) {
    if ('user' in t) {
      const u = org.usersByName.get(t.user);
      if (u) users.set(u.id, u);
    } else if ('team' in t) {
      const team = [...org.teams.values()].find((x) => x.name === t.team);
      for (const m of team ? (org.teamMembers.get(team.id) ?? []) : []) {
        const u = org.users.get(m.userId);
        if (u) users.set(u.id, u);
      }
    } else if (!channels.includes(t.channel)) channels.push(t.channel);
  }
  return { users: [...users.values()], channels };
}

/** "customer-success (3 people, #cs-incidents)". */
export function toldText(rule: StakeholderRule, people: number, channels: string[], slack: boolean): string {
  const parts = [`${people} ${people === 1 ? 'person' : 'people'}`, ...(slack ? channels : channels.map((c) => `not ${c}: Slack is not connected`))];
  return `${rule.name} (${parts.join(', ')})`;
}

export const rulesFor = (policy: IncidentPolicy, severity: string): StakeholderRule[] => (policy.stakeholders ?? []).filter((r) => r.severities.includes(severity));

/** The people a stakeholder message goes to, as notices, and the channels, as Slack jobs. */
export async function tellStakeholders(
  trx: Tx,
  org: OrgSnapshot,
  now: number,
  incident: IncidentRow,
  rule: StakeholderRule,
  m: { key: string; subject: string; text: string; short: string; kind: 'incident_stakeholder' },
  slack: boolean,
): Promise<{ people: number; channels: string[]; notices: number; jobs: number }> {
  const { users, channels } = stakeholderRecipients(org, rule);
  let notices = 0;
  for (const u of users) {
    notices += await queueNotice(trx, org, now, {
      userId: u.id,
      kind: m.kind,
      key: `${m.key}:${u.id}`,
      subject: m.subject,
      text: m.text,
      short: m.short,
      url: incidentUrl(incident.id),
      data: { incident: incident.id, severity: incident.severity, title: incident.title, stakeholders: rule.name },
    });
  }
  const jobs: NewSlackJob[] = slack ? channels.map((c) => ({ incident_id: incident.id, job_key: `${m.key}:${c}`, action: 'post', channel: c, text: m.text })) : [];
  return { people: users.length, channels, notices, jobs: await queueSlackJobs(trx, now, jobs) };
}

/** What the war room looks like through the API. */
export function presentWarRoom(w: WarRoomRow | undefined) {
  if (!w) return null;
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    state: w.state,
    channel: w.channel_name ? `#${w.channel_name}` : null,
    channel_id: w.channel_id,
    prompted_at: iso(w.prompted_at),
    opened_at: iso(w.opened_at),
    opened_by: w.opened_by,
    archived_at: iso(w.archived_at),
  };
}

/**
 * Opens the incident's war room. With Slack connected, the channel is created (and the role
 * holders invited) by the notify role from the outbox, right after the commit; status updates
 * posted from now on are also posted there, and closing the incident archives it.
 */
export async function openWarRoom(ctx: Ctx, id: number, actor: Actor, opts: { slack: boolean }): Promise<WarRoomRow> {
  const now = ctx.clock.now();
  const row = await ctx.store.tx(async (trx) => {
    const incident = await getIncidentForUpdate(trx, ctx.store.dialect, id);
    if (!incident) throw AppError.notFound(`incident ${incidentNumber(id)}`);
    if (!isOpen(incident.status)) throw new AppError('conflict', `incident ${incidentNumber(id)} is ${incident.status}; a war room is for open incidents`);
    const existing = await getWarRoomForUpdate(trx, ctx.store.dialect, id);
    if (existing && existing.state !== 'prompted') {
      const where = existing.channel_name ? ` (#${existing.channel_name})` : '';
      throw new AppError('conflict', `incident ${incidentNumber(id)} already has a war room${where}, opened by ${existing.opened_by ?? 'someone'}`);
    }
    const channel = opts.slack ? warRoomChannelName(incident.slug) : null;
    const message = channel
      ? `war room opened by ${actor.name}: creating Slack channel #${channel}; status updates are posted there too`
      : `war room opened by ${actor.name}; Slack is not connected, so no channel was created`;
    const eventId = await insertEvent(trx, incidentEvent(id, now, actor, 'war_room_opened', message, { channel: channel ? `#${channel}` : null }));
    await upsertOpenWarRoom(trx, { incident_id: id, opened_at: now, opened_by: actor.name, channel_name: channel, posted_through: Math.max(eventId, await lastIncidentEventId(trx, id)) });
    if (channel) await queueSlackJobs(trx, now, [{ incident_id: id, job_key: `war-room:${id}:create`, action: 'create_channel', channel: null, text: incident.title }]);
    await updateIncident(trx, id, { updated_at: now });
    await audit(trx, actor, now, 'incident.war_room.open', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, { channel });
    return (await getWarRoomForUpdate(trx, ctx.store.dialect, id))!;
  });
  ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if (opts.slack) ctx.wake();
  return row;
}

export interface StakeholderUpdateResult {
  rules: { name: string; people: number; channels: string[] }[];
}

/**
 * A stakeholder update: the message goes to every stakeholder rule that covers the incident's
 * severity (people as notices, Slack channels as posts), is recorded on the timeline, and meets
 * the rules' first-update deadlines.
 */
export async function postStakeholderUpdate(ctx: Ctx, id: number, actor: Actor, message: string, opts: { slack: boolean }): Promise<StakeholderUpdateResult> {
  const text = message.trim();
  if (!text) throw AppError.invalid('message', 'must not be empty: what stakeholders need to know, e.g. "Checkout is down for EU customers; next update 10:30 UTC"');
  if (text.length > 4000) throw AppError.invalid('message', 'must be at most 4000 characters');
  const org = await ctx.org.get(ctx.store.db);
  const policy = await loadPolicy(ctx);
  const now = ctx.clock.now();
  let notices = 0;
  let jobs = 0;
  const result = await ctx.store.tx(async (trx) => {
    const incident = await getIncidentForUpdate(trx, ctx.store.dialect, id);
    if (!incident) throw AppError.notFound(`incident ${incidentNumber(id)}`);
    if (incident.status === 'closed') throw new AppError('conflict', `incident ${incidentNumber(id)} is closed; closed is final`);
    const rules = rulesFor(policy, incident.severity);
    if (rules.length === 0) throw new AppError('conflict', `no stakeholder rule covers ${incident.severity} incidents; add one under incident_policy.stakeholders in the org file`);
    const eventId = await insertEvent(trx, incidentEvent(id, now, actor, 'stakeholder_update', `stakeholder update by ${actor.name}: ${text}`, { message: text }));
    const out: StakeholderUpdateResult['rules'] = [];
    for (const rule of rules) {
      const told = await tellStakeholders(
        trx,
        org,
        now,
        incident,
        rule,
        {
          kind: 'incident_stakeholder',
          key: `incident:${id}:stakeholder-update:${eventId}:${rule.name}`,
          subject: `Incident ${incidentNumber(id)} update: ${incident.title}`,
          text: [`Update on incident ${incidentNumber(id)} "${incident.title}" (${incident.severity}, ${incident.status}) from ${actor.name}:`, text, `Follow it: ${incidentUrl(id)}`].join('\n'),
          short: `${incidentNumber(id)} update: ${text}`,
        },
        opts.slack,
      );
      notices += told.notices;
      jobs += told.jobs;
      await markStakeholderUpdate(trx, id, rule.name, now, told.people);
      out.push({ name: rule.name, people: told.people, channels: opts.slack ? told.channels : [] });
    }
    const sentTo = rules.map((r, i) => toldText(r, out[i]!.people, stakeholderRecipients(org, r).channels, opts.slack));
    await trx.updateTable('incident_events').set({ message: `stakeholder update sent to ${sentTo.join('; ')}: ${text}`, data: JSON.stringify({ message: text, rules: out }) }).where('id', '=', eventId).execute();
    await updateIncident(trx, id, { updated_at: now });
    await audit(trx, actor, now, 'incident.stakeholder_update', 'incident', String(id), `${incidentNumber(id)} ${incident.title}`, { message: text, rules: out.map((r) => r.name) });
    return { rules: out };
  });
  ctx.bus.publish([{ type: 'incident.updated', at: now }]);
  if (notices + jobs > 0) ctx.wake();
  return result;
}

/** Who is reminded about a missed first stakeholder update: the communications lead, else the commander. */
export async function commsLeadOrCommander(conn: Conn, org: OrgSnapshot, incidentId: number): Promise<UsersTable | undefined> {
  const roles = await listIncidentRoles(conn, [incidentId]);
  const holder = roles.find((r) => r.role === 'comms_lead') ?? roles.find((r) => r.role === 'commander');
  return holder ? org.users.get(holder.user_id) : undefined;
}
