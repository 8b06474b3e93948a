import { z } from 'zod';
import { formatDuration, parseDuration } from '../domain/silence/policy.js';

/**
 * Two keys of the org file's `incident_policy`: when to prompt for a war room, and who outside the
 * response is told about which incidents.
 *
 *   incident_policy:
 *     war_room: { after: 30m, severities: [critical] }
 *     stakeholders:
 *       - name: customer-success
 *         severities: [critical, high]
 *         within: 30m
 *         notify: [ { team: customer-success }, { user: carol }, { channel: "#cs-incidents" } ]
 *
 * war_room: an incident of one of `severities` still open `after` its declaration prompts its
 * commander, once, to open a war room (a Slack channel named after the incident).
 *
 * stakeholders: the people and Slack channels of a rule are told when an incident of one of its
 * severities is declared, or raised into one. `within` is the deadline, counted from then, for the
 * first stakeholder update (POST /api/v1/incidents/:id/stakeholder-updates); when none was sent by
 * then, the communications lead (or, without one, the commander) is reminded, once.
 * A `channel` is a Slack channel ("#name" or a channel ID such as C0123ABCD).
 */
export interface WarRoomPolicy {
  /** ms after the declaration. */
  after: number;
  severities: string[];
}

export type StakeholderTarget = { user: string } | { team: string } | { channel: string };

export interface StakeholderRule {
  name: string;
  severities: string[];
  /** ms after the rule matched by which the first stakeholder update is owed; null = none owed. */
  within: number | null;
  notify: StakeholderTarget[];
}

const MIN = 60_000;
const MAX = 24 * 60 * MIN;
/** "#name" (Slack's rules: lowercase, digits, - and _, at most 80) or a channel ID. */
const SLACK_CHANNEL = /^(#[a-z0-9_-][a-z0-9._-]{0,79}|[CG][A-Z0-9]{6,})$/;

const TargetSchema = z.union([
  z.strictObject({ user: z.string().min(1).describe('A user name.') }),
  z.strictObject({ team: z.string().min(1).describe('A team name: every member is told.') }),
  z.strictObject({ channel: z.string().min(1).describe('A Slack channel: "#name" or a channel ID.') }),
]);

export const WarRoomSchema = z
  .strictObject({
    after: z.string().describe('How long an incident is open before its commander is prompted to open a war room, e.g. 30m.'),
    severities: z.array(z.string()).min(1).describe('Severities that get the prompt, e.g. [critical].'),
  })
  .describe('Prompt the commander to open a war room (a Slack channel for the incident) when an incident stays open this long.');

export const StakeholdersSchema = z
  .array(
    z.strictObject({
      name: z.string().min(1).max(60).describe('What the timeline calls the group, e.g. customer-success.'),
      severities: z.array(z.string()).min(1).describe('Incidents of these severities are announced to the group.'),
      within: z.string().optional().describe('Deadline for the first stakeholder update, e.g. 30m; the communications lead (or the commander) is reminded when it passes without one.'),
      notify: z.array(TargetSchema).min(1).describe('Who is told: {user: name}, {team: name} or {channel: "#slack-channel"}.'),
    }),
  )
  .describe('Groups outside the response told about incidents of some severities, and sent the stakeholder updates.');

export type WarRoomInput = z.output<typeof WarRoomSchema>;
export type StakeholdersInput = z.output<typeof StakeholdersSchema>;
type Path = readonly (string | number)[];

export interface WarRoomRefs {
  users: Set<string> | null;
  teams: Set<string> | null;
}

function duration(text: string, at: Path, problem: (at: Path, message: string) => void): number | null {
  const ms = parseDuration(text);
  if (ms === null || ms < MIN || ms > MAX) {
    problem(at, `"${text}" is not a duration from 1m to 24h; write e.g. 15m, 30m or 1h`);
    return null;
  }
  return ms;
}

export function checkWarRoom(input: WarRoomInput, path: Path, severity: (raw: string, at: Path) => string | null, problem: (at: Path, message: string) => void): WarRoomPolicy | null {
  const after = duration(input.after, [...path, 'after'], problem);
  const severities = [...new Set(input.severities.flatMap((s, i) => severity(s, [...path, 'severities', i]) ?? []))];
  return after === null ? null : { after, severities };
}

export function checkStakeholders(input: StakeholdersInput, path: Path, severity: (raw: string, at: Path) => string | null, refs: WarRoomRefs, problem: (at: Path, message: string) => void): StakeholderRule[] {
  const seen = new Map<string, number>();
  return input.map((r, i) => {
    const at = [...path, i];
    const prev = seen.get(r.name);
    if (prev !== undefined) problem([...at, 'name'], `duplicate name "${r.name}" (also ${path.join('.')}[${prev}])`);
    seen.set(r.name, i);
    const severities = [...new Set(r.severities.flatMap((s, k) => severity(s, [...at, 'severities', k]) ?? []))];
    const within = r.within === undefined ? null : duration(r.within, [...at, 'within'], problem);
    r.notify.forEach((t, k) => {
      const tAt = [...at, 'notify', k];
      if ('user' in t && refs.users && !refs.users.has(t.user)) problem([...tAt, 'user'], `no user named "${t.user}" in users`);
      if ('team' in t && refs.teams && !refs.teams.has(t.team)) problem([...tAt, 'team'], `no team named "${t.team}" in teams`);
      if ('channel' in t && !SLACK_CHANNEL.test(t.channel)) problem([...tAt, 'channel'], `"${t.channel}" is not a Slack channel; write "#name" (lowercase) or a channel ID such as C0123ABCD`);
    });
    return { name: r.name, severities, within, notify: r.notify.map((t) => ({ ...t })) };
  });
}

/** The two keys as written back by export; absent when not configured, so a round trip is a no-op. */
export function warRoomToFile(p: { warRoom?: WarRoomPolicy | null; stakeholders?: StakeholderRule[] }): Record<string, unknown> {
  return {
    ...(p.warRoom ? { war_room: { after: formatDuration(p.warRoom.after), severities: p.warRoom.severities } } : {}),
    ...(p.stakeholders?.length
      ? {
          stakeholders: p.stakeholders.map((r) => ({
            name: r.name,
            severities: r.severities,
            ...(r.within !== null ? { within: formatDuration(r.within) } : {}),
            notify: r.notify,
          })),
        }
      : {}),
  };
}

/** A target in people's words: "team customer-success", "carol", "#cs-incidents". */
export function targetText(t: StakeholderTarget): string {
  return 'user' in t ? t.user : 'team' in t ? `team ${t.team}` : t.channel;
}
