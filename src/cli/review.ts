import { InvalidArgumentError, type Command } from 'commander';
import type { Client } from '../client/client.js';
import type { presentReview } from '../http/routes/review.js';
import { alertId } from './alerts.js';
import { withConnection, withJson, type ConnectionOptions } from './output.js';

type MakeClient = (opts: ConnectionOptions) => Client;
type Mark = { alert_id: number; not_actionable: { marked_by: string; reason: string } | null };

const PERIODS = ['week', 'month', 'quarter'];

/**
 * `watchkeeper alerts not-actionable ID` and `watchkeeper report review`. Registered after the
 * alerts and report commands, which they extend.
 */
export function reviewCommands(program: Command, client: MakeClient): void {
  const alerts = program.commands.find((c) => c.name() === 'alerts');
  if (alerts) {
    withJson(withConnection(alerts.command('not-actionable')))
      .description('Mark an alert not actionable (a false positive): counted in the noise report and the review')
      .argument('<id>', 'alert number')
      .option('--reason <text>', 'why it needed no action, for the timeline and the alert’s owners')
      .option('--undo', 'remove the mark')
      .addHelpText('after', '\nExamples:\n  watchkeeper alerts not-actionable 12 --reason "scratch disk; threshold too tight"\n  watchkeeper alerts not-actionable 12 --undo')
      .action(async (id: string, o: ConnectionOptions & { reason?: string; undo?: boolean; json?: boolean }) => {
        const n = alertId(id);
        const api = client(o);
        const r = o.undo ? await api.request<Mark>('DELETE', `/api/v1/alerts/${n}/not-actionable`) : await api.request<Mark>('POST', `/api/v1/alerts/${n}/not-actionable`, o.reason !== undefined ? { reason: o.reason } : {});
        if (o.json) return void console.log(JSON.stringify(r, null, 2));
        console.log(r.not_actionable ? `#${n} marked not actionable${r.not_actionable.reason ? `: ${r.not_actionable.reason}` : ''}` : `#${n} is not marked not actionable`);
      });
  }

  const report = program.commands.find((c) => c.name() === 'report');
  if (report) {
    withJson(withConnection(report.command('review')))
      .description('The on-call review of the last week, month or quarter, as Markdown: incidents and trend, MTTA/MTTR against targets, SLA adherence, alerts to tune, overdue action items, on-call load')
      .option('--period <period>', `${PERIODS.join(', ')}`, (v) => {
        if (!PERIODS.includes(v)) throw new InvalidArgumentError(`--period must be one of ${PERIODS.join(', ')}`);
        return v;
      }, 'week')
      .option('--at <time>', 'a time inside the period to review, ISO with offset (default: the last whole period)')
      .option('--tz <zone>', "time zone of the period's boundaries (default: the review section's, else UTC)")
      .addHelpText('after', '\nExamples:\n  watchkeeper report review --period week\n  watchkeeper report review --period month --at 2026-10-15T00:00:00Z > october.md')
      .action(async (o: ConnectionOptions & { period: string; at?: string; tz?: string; json?: boolean }) => {
        const q = new URLSearchParams({ period: o.period, format: o.json ? 'json' : 'markdown' });
        if (o.at) q.set('at', o.at);
        if (o.tz) q.set('tz', o.tz);
        const r = await client(o).request<ReturnType<typeof presentReview> | string>('GET', `/api/v1/reports/review?${q.toString()}`);
        if (typeof r === 'string') return void process.stdout.write(r);
        console.log(JSON.stringify(r, null, 2));
      });
  }
}
