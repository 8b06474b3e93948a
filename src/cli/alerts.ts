import type { Command } from 'commander';
import { ApiError, type Client } from '../client/client.js';
import { parseDuration } from '../domain/silence/policy.js';
import { resolveConnection } from './login.js';
import {
  EXIT_CODES_HELP,
  exitCodeOf,
  notFoundError,
  paint,
  printJson,
  printTable,
  shortTime,
  statusColour,
  usageError,
  withConnection,
  withJson,
  type ConnectionOptions,
} from './output.js';

/**
 * `watchkeeper alerts list|show|ack|resolve|escalate|snooze|note` and `watchkeeper trigger`: thin
 * views over /api/v1/alerts. Actions take several ids at once (ack, resolve) so a responder can
 * clear a storm in one line; each id is tried, and the exit code is that of the first failure.
 */

type MakeClient = (opts: ConnectionOptions) => Client;

export interface ApiAlert {
  id: number;
  status: string;
  severity: string;
  summary: string;
  service: { id: string; name: string | null };
  dedup_key: string;
  source: string | null;
  labels: Record<string, string>;
  links: { href: string; text?: string }[];
  count: number;
  created_at: string;
  last_seen_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  snoozed_until: string | null;
  silenced_by: string | null;
  inhibited_by: string | null;
  runbook: { url: string | null; steps: string | null } | null;
  /** The alert group (services that group alerts by labels), or null. */
  grouping?: { text: string | null; leader: boolean; leader_id: number | null; size: number | null } | null;
  escalation: { policy: { id: string; name: string | null } | null; level: number | null; levels: number; repeat: number; next_escalation_at: string | null };
}
interface ApiEvent {
  at: string;
  kind: string;
  actor: { kind: string; name: string | null };
  surface: string | null;
  message: string;
}
interface ApiPage {
  user: { name: string | null };
  to_channel: string | null;
  channel: string;
  contact_method: string | null;
  destination: string;
  level: number;
  repeat: number;
  status: string;
  held: boolean;
  created_at: string;
  sent_at: string | null;
  last_error: string | null;
}
interface AlertDetail {
  alert: ApiAlert;
  timeline: ApiEvent[];
  pages: ApiPage[];
}

const STATUSES = ['triggered', 'acknowledged', 'resolved'];

/** "12" or "#12" -> 12; anything else is a usage error naming the argument. */
export function alertId(text: string): number {
  const m = /^#?(\d+)$/.exec(text.trim());
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw usageError(`"${text}" is not an alert number; give the number shown by watchkeeper alerts list, e.g. 12`);
  return n;
}

/** One word for where an alert stands, with why it is quiet when it is. */
function state(a: ApiAlert): string {
  if (a.status !== 'resolved' && a.silenced_by) return `${a.status} (silenced)`;
  if (a.status !== 'resolved' && a.inhibited_by) return `${a.status} (inhibited)`;
  if (a.status === 'acknowledged' && a.snoozed_until) return 'snoozed';
  return a.status;
}

const colourOfState = (s: string) => (s.includes('(') ? 'dim' : s === 'snoozed' ? 'yellow' : statusColour(s));

function alertTable(alerts: ApiAlert[]): void {
  printTable([['ID', 'STATUS', 'SEVERITY', 'SERVICE', 'CREATED', 'SUMMARY'], ...alerts.map((a) => [`#${a.id}`, state(a), a.severity, a.service.name ?? a.service.id, shortTime(a.created_at), `${a.summary}${groupNote(a)}`])], (col, cell) =>
    col === 1 ? colourOfState(cell) : null,
  );
}

/** " (12 in group)" on a group's leader, " (in group of #12)" on a member. */
function groupNote(a: ApiAlert): string {
  const g = a.grouping;
  if (!g) return '';
  if (g.leader) return g.size !== null && g.size > 1 ? ` (${g.size} in group)` : '';
  return ` (in group of #${g.leader_id ?? '?'})`;
}

/** Runs an action on each id; prints each outcome; ends with the first failure's exit code. */
async function eachAlert(ids: string[], json: boolean | undefined, run: (id: number) => Promise<{ alert: ApiAlert | null }>, done: (a: ApiAlert) => string): Promise<void> {
  const numbers = ids.map(alertId);
  const results: unknown[] = [];
  let firstFailure: unknown = null;
  for (const id of numbers) {
    try {
      const r = await run(id);
      results.push(r.alert);
      if (!json && r.alert) console.log(done(r.alert));
    } catch (err) {
      // Unreachable, or a token refused: the other ids would fail alike, so stop at the first.
      if (err instanceof ApiError && [0, 401, 403].includes(err.status)) throw err;
      firstFailure ??= err;
      const message = err instanceof ApiError && err.status === 404 ? `#${id}: not found; see open alerts with: watchkeeper alerts list` : `#${id}: ${err instanceof Error ? err.message : String(err)}`;
      console.error(message);
      results.push({ id, error: message });
    }
  }
  if (json) printJson(numbers.length === 1 && !firstFailure ? { alert: results[0] } : { alerts: results });
  if (firstFailure) process.exitCode = exitCodeOf(firstFailure);
}

