import { z } from 'zod';
import type { App } from '../../app.js';
import { incidentNumber, loadPolicy } from '../../commands/incidents.js';
import { openWarRoom, postStakeholderUpdate, presentWarRoom, rulesFor, stakeholderRecipients } from '../../commands/war-room.js';
import { AppError } from '../../domain/errors.js';
import { getIncident } from '../../store/incident.repo.js';
import { getWarRoom, listStakeholderRows } from '../../store/war-room.repo.js';
import { actorOf } from '../auth.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/** "12" or "#12". */
const IncidentId = z.strictObject({
  id: z
    .string()
    .transform((s) => Number(s.replace(/^#/, '')))
    .pipe(z.int({ error: 'must be an incident number, e.g. 12' }).min(1, { error: 'must be an incident number, e.g. 12' })),
});

const StakeholderUpdate = z.strictObject({
  message: z.string({ error: 'required: what stakeholders need to know' }).max(4000, { error: 'must be at most 4000 characters' }).describe('The update, in words for people outside the response.'),
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** War rooms (the incident's Slack channel) and stakeholder updates: src/commands/war-room.ts. */
export function warRoomRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;

  const state = async (id: number) => {
    const incident = await getIncident(ctx.store.db, id);
    if (!incident) throw AppError.notFound(`incident ${incidentNumber(id)}`);
    const [org, policy, room, told] = await Promise.all([ctx.org.get(ctx.store.db), loadPolicy(ctx), getWarRoom(ctx.store.db, id), listStakeholderRows(ctx.store.db, id)]);
    return {
      war_room: presentWarRoom(room),
      slack_connected: app.slack !== null,
      stakeholders: rulesFor(policy, incident.severity).map((rule) => {
        const row = told.find((t) => t.rule === rule.name);
        const rec = stakeholderRecipients(org, rule);
        return {
          name: rule.name,
          people: rec.users.map((u) => u.name),
          channels: rec.channels,
          within_minutes: rule.within === null ? null : rule.within / 60_000,
          told_at: iso(row?.told_at ?? null),
          first_update_due_at: iso(row?.next_update_due_at ?? null),
          first_update_at: iso(row?.first_update_at ?? null),
        };
      }),
    };
  };

  r.add({
    method: 'GET',
    url: '/api/v1/incidents/:id/war-room',
    summary: "The incident's war room (Slack channel) and the stakeholder groups its severity is told",
    tag: 'incidents',
    role: 'viewer',
    handler: async (req) => state(parse(IncidentId, req.params).id),
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/war-room',
    summary: 'Open a war room: with Slack connected, a channel incident-YYYYMMDD-description with the role holders invited; status updates are posted there and closing the incident archives it',
    tag: 'incidents',
    role: 'responder',
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      await openWarRoom(ctx, id, actorOf(req), { slack: app.slack !== null });
      void reply.status(201);
      return state(id);
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/incidents/:id/stakeholder-updates',
    summary: "Send a stakeholder update to every stakeholder group that covers the incident's severity",
    tag: 'incidents',
    role: 'responder',
    body: StakeholderUpdate,
    handler: async (req, reply) => {
      const { id } = parse(IncidentId, req.params);
      const b = parse(StakeholderUpdate, req.body);
      const sent = await postStakeholderUpdate(ctx, id, actorOf(req), b.message, { slack: app.slack !== null });
      void reply.status(201);
      return { sent: sent.rules, ...(await state(id)) };
    },
  });
}
