import { DateTime } from 'luxon';
import type { Share } from './reports.js';
import type { Review, ReviewNoisy } from './review.js';

/**
 * The review as Markdown: for the email, the CLI and pasting into the meeting notes. Times are in
 * the review's zone; durations as people say them (1h 30m); shares as whole percentages with the
 * counts beside them, so a reader can check every figure.
 */

const WORD = { week: 'week', month: 'month', quarter: 'quarter' } as const;

export function reviewTitle(r: Review): string {
  const from = DateTime.fromMillis(r.period.from, { zone: r.zone });
  if (r.kind === 'week') return `On-call review: week of ${from.toFormat('ccc d LLL yyyy')}`;
  if (r.kind === 'month') return `On-call review: ${from.toFormat('LLLL yyyy')}`;
  return `On-call review: Q${from.quarter} ${from.year}`;
}

export function duration(seconds: number | null): string {
  if (seconds === null) return '–';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (d > 0) return `${d}d ${h % 24}h`;
  return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 1000) / 10}%`);
const change = (x: number | null) => (x === null ? 'no base to compare' : `${x >= 0 ? '+' : ''}${Math.round(x * 100)}%`);
const share = (s: Share | null, noun: string) => (s === null ? `no ${noun} with a target` : `${s.breached} of ${s.of} ${noun} (${pct(s.share)})`);
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
const hours = (h: number) => String(Math.round(h * 10) / 10);

export function reviewMarkdown(r: Review): string {
  const z = (t: number) => DateTime.fromMillis(t, { zone: r.zone }).toFormat('ccc d LLL yyyy HH:mm');
  const w = WORD[r.kind];
  const out: string[] = [];
  out.push(`# ${reviewTitle(r)}`, '');
  out.push(`${z(r.period.from)} to ${z(r.period.to)} (${r.zone}), compared with the ${w} before.`, '');

  out.push('## Incidents', '');
  out.push(`${r.incidents.count} declared (the ${w} before: ${r.incidents.previous}, ${change(r.incidents.trend)}). Alerts opened: ${r.alerts.opened} (before: ${r.alerts.previous}, ${change(r.alerts.trend)}).`, '');
  if (r.incidents.bySeverity.length) {
    out.push(`| Severity | This ${w} | ${w[0]!.toUpperCase()}${w.slice(1)} before |`, '| --- | ---: | ---: |');
    for (const s of r.incidents.bySeverity) out.push(`| ${s.severity} | ${s.count} | ${s.previous} |`);
    out.push('');
  }
  for (const i of r.incidents.list) {
    const took = i.resolvedAt === null ? `still ${i.status}` : `resolved after ${duration((i.resolvedAt - i.declaredAt) / 1000)}`;
    out.push(`- #${i.id} ${i.severity}: ${cell(i.title)} (declared ${z(i.declaredAt)}, ${took})`);
  }
  if (r.incidents.list.length) out.push('');

  out.push('## Response against targets', '');
  if (r.response.groups.length === 0) out.push('No alerts opened.', '');
  else {
    out.push('| Severity | Alerts | MTTA | Target | MTTR | Target | Ack breached | Resolve breached |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const g of [...r.response.groups, r.response.total]) {
      const b = (s: Share | null) => (s === null ? '–' : `${s.breached} of ${s.of}`);
      out.push(
        `| ${g.key} | ${g.alerts} | ${duration(g.tta.mean)} | ${duration(g.target?.acknowledge ?? null)} | ${duration(g.ttr.mean)} | ${duration(g.target?.resolve ?? null)} | ${b(g.breached.acknowledge)} | ${b(g.breached.resolve)} |`,
      );
    }
    out.push('');
  }

  out.push('## SLA adherence', '');
  out.push(`- Alerts acknowledged within target: ${share(r.sla.acknowledge, 'alerts')}`);
  out.push(`- Alerts resolved within target: ${share(r.sla.resolve, 'alerts')}`);
  out.push(`- Incidents resolved within target: ${share(r.sla.incidents, 'incidents')}`, '');

  out.push('## Alerts to tune', '');
  const na = r.tune.notActionable;
  out.push(`False-positive rate: ${na.marked} of ${na.opened} alerts marked not actionable (${pct(na.falsePositiveRate)}).`, '');
  const table = (list: ReviewNoisy[]) => {
    out.push('| Service | Alert | Opened | Repeats | Not actionable | Re-fired within the hour |', '| --- | --- | ---: | ---: | ---: | ---: |');
    for (const a of list) out.push(`| ${cell(a.service)} | ${cell(a.dedupKey)}: ${cell(a.summary)} | ${a.opened} | ${a.repeats} | ${a.notActionable} | ${a.quickRefires} |`);
    out.push('');
  };
  if (r.tune.noisiest.length) {
    out.push('Noisiest:', '');
    table(r.tune.noisiest);
  }
  if (r.tune.flapping.length) {
    out.push('Flapping (resolved and fired again within the hour, twice or more):', '');
    table(r.tune.flapping);
  }

  out.push('## Post-mortem action items overdue', '');
  if (r.actionItems === null) out.push('Post-mortems are not recorded here.');
  else if (r.actionItems.overdue.length === 0) out.push('None.');
  else for (const a of r.actionItems.overdue) out.push(`- incident #${a.incident}: ${cell(a.title)} (${a.owner ?? 'no owner'}, due ${z(a.dueAt)}, ${a.status.replace('_', ' ')})`);
  out.push('');

  out.push('## On-call load', '');
  if (r.load.people.length === 0) out.push('Nobody was on call or paged.');
  else {
    out.push('| Person | Interruptions | In sleep hours | Hours on call | Incidents worked | Hours in incidents |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const p of r.load.people) out.push(`| ${cell(p.user)} | ${p.interruptions} | ${p.sleep} | ${hours(p.hoursOnCall)} | ${p.incidents} | ${hours(p.incidentHours)} |`);
    const spread = r.load.teams.filter((t) => t.spread !== null);
    if (spread.length) out.push('', `Spread (most-loaded member over the team mean; 1 is even): ${spread.map((t) => `${t.team} ${Math.round(t.spread! * 100) / 100}`).join(', ')}.`);
  }
  out.push('');
  return out.join('\n');
}
