import { z } from 'zod';
import type { App } from '../../app.js';
import type { Ctx } from '../../commands/context.js';
import { LINT_MAX_WEEKS, lintOrg } from '../../commands/schedule-lint.js';
import { addOverride, DAY, findSchedule, onCallIn, removeOverride, scheduleShifts, swapShifts, upcomingOverrides, userShifts } from '../../commands/schedules.js';
import { AppError } from '../../domain/errors.js';
import type { Shift } from '../../domain/schedule/schedule.js';
import type { OrgSnapshot } from '../../store/org.repo.js';
import type { OverrideRow, StoredSchedule } from '../../store/schedule.repo.js';
import { actorOf } from '../auth.js';
import { iso } from '../presenters.js';
import type { ApiRouter } from '../router.js';
import { parse } from '../validate.js';

/**
 * Schedules at work: who is on call, shifts over a range, overrides and swaps, "my shifts".
 * Creating and editing schedules is in routes/org.ts, through the organisation file's path.
 * Times go out as ISO 8601 in UTC and people by name.
 */

/** Fields GET /api/v1/schedules/:name adds to the file entry; a PUT of what GET served drops them. */
export const SCHEDULE_READ_ONLY = ['on_call_now', 'overrides'];

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/;
const instant = () =>
  z
    .string({ error: (iss) => (iss.input === undefined ? 'required' : 'expected a date-time like 2026-03-09T09:00Z') })
    .refine((s) => ISO_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s)), { error: 'must be a date-time with a zone, like 2026-03-09T09:00Z or 2026-03-09T10:00+01:00' })
    .transform((s) => Date.parse(s));

const userName = z.string().min(1).describe('User name.');
const Name = z.strictObject({ name: z.string().min(1) });
const OverrideParams = z.strictObject({ name: z.string().min(1), id: z.string().min(1) });
const Range = z.strictObject({
  from: instant().optional().describe('ISO date-time with a zone; default now.'),
  to: instant().optional().describe('ISO date-time with a zone; default 14 days after from. At most 366 days after from.'),
});
const OnCallQuery = z.strictObject({
  at: instant().optional().describe('ISO date-time with a zone; default now.'),
  team: z.string().min(1).optional().describe('Only this team’s schedules.'),
});
const LintQuery = z.strictObject({
  weeks: z.coerce
    .number({ error: `must be a whole number of weeks from 1 to ${LINT_MAX_WEEKS}` })
    .int({ error: `must be a whole number of weeks from 1 to ${LINT_MAX_WEEKS}` })
    .min(1, { error: `must be a whole number of weeks from 1 to ${LINT_MAX_WEEKS}` })
    .max(LINT_MAX_WEEKS, { error: `must be a whole number of weeks from 1 to ${LINT_MAX_WEEKS}` })
    .default(4)
    .describe(`How many weeks ahead to check, 1 to ${LINT_MAX_WEEKS}; default 4.`),
  from: instant().optional().describe('ISO date-time with a zone; default now.'),
  team: z.string().min(1).optional().describe('Only findings about this team’s schedules.'),
});
const OverrideBody = z.strictObject({
  start: instant(),
  end: instant(),
  user: userName.nullable().describe('Who is on call instead; null takes people off for the range.'),
  replaces: userName.optional().describe('Only where this person was on call (a cover); left out: whoever was.'),
  note: z.string().max(500).optional(),
});
const SwapHalf = z.strictObject({ user: userName, start: instant(), end: instant() });
const SwapBody = z.strictObject({
  a: SwapHalf.describe('The first person and the range they hand to b.'),
  b: SwapHalf.describe('The second person and the range they hand to a.'),
  note: z.string().max(500).optional(),
});

const nameOf = (org: OrgSnapshot, id: string | null): string | null => (id === null ? null : (org.users.get(id)?.name ?? id));

export const presentShift = (org: OrgSnapshot, s: Shift) => ({ start: iso(s.start), end: iso(s.end), user: nameOf(org, s.userId), source: s.source });

export const presentOverride = (org: OrgSnapshot, r: OverrideRow) => ({
  id: r.id,
  start: iso(r.start_at),
  end: iso(r.end_at),
  user: nameOf(org, r.user_id),
  replaces: nameOf(org, r.replaces_user_id),
  note: r.note,
  created_by: { kind: r.created_by_kind, name: r.created_by_name },
  created_at: iso(r.created_at),
});

/** What a schedule's GET adds to its file entry: who is on call now and until when, and (for one) its upcoming overrides. */
export async function presentScheduleLive(ctx: Ctx, name: string, withOverrides: boolean): Promise<Record<string, unknown>> {
  const org = await ctx.org.get(ctx.store.db);
  const s = org.schedulesByName.get(name);
  if (!s) return {};
  const now = ctx.clock.now();
  const [on] = await onCallIn(ctx.store.db, [s], now);
  const out: Record<string, unknown> = { on_call_now: on?.userId ? { user: nameOf(org, on.userId), until: iso(on.until) } : null };
  if (withOverrides) out.overrides = (await upcomingOverrides(ctx.store.db, s, now)).map((r) => presentOverride(org, r));
  return out;
}

const teamName = (org: OrgSnapshot, s: StoredSchedule): string | null => (s.teamId ? (org.teams.get(s.teamId)?.name ?? null) : null);