const by = (who: string | null) => (who ? ` by ${who}` : '');

export function alertCommands(program: Command, client: MakeClient): void {
  const cmd = (parent: Command, name: string) => withJson(withConnection(parent.command(name)));
  const alerts = program
    .command('alerts')
    .description('Alerts: list, show, acknowledge, resolve, escalate, snooze, add notes')
    .addHelpText('after', `\nExamples:\n  watchkeeper alerts list --severity critical\n  watchkeeper alerts ack 12 13 14\n  watchkeeper alerts snooze 12 --for 30m\n${EXIT_CODES_HELP}`);

  cmd(alerts, 'list')
    .description('Alerts, newest first (open ones unless --status says otherwise)')
    .option('--status <list>', 'comma-separated: triggered, acknowledged, resolved, or all (default: triggered,acknowledged)')
    .option('--service <list>', 'comma-separated service names')
    .option('--severity <list>', 'comma-separated severities')
    .option('--silenced', 'only alerts a silence is holding')
    .option('--no-silenced', 'only alerts no silence is holding')
    .option('--hide-members', 'leave out alerts that joined a group another alert leads')
    .option('--limit <n>', 'at most this many (1 to 1000)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 1000) throw usageError('--limit must be a whole number from 1 to 1000');
      return n;
    }, 100)
    .addHelpText('after', '\nExamples:\n  watchkeeper alerts list\n  watchkeeper alerts list --status all --service Checkout --limit 20\n  watchkeeper alerts list --silenced --json | jq \'.alerts[].id\'')
    .action(async (o: ConnectionOptions & { status?: string; service?: string; severity?: string; silenced?: boolean; hideMembers?: boolean; limit: number; json?: boolean }) => {
      const q = new URLSearchParams();
      if (o.status) q.set('status', o.status.trim() === 'all' ? STATUSES.join(',') : o.status);
      if (o.service) q.set('service', o.service);
      if (o.severity) q.set('severity', o.severity);
      if (o.silenced !== undefined) q.set('silenced', String(o.silenced));
      if (o.hideMembers) q.set('members', 'hide');
      q.set('limit', String(o.limit));
      const r = await client(o).request<{ alerts: ApiAlert[]; next_before: number | null }>('GET', `/api/v1/alerts?${q.toString()}`);
      if (o.json) return printJson(r);
      if (r.alerts.length === 0) {
        console.log(o.status || o.service || o.severity || o.silenced !== undefined ? 'No alerts match.' : 'No open alerts. Send a test one with: watchkeeper trigger --service NAME');
        return;
      }
      alertTable(r.alerts);
      if (r.next_before !== null) console.log(`(first ${r.alerts.length}; more with --limit, or the API's before=${r.next_before})`);
    });

  cmd(alerts, 'show')
    .description('One alert: its fields, labels, timeline and pages')
    .argument('<id>', 'alert number')
    .addHelpText('after', '\nExamples:\n  watchkeeper alerts show 12\n  watchkeeper alerts show 12 --json | jq \'.timeline\'')
    .action(async (id: string, o: ConnectionOptions & { json?: boolean }) => {
      const n = alertId(id);
      let r: AlertDetail;
      try {
        r = await client(o).request<AlertDetail>('GET', `/api/v1/alerts/${n}`);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) throw notFoundError(`alert #${n} not found; see open alerts with: watchkeeper alerts list`);
        throw err;
      }
      if (o.json) return printJson(r);
      const a = r.alert;
      const s = state(a);
      console.log(`#${a.id} ${paint(s, colourOfState(s))} ${a.severity} ${a.service.name ?? a.service.id}: ${a.summary}`);
      const fields: [string, string][] = [
        ['dedup key', a.dedup_key],
        ['created', `${shortTime(a.created_at)}${a.count > 1 ? ` (fired ${a.count} times, last ${shortTime(a.last_seen_at)})` : ''}`],
      ];
      if (a.acknowledged_at) fields.push(['acknowledged', `${shortTime(a.acknowledged_at)}${by(a.acknowledged_by)}`]);
      if (a.snoozed_until) fields.push(['snoozed until', shortTime(a.snoozed_until)]);
      if (a.resolved_at) fields.push(['resolved', `${shortTime(a.resolved_at)}${by(a.resolved_by)}`]);
      if (a.silenced_by) fields.push(['silenced by', `silence ${a.silenced_by} (watchkeeper silence show ${a.silenced_by})`]);
      if (a.inhibited_by) fields.push(['inhibited by', a.inhibited_by]);
      const e = a.escalation;
      if (e.policy) fields.push(['escalation', `${e.policy.name ?? e.policy.id}, level ${e.level ?? '-'} of ${e.levels}${e.repeat ? `, repeat ${e.repeat}` : ''}${e.next_escalation_at ? `, next at ${shortTime(e.next_escalation_at)}` : ''}`]);
      if (a.grouping?.text) fields.push(['group', `${a.grouping.text}${a.grouping.leader ? '; this alert leads it: ack or resolve it to act on them all' : `; led by #${a.grouping.leader_id ?? '?'} (watchkeeper alerts show ${a.grouping.leader_id ?? ''})`}`]);
      if (a.runbook?.url) fields.push(['runbook', a.runbook.url]);
      const labels = Object.entries(a.labels ?? {});
      if (labels.length) fields.push(['labels', labels.map(([k, v]) => `${k}=${v}`).join(' ')]);
      for (const l of a.links ?? []) fields.push(['link', l.text ? `${l.text}: ${l.href}` : l.href]);
      printTable(fields.map(([k, v]) => [`  ${k}`, v]));
      console.log('');
      console.log('Timeline:');
      printTable([['  AT', 'EVENT', 'BY', 'MESSAGE'], ...r.timeline.map((t) => [`  ${shortTime(t.at)}`, t.kind, t.actor.name ?? t.actor.kind, t.message])]);
      console.log('');
      if (r.pages.length === 0) {
        console.log('Pages: none yet');
        return;
      }
      console.log('Pages:');
      printTable(
        [
          ['  LEVEL', 'TO', 'VIA', 'STATUS', 'SENT', 'ERROR'],
          ...r.pages.map((p) => [
            `  ${p.level}${p.repeat ? ` (repeat ${p.repeat})` : ''}`,
            p.to_channel ?? p.user.name ?? '?',
            `${p.channel}${p.contact_method ? ` ${p.contact_method}` : ''}`,
            p.held ? 'held' : p.status,
            shortTime(p.sent_at),
            p.last_error ?? '',
          ]),
        ],
        (col, cell) => (col === 3 ? statusColour(cell) : null),
      );
    });

  cmd(alerts, 'ack')
    .alias('acknowledge')
    .description('Acknowledge alerts: escalation stops; you own them')
    .argument('<ids...>', 'alert numbers')
    .addHelpText('after', '\nExamples:\n  watchkeeper alerts ack 12\n  watchkeeper alerts ack 12 13 14')
    .action(async (ids: string[], o: ConnectionOptions & { json?: boolean }) => {
      const api = client(o);
      await eachAlert(ids, o.json, (id) => api.request('POST', `/api/v1/alerts/${id}/acknowledge`, {}), (a) => `#${a.id} acknowledged${by(a.acknowledged_by)}`);
    });

  cmd(alerts, 'resolve')
    .description('Resolve alerts: the problem is over')
    .argument('<ids...>', 'alert numbers')
    .option('--note <text>', 'what fixed it, for the timeline')
    .addHelpText('after', '\nExamples:\n  watchkeeper alerts resolve 12\n  watchkeeper alerts resolve 12 13 --note "rolled back 4.2.1"')
    .action(async (ids: string[], o: ConnectionOptions & { note?: string; json?: boolean }) => {
      const api = client(o);
      await eachAlert(ids, o.json, (id) => api.request('POST', `/api/v1/alerts/${id}/resolve`, o.note ? { note: o.note } : {}), (a) => `#${a.id} resolved${by(a.resolved_by)}`);
    });

  cmd(alerts, 'escalate')
    .description('Page the next escalation level now (or --level N)')
    .argument('<ids...>', 'alert numbers')
    .option('--level <n>', 'the level to page, from 1', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw usageError('--level must be a whole number from 1');
      return n;
    })
    .addHelpText('after', '\nExamples:\n  watchkeeper alerts escalate 12\n  watchkeeper alerts escalate 12 --level 3')
    .action(async (ids: string[], o: ConnectionOptions & { level?: number; json?: boolean }) => {
      const api = client(o);
      await eachAlert(ids, o.json, (id) => api.request('POST', `/api/v1/alerts/${id}/escalate`, o.level ? { level: o.level } : {}), (a) =>
        `#${a.id} escalated to level ${a.escalation.level ?? '-'} of ${a.escalation.levels}`,
      );
    });

  cmd(alerts, 'snooze')
    .description('Acknowledge for a while; the alert triggers and pages again when the time is up')
    .argument('<ids...>', 'alert numbers')
    .requiredOption('--for <duration>', 'how long, e.g. 30m, 2h, 1h30m (1 minute to 7 days)')
    .addHelpText('after', '\nExamples:\n  watchkeeper alerts snooze 12 --for 30m\n  watchkeeper alerts snooze 12 13 --for 2h')
    .action(async (ids: string[], o: ConnectionOptions & { for: string; json?: boolean }) => {
      const ms = parseDuration(o.for);
      if (ms === null || ms % 60_000 !== 0 || ms < 60_000 || ms > 7 * 86_400_000) throw usageError(`--for: "${o.for}" is not a duration of whole minutes from 1m to 7d; write it like 30m, 2h or 1h30m`);
      const api = client(o);
      await eachAlert(ids, o.json, (id) => api.request('POST', `/api/v1/alerts/${id}/snooze`, { minutes: ms / 60_000 }), (a) => `#${a.id} snoozed until ${shortTime(a.snoozed_until)}`);
    });

  cmd(alerts, 'note')
    .description('Add a note to an alert’s timeline')
    .argument('<id>', 'alert number')
    .argument('<text>', 'the note (quote it)')
    .addHelpText('after', '\nExample:\n  watchkeeper alerts note 12 "rolled back to 4.2.0; watching error rate"')
    .action(async (id: string, text: string, o: ConnectionOptions & { json?: boolean }) => {
      if (!text.trim()) throw usageError('the note is empty; write it in quotes after the alert number');
      const api = client(o);
      await eachAlert([id], o.json, (n) => api.request('POST', `/api/v1/alerts/${n}/notes`, { text }), (a) => `note added to #${a.id}`);
    });

  withJson(
    withConnection(
      program
        .command('trigger')
        .description('Send a test alert to a service through the API; it pages like a real one')
        .requiredOption('--service <name>', 'the service it is about')
        .option('--summary <text>', 'what is wrong', 'Test alert sent with watchkeeper trigger')
        .option('--severity <name>', 'a severity of the organisation’s scale (default: the service’s)')
        .option('--dedup-key <key>', 'alerts with the same key are one alert (default: a new key)')
        .argument('[labels...]', 'labels as key=value')
        .addHelpText(
          'after',
          `\nExamples:\n  watchkeeper trigger --service Checkout\n  watchkeeper trigger --service Checkout --severity critical --summary "Error rate above 5%" env=prod alertname=HighErrorRate\n  watchkeeper trigger --service Checkout --dedup-key checkout-5xx --json | jq .alert.id\n${EXIT_CODES_HELP}`,
        ),
    ),
  ).action(async (labelArgs: string[], o: ConnectionOptions & { service: string; summary: string; severity?: string; dedupKey?: string; json?: boolean }) => {
    const labels: Record<string, string> = {};
    for (const arg of labelArgs) {
      const i = arg.indexOf('=');
      if (i < 1) throw usageError(`label "${arg}" is not key=value; write it like env=prod`);
      labels[arg.slice(0, i)] = arg.slice(i + 1);
    }
    const api = client(o);
    const r = await api.request<{ outcome: string; dedup_key: string; alert: ApiAlert | null }>('POST', '/api/v1/alerts', {
      service: o.service,
      summary: o.summary,
      ...(o.severity ? { severity: o.severity } : {}),
      ...(o.dedupKey ? { dedup_key: o.dedupKey } : {}),
      ...(labelArgs.length ? { labels } : {}),
    });
    if (o.json) return printJson(r);
    const a = r.alert;
    if (!a) {
      console.log(`nothing opened (${r.outcome}); dedup key ${r.dedup_key}`);
      return;
    }
    const server = resolveConnection(o).server.replace(/\/+$/, '');
    const what = r.outcome === 'created' ? 'opened' : `${r.outcome} into the open alert`;
    console.log(`alert #${a.id} ${what} (${a.severity}, ${a.service.name ?? a.service.id}, dedup key ${r.dedup_key})`);
    console.log(`${server}/alerts/${a.id}`);
  });
}
