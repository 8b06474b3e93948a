import { InvalidArgumentError, type Command } from 'commander';
import type { Client } from '../client/client.js';
import type { presentPreview } from '../http/routes/escalation-preview.js';
import type { presentSimulation } from '../http/routes/simulate.js';
import { table } from './schedules.js';

type MakeClient = (opts: { server?: string; token?: string }) => Client;
type Preview = ReturnType<typeof presentPreview>;

const offset = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** The preview as a table: one row per person or channel reached, with each method and its delay. */
export function previewLines(p: Preview): string[] {
  const rows: string[][] = [['AFTER', 'LEVEL', 'WHO', 'HOW']];
  for (const s of p.steps) {
    const level = `${s.level}${s.repeat ? ` (repeat ${s.repeat})` : ''}`;
    const first = rows.length;
    for (const r of s.recipients) {
      const how = r.methods.length
        ? r.methods.map((m) => `${m.kind}${m.offset_minutes > s.offset_minutes ? ` +${m.offset_minutes - s.offset_minutes}m` : ''}${m.skipped ? ` (${m.skipped})` : ''}`).join(', ')
        : 'not paged';
      rows.push([rows.length === first ? offset(s.offset_minutes) : '', rows.length === first ? level : '', r.name, how]);
    }
    if (s.recipients.length === 0) rows.push([offset(s.offset_minutes), level, '-', 'nobody']);
    for (const w of s.warnings) rows.push(['', '', '', `! ${w}`]);
  }
  return [`If a ${p.severity} alert fires at ${(p.at ?? '').replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC')} under "${p.policy}" and nobody acknowledges:`, ...table(rows), `Then: ${p.end}.`];
}

const when = (v: string): string => {
  if (Number.isNaN(Date.parse(v)) || !/[zZ]|[+-]\d\d:?\d\d$/.test(v)) throw new InvalidArgumentError('--at must be a time with its offset, e.g. 2026-03-08T03:00:00-05:00');
  return new Date(Date.parse(v)).toISOString();
};

/** `watchkeeper policy preview`: who an alert would page, when and how, if nobody acknowledged it. */
export function policyCommands(program: Command, client: MakeClient): void {
  const policy = program.command('policy').description('Escalation policies');
  policy
    .command('preview')
    .description('Who would be paged, when and through which methods, if an alert fired and nobody acknowledged it: computed by the server from the real schedules, overrides and notification rules')
    .argument('<policy>', 'escalation policy name')
    .requiredOption('-s, --severity <severity>', 'severity of the imagined alert, e.g. critical')
    .option('--at <time>', 'when it fires (ISO time with offset); default now', when)
    .option('--json', 'print the API answer as JSON')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .addHelpText('after', '\nExamples:\n  watchkeeper policy preview default --severity critical\n  watchkeeper policy preview "Clipper Critical" -s P1 --at 2026-03-08T03:00:00-05:00 --json')
    .action(async (name: string, o: { severity: string; at?: string; json?: boolean; server?: string; token?: string }) => {
      const p = await client(o).request<Preview>('POST', '/api/v1/escalation-policies/preview', { policy: name, severity: o.severity, ...(o.at ? { at: o.at } : {}) });
      if (o.json) console.log(JSON.stringify(p, null, 2));
      else for (const line of previewLines(p)) console.log(line);
    });

  program
    .command('lint')
    .description('Checks the whole organisation: schedule lint for the coming weeks (gaps, over-long shifts, double bookings) and policy lint (services without a policy, severities a policy never pages for, levels that reach nobody who can be paged now); exit code 1 when there is a finding')
    .option('--weeks <n>', 'how many weeks of schedules to check (1 to 26)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 26) throw new InvalidArgumentError('--weeks must be a whole number from 1 to 26');
      return n;
    }, 4)
    .option('--json', 'print both lint answers as JSON')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .addHelpText('after', '\nExamples:\n  watchkeeper lint\n  watchkeeper lint --weeks 8 --json   # in CI: fails when there is a finding')
    .action(async (o: { weeks: number; json?: boolean; server?: string; token?: string }) => {
      const api = client(o);
      const [schedules, policies] = await Promise.all([
        api.request<{ findings: { kind: string; message: string }[] }>('GET', `/api/v1/schedules/lint?weeks=${o.weeks}`),
        api.request<{ findings: { kind: string; message: string }[] }>('GET', '/api/v1/lint/policies'),
      ]);
      const findings = [...schedules.findings, ...policies.findings];
      if (findings.length) process.exitCode = 1;
      if (o.json) return void console.log(JSON.stringify({ schedules: schedules.findings, policies: policies.findings }, null, 2));
      if (findings.length === 0) return void console.log(`no problems: schedules checked for the next ${o.weeks} week${o.weeks === 1 ? '' : 's'}, policies as of now`);
      for (const f of findings) console.log(`${f.kind}: ${f.message}`);
      console.log(`${findings.length} problem${findings.length === 1 ? '' : 's'}`);
    });

  program
    .command('simulate')
    .description('Escalation dry-run: minute by minute, which routing rule decides, which silence or maintenance window holds the alert, the group wait, and who is paged at which level through which method, until the policy is exhausted; from the real configuration, schedules, overrides and notification rules')
    .argument('[labels...]', 'labels as name=value, e.g. alertname=HighErrorRate environment=prod')
    .requiredOption('-s, --severity <severity>', 'severity of the imagined alert, e.g. critical or P1')
    .option('--service <service>', 'the service it arrives at (default: its service label)')
    .option('--at <time>', 'when it fires (ISO time with offset); default now', when)
    .option('--json', 'print the API answer as JSON')
    .option('--server <url>', 'server URL (WATCHKEEPER_SERVER)')
    .option('--token <token>', 'API token (WATCHKEEPER_TOKEN)')
    .addHelpText('after', '\nExamples:\n  watchkeeper simulate --service "Clipper Critical" --severity critical --at 2026-03-08T03:00:00-05:00\n  watchkeeper simulate alertname=HighErrorRate service=backend -s warning')
    .action(async (pairs: string[], o: { severity: string; service?: string; at?: string; json?: boolean; server?: string; token?: string }) => {
      const labels: Record<string, string> = {};
      for (const p of pairs) {
        const i = p.indexOf('=');
        if (i <= 0) throw new InvalidArgumentError(`label "${p}" must be name=value, e.g. alertname=HighErrorRate`);
        labels[p.slice(0, i)] = p.slice(i + 1);
      }
      const r = await client(o).request<ReturnType<typeof presentSimulation>>('POST', '/api/v1/simulate', { ...(o.service ? { service: o.service } : {}), labels, severity: o.severity, ...(o.at ? { at: o.at } : {}) });
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`A ${r.route.severity} alert at ${(r.at ?? '').replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC')}, nobody acknowledging:`);
      for (const l of r.timeline) console.log(`  ${l.after}  ${l.text}`);
    });
}