export function scheduleRoutes(app: App, r: ApiRouter): void {
  const { ctx } = app;
  const org = () => ctx.org.get(ctx.store.db);
  const range = (q: z.output<typeof Range>) => {
    const from = q.from ?? ctx.clock.now();
    return { from, to: q.to ?? from + 14 * DAY };
  };

  r.add({
    method: 'GET',
    url: '/api/v1/schedules/:name/shifts',
    summary: 'A schedule’s final shifts over a range, each layer’s shifts and the overrides in it',
    tag: 'schedules',
    role: 'viewer',
    query: Range,
    handler: async (req) => {
      const { name } = parse(Name, req.params);
      const { from, to } = range(parse(Range, req.query));
      const o = await org();
      const s = findSchedule(o, name);
      const result = await scheduleShifts(ctx.store.db, s, from, to);
      return {
        schedule: s.name,
        time_zone: s.timeZone,
        from: iso(from),
        to: iso(to),
        final: result.final.map((x) => presentShift(o, x)),
        layers: result.layers.map((l) => ({ name: l.name, shifts: l.shifts.map((x) => presentShift(o, x)) })),
        overrides: result.overrides.map((x) => presentOverride(o, x)),
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/schedules/lint',
    summary: 'Schedule lint: gaps, over-long shifts, people on call twice at once, primary and backup in one time zone',
    tag: 'schedules',
    role: 'viewer',
    query: LintQuery,
    handler: async (req) => {
      const q = parse(LintQuery, req.query);
      const o = await org();
      const result = await lintOrg(ctx.store.db, o, { from: q.from ?? ctx.clock.now(), weeks: q.weeks, ...(q.team !== undefined ? { team: q.team } : {}) });
      return {
        from: iso(result.from),
        to: iso(result.to),
        findings: result.findings.map((f) => ({
          kind: f.kind,
          schedule: f.schedule,
          ...(f.other !== undefined ? { other: f.other } : {}),
          ...(f.user !== undefined ? { user: f.user } : {}),
          start: iso(f.start),
          end: iso(f.end),
          message: f.message,
        })),
      };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/schedules/:name/overrides',
    summary: 'Put someone else on call for a range (a cover), or nobody',
    tag: 'schedules',
    role: 'responder',
    body: OverrideBody,
    handler: async (req, reply) => {
      const { name } = parse(Name, req.params);
      const b = parse(OverrideBody, req.body);
      const row = await addOverride(ctx, actorOf(req), name, { start: b.start, end: b.end, user: b.user, replaces: b.replaces ?? null, note: b.note ?? '' });
      void reply.status(201);
      return { override: presentOverride(await org(), row) };
    },
  });

  r.add({
    method: 'DELETE',
    url: '/api/v1/schedules/:name/overrides/:id',
    summary: 'Remove an override',
    tag: 'schedules',
    role: 'responder',
    handler: async (req) => {
      const { name, id } = parse(OverrideParams, req.params);
      await removeOverride(ctx, actorOf(req), name, id);
      return { deleted: id };
    },
  });

  r.add({
    method: 'POST',
    url: '/api/v1/schedules/:name/swaps',
    summary: 'Swap shifts: a takes b’s range and b takes a’s (two overrides, all or nothing)',
    tag: 'schedules',
    role: 'responder',
    body: SwapBody,
    handler: async (req, reply) => {
      const { name } = parse(Name, req.params);
      const b = parse(SwapBody, req.body);
      const rows = await swapShifts(ctx, actorOf(req), name, b.a, b.b, b.note ?? '');
      const o = await org();
      void reply.status(201);
      return { overrides: rows.map((x) => presentOverride(o, x)) };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/oncall',
    summary: 'Who is on call in every schedule (or a team’s) at an instant',
    tag: 'schedules',
    role: 'viewer',
    query: OnCallQuery,
    handler: async (req) => {
      const q = parse(OnCallQuery, req.query);
      const o = await org();
      const at = q.at ?? ctx.clock.now();
      let schedules = [...o.schedules.values()];
      if (q.team !== undefined) {
        const team = [...o.teams.values()].find((t) => t.name === q.team);
        if (!team) throw AppError.invalid('team', `no team named "${q.team}"`);
        schedules = schedules.filter((s) => s.teamId === team.id);
      }
      schedules.sort((a, b) => (teamName(o, a) ?? '').localeCompare(teamName(o, b) ?? '') || a.name.localeCompare(b.name));
      const rows = await onCallIn(ctx.store.db, schedules, at);
      return {
        at: iso(at),
        oncall: rows.map((x) => ({ schedule: x.schedule.name, team: teamName(o, x.schedule), role: x.schedule.role, user: nameOf(o, x.userId), until: iso(x.until) })),
      };
    },
  });

  r.add({
    method: 'GET',
    url: '/api/v1/users/:name/shifts',
    summary: 'One person’s on-call shifts across every schedule ("my shifts")',
    tag: 'schedules',
    role: 'viewer',
    query: Range,
    handler: async (req) => {
      const { name } = parse(Name, req.params);
      const { from, to } = range(parse(Range, req.query));
      const o = await org();
      const user = o.usersByName.get(name);
      if (!user) throw AppError.notFound(`user "${name}"`);
      const shifts = await userShifts(ctx.store.db, o, user.id, from, to);
      return {
        user: user.name,
        from: iso(from),
        to: iso(to),
        shifts: shifts.map(({ schedule, shift }) => ({ schedule: schedule.name, team: teamName(o, schedule), role: schedule.role, ...presentShift(o, shift) })),
      };
    },
  });
}
