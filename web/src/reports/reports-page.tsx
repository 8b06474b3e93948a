import { useState, type FormEvent } from 'react';
import { api, errorMessage, withQuery } from '../api/client';
import { Button } from '../ui/button';
import { useToast } from '../ui/toast';
import { useApi } from '../lib/use-api';
import { useTitle } from '../lib/title';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { NotActionableView, ReviewSection, type NotActionableSummary } from './review-section';

/**
 * Reports: response times against the targets and alert noise, from the record the server keeps.
 * Charts are plain SVG with a table beside them holding the same numbers, so nothing is only a
 * colour or a bar length (and screen readers get the table).
 */

interface Stat {
  count: number;
  mean: number | null;
  median: number | null;
  p95: number | null;
}
interface Share {
  breached: number;
  of: number;
  share: number;
}
export interface ResponseGroup {
  key: string;
  alerts: number;
  acknowledged: number;
  resolved: number;
  time_to_acknowledge: Stat;
  time_to_resolve: Stat;
  target: { acknowledge: number | null; resolve: number | null } | null;
  breached: { acknowledge: Share | null; resolve: Share | null };
  trend: { alerts: number | null; time_to_acknowledge: number | null; time_to_resolve: number | null };
}
export interface IncidentGroup {
  key: string;
  incidents: number;
  acknowledged: number;
  resolved: number;
  time_to_acknowledge: Stat;
  time_to_resolve: Stat;
  target: { acknowledge: number | null; resolve: number | null } | null;
  breached: { acknowledge: Share | null; resolve: Share | null };
}
export interface ResponseReport {
  from: string;
  to: string;
  by: string;
  groups: ResponseGroup[];
  total: ResponseGroup;
  incidents?: { groups: IncidentGroup[]; total: IncidentGroup };
}
interface Series {
  key: string;
  counts: number[];
  total: number;
}
interface NoisyAlert {
  service: string;
  dedup_key: string;
  summary: string;
  opened: number;
  repeats: number;
  resolved_without_ack: number;
  quick_refires: number;
}
export interface NoiseReport {
  days: string[];
  tz: string;
  by_severity: Series[];
  by_service: Series[];
  noisiest: NoisyAlert[];
  flapping: NoisyAlert[];
  resolved_without_ack: { count: number; of: number; share: number } | null;
  escalations: { policy: string; level: number; alerts: number; share: number }[];
  not_actionable?: NotActionableSummary;
}

export interface LoadReport {
  bands: { business: string; off: string; sleep: string };
  people: {
    user: string;
    time_zone: string;
    interruptions: { business: number; off: number; sleep: number; total: number };
    hours_on_call: number;
    comp_time: { earned_days: number; taken_days: number; balance_days: number; extra?: { incident: number; days: number; reason: string }[] } | null;
    incidents_worked?: number;
    hours_in_incidents?: number;
  }[];
  teams: { team: string; spread: number | null; members: { user: string; interruptions: number; interruption_share: number | null; hours_on_call: number; hours_share: number | null }[] }[];
}

const RANGES = ['7d', '30d', '90d'];
const BY = ['severity', 'service', 'team', 'policy'];

/** 220 -> "3m 40s": seconds as an operator reads them. */
export function human(s: number | null): string {
  if (s === null) return '–';
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = t % 60;
  if (h) return `${h}h${m ? ` ${m}m` : ''}`;
  if (m) return `${m}m${sec ? ` ${sec}s` : ''}`;
  return `${sec}s`;
}
const pct = (x: Share | null | undefined): string => (x ? `${Math.round(x.share * 100)}% (${x.breached}/${x.of})` : '–');
const trendText = (x: number | null): string => (x === null ? '–' : `${x > 0 ? '▲' : x < 0 ? '▼' : ''} ${Math.abs(Math.round(x * 100))}%`);

export function ReportsPage() {
  useTitle('Reports');
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [since, setSince] = useState('30d');
  const [by, setBy] = useState('severity');
  const response = useApi<ResponseReport>('/reports/response', { since, by });
  const noise = useApi<NoiseReport>('/reports/noise', { since, tz: zone });
  const load = useApi<LoadReport>('/reports/load', { since });

  return (
    <>
      <h1>Reports</h1>
      <div className="row">
        <Field label="Range">
          <select value={since} onChange={(e) => setSince(e.target.value)}>
            {RANGES.map((r) => (
              <option key={r} value={r}>
                last {r.replace('d', ' days')}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Group response by">
          <select value={by} onChange={(e) => setBy(e.target.value)}>
            {BY.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </Field>
      </div>

      <section className="panel" aria-labelledby="response-title" style={{ marginBottom: '1rem' }}>
        <div className="spread">
          <h2 id="response-title" style={{ marginTop: 0 }}>
            Response: time to acknowledge and resolve
          </h2>
          <span className="row">
            <a href={withQuery('/api/v1/reports/response', { since, by, format: 'csv' })} download>
              Download CSV
            </a>
            <a href={withQuery('/api/v1/reports/response', { since, of: 'incidents', format: 'csv' })} download>
              Incidents CSV
            </a>
          </span>
        </div>
        {response.error ? <LoadError error={response.error} onRetry={response.reload} /> : !response.data ? <Loading what="the response report" /> : <ResponseView r={response.data} />}
      </section>

      <section className="panel" aria-labelledby="noise-title">
        <div className="spread">
          <h2 id="noise-title" style={{ marginTop: 0 }}>
            Noise
          </h2>
          <a href={withQuery('/api/v1/reports/noise', { since, tz: zone, format: 'csv' })} download>
            Download CSV
          </a>
        </div>
        {noise.error ? <LoadError error={noise.error} onRetry={noise.reload} /> : !noise.data ? <Loading what="the noise report" /> : <NoiseView r={noise.data} />}
      </section>

      <section className="panel" aria-labelledby="load-title" style={{ marginTop: '1rem' }}>
        <div className="spread">
          <h2 id="load-title" style={{ marginTop: 0 }}>
            On-call load
          </h2>
          <a href={withQuery('/api/v1/reports/load', { since, format: 'csv' })} download>
            Download CSV
          </a>
        </div>
        {load.error ? <LoadError error={load.error} onRetry={load.reload} /> : !load.data ? <Loading what="the load report" /> : <LoadView r={load.data} onRecorded={load.reload} />}
      </section>

      <ReviewSection />
    </>
  );
}

/** Mean time to acknowledge per group as bars, the target as a tick on each bar. */
function MttaChart({ groups }: { groups: ResponseGroup[] }) {
  const rows = groups.filter((g) => g.time_to_acknowledge.mean !== null || g.target?.acknowledge);
  if (rows.length === 0) return null;
  const max = Math.max(...rows.map((g) => Math.max(g.time_to_acknowledge.mean ?? 0, g.target?.acknowledge ?? 0)), 1);
  const W = 420;
  const H = 22;
  return (
    <svg role="img" aria-label="Mean time to acknowledge by group, with targets" width="100%" viewBox={`0 0 ${W + 200} ${rows.length * H + 4}`} style={{ maxWidth: 640 }}>
      {rows.map((g, i) => {
        const w = ((g.time_to_acknowledge.mean ?? 0) / max) * W;
        const t = g.target?.acknowledge ? (g.target.acknowledge / max) * W : null;
        const over = t !== null && (g.time_to_acknowledge.mean ?? 0) > (g.target?.acknowledge ?? 0);
        return (
          <g key={g.key} transform={`translate(0 ${i * H})`}>
            <text x={0} y={15} fontSize={12} fill="currentColor">
              {g.key.slice(0, 16)}
            </text>
            <rect x={120} y={4} width={Math.max(w, 1)} height={14} rx={2} fill={over ? 'var(--danger)' : 'var(--accent)'} />
            {t !== null && <line x1={120 + t} x2={120 + t} y1={1} y2={21} stroke="currentColor" strokeWidth={2} />}
            <text x={124 + Math.max(w, t ?? 0)} y={15} fontSize={12} fill="currentColor">
              {human(g.time_to_acknowledge.mean)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export function ResponseView({ r }: { r: ResponseReport }) {
  if (r.total.alerts === 0) return r.incidents?.total.incidents ? <IncidentResponseView i={r.incidents} /> : <p className="muted">No alerts opened in this range.</p>;
  return (
    <>
      <MttaChart groups={r.groups} />
      <Table caption={`Response by ${r.by}`}>
        <thead>
          <tr>
            <th>{r.by.charAt(0).toUpperCase() + r.by.slice(1)}</th>
            <th className="num">Alerts</th>
            <th>MTTA mean / median / p95</th>
            <th>MTTR mean / median / p95</th>
            <th>Target ack / resolve</th>
            <th>Ack target breached</th>
            <th>Resolve target breached</th>
            <th>Trend MTTA / MTTR</th>
          </tr>
        </thead>
        <tbody>
          {[...r.groups, r.total].map((g) => (
            <tr key={g.key}>
              <th scope="row">{g.key === 'all' ? 'All' : g.key}</th>
              <td className="num">{g.alerts}</td>
              <td>
                {human(g.time_to_acknowledge.mean)} / {human(g.time_to_acknowledge.median)} / {human(g.time_to_acknowledge.p95)}
              </td>
              <td>
                {human(g.time_to_resolve.mean)} / {human(g.time_to_resolve.median)} / {human(g.time_to_resolve.p95)}
              </td>
              <td>{g.target ? `${human(g.target.acknowledge)} / ${human(g.target.resolve)}` : ''}</td>
              <td>{pct(g.breached.acknowledge)}</td>
              <td>{pct(g.breached.resolve)}</td>
              <td title="Against the same length of time just before">
                {trendText(g.trend.time_to_acknowledge)} / {trendText(g.trend.time_to_resolve)}
              </td>
            </tr>
          ))}
        </tbody>
      </Table>
      {r.incidents && r.incidents.total.incidents > 0 && <IncidentResponseView i={r.incidents} />}
    </>
  );
}

/** Incidents declared in the range, by severity: acknowledged when someone first showed they were on it. */
function IncidentResponseView({ i }: { i: NonNullable<ResponseReport['incidents']> }) {
  return (
    <>
      <h3>Incidents</h3>
      <p className="small muted">
        Time to acknowledge runs from the declaration to the first attached alert acknowledged, status update or status change; time to resolve to the resolution.
      </p>
      <Table caption="Incident response by severity">
        <thead>
          <tr>
            <th>Severity</th>
            <th className="num">Incidents</th>
            <th>Acknowledge mean / median / p95</th>
            <th>Resolve mean / median / p95</th>
            <th>Target ack / resolve</th>
            <th>Ack target breached</th>
            <th>Resolve target breached</th>
          </tr>
        </thead>
        <tbody>
          {[...i.groups, i.total].map((g) => (
            <tr key={g.key}>
              <th scope="row">{g.key === 'all' ? 'All' : g.key}</th>
              <td className="num">{g.incidents}</td>
              <td>
                {human(g.time_to_acknowledge.mean)} / {human(g.time_to_acknowledge.median)} / {human(g.time_to_acknowledge.p95)}
              </td>
              <td>
                {human(g.time_to_resolve.mean)} / {human(g.time_to_resolve.median)} / {human(g.time_to_resolve.p95)}
              </td>
              <td>{g.target ? `${human(g.target.acknowledge)} / ${human(g.target.resolve)}` : ''}</td>
              <td>{pct(g.breached.acknowledge)}</td>
              <td>{pct(g.breached.resolve)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  );
}

/** Alerts per day, stacked by severity (most severe at the bottom). */
function VolumeChart({ days, series }: { days: string[]; series: Series[] }) {
  const totals = days.map((_, i) => series.reduce((s, x) => s + (x.counts[i] ?? 0), 0));
  const max = Math.max(...totals, 1);
  const H = 120;
  const bw = Math.max(4, Math.floor(600 / Math.max(days.length, 1)));
  return (
    <svg role="img" aria-label={`Alerts per day by severity, busiest day ${max}`} width="100%" viewBox={`0 0 ${bw * days.length} ${H + 16}`} style={{ maxWidth: 720 }}>
      {days.map((d, i) => {
        let y = H;
        return (
          <g key={d}>
            <title>{`${d}: ${totals[i]} alert${totals[i] === 1 ? '' : 's'}`}</title>
            {series.map((s) => {
              const h = ((s.counts[i] ?? 0) / max) * H;
              y -= h;
              return h > 0 ? <rect key={s.key} x={i * bw + 1} y={y} width={bw - 2} height={h} fill={`var(--sev-${s.key}-bg, var(--accent))`} stroke="var(--border-strong)" strokeWidth={0.5} /> : null;
            })}
          </g>
        );
      })}
      <text x={0} y={H + 13} fontSize={11} fill="currentColor">
        {days[0]}
      </text>
      <text x={bw * days.length} y={H + 13} fontSize={11} textAnchor="end" fill="currentColor">
        {days.at(-1)}
      </text>
    </svg>
  );
}

export function NoiseView({ r }: { r: NoiseReport }) {
  const total = r.by_severity.reduce((s, x) => s + x.total, 0);
  if (total === 0) return <p className="muted">No alerts opened in this range.</p>;
  return (
    <>
      <VolumeChart days={r.days} series={r.by_severity} />
      <p className="small">
        {r.by_severity.map((s) => `${s.key} ${s.total}`).join(' · ')} (days in {r.tz})
      </p>
      {r.resolved_without_ack && (
        <p>
          Resolved without anyone acknowledging: <strong>{Math.round(r.resolved_without_ack.share * 100)}%</strong> ({r.resolved_without_ack.count} of {r.resolved_without_ack.of}). These paged
          people and needed nothing: candidates to tune or drop.
        </p>
      )}
      <h3>Noisiest alerts</h3>
      <Table caption="Noisiest alerts">
        <thead>
          <tr>
            <th>Service</th>
            <th>Alert</th>
            <th className="num">Opened</th>
            <th className="num">Repeats</th>
            <th className="num">Resolved unacknowledged</th>
            <th className="num">Re-fired within an hour</th>
          </tr>
        </thead>
        <tbody>
          {r.noisiest.map((a) => (
            <tr key={`${a.service}/${a.dedup_key}`}>
              <td>{a.service}</td>
              <td>
                {a.summary}
                <div className="muted small mono">{a.dedup_key}</div>
              </td>
              <td className="num">{a.opened}</td>
              <td className="num">{a.repeats}</td>
              <td className="num">{a.resolved_without_ack}</td>
              <td className="num">{a.quick_refires}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      <NotActionableView n={r.not_actionable} />
      {r.flapping.length > 0 && (
        <p className="notice notice-warn">
          Flapping: {r.flapping.map((a) => `${a.summary} on ${a.service} (re-fired ${a.quick_refires}× within an hour of resolving)`).join('; ')}. Consider a longer `for:` in the rule or
          grouping.
        </p>
      )}
      {r.escalations.length > 0 && (
        <>
          <h3>How far alerts escalated</h3>
          <Table caption="Levels reached per escalation policy">
            <thead>
              <tr>
                <th>Policy</th>
                <th className="num">Level</th>
                <th className="num">Alerts</th>
                <th className="num">Share of the policy’s alerts</th>
              </tr>
            </thead>
            <tbody>
              {r.escalations.map((e) => (
                <tr key={`${e.policy}/${e.level}`}>
                  <td>{e.policy}</td>
                  <td className="num">{e.level}</td>
                  <td className="num">{e.alerts}</td>
                  <td className="num">{Math.round(e.share * 100)}%</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </>
      )}
    </>
  );
}

/** Interruptions per person by band of their own day, and each team's spread as bars of shares. */
export function LoadView({ r, onRecorded }: { r: LoadReport; onRecorded?: () => void }) {
  if (r.people.length === 0) return <p className="muted">Nobody was on call or paged in this range.</p>;
  const comp = r.people.some((p) => p.comp_time);
  return (
    <>
      <Table caption="Interruptions and hours on call per person">
        <thead>
          <tr>
            <th>Person</th>
            <th>Time zone</th>
            <th className="num">Interruptions</th>
            <th className="num" title={r.bands.business}>
              Business hours
            </th>
            <th className="num" title={r.bands.off}>
              Off hours
            </th>
            <th className="num" title={r.bands.sleep}>
              Sleep hours
            </th>
            <th className="num">Hours on call</th>
            <th className="num">Incidents worked</th>
            <th className="num">Hours in incidents</th>
            {comp && (
              <>
                <th className="num">Days off earned</th>
                <th className="num">Taken</th>
                <th className="num">Owed now</th>
              </>
            )}
          </tr>
        </thead>
        <tbody>
          {r.people.map((p) => (
            <tr key={p.user}>
              <th scope="row">{p.user}</th>
              <td>{p.time_zone}</td>
              <td className="num">{p.interruptions.total}</td>
              <td className="num">{p.interruptions.business}</td>
              <td className="num">{p.interruptions.off}</td>
              <td className="num">{p.interruptions.sleep}</td>
              <td className="num">{p.hours_on_call}</td>
              <td className="num">{p.incidents_worked ?? 0}</td>
              <td className="num" title={p.comp_time?.extra?.map((e) => `+${e.days} day off: ${e.reason}`).join('\n')}>
                {p.hours_in_incidents ?? 0}
              </td>
              {comp && (
                <>
                  <td className="num">{p.comp_time?.earned_days ?? '–'}</td>
                  <td className="num">{p.comp_time?.taken_days ?? '–'}</td>
                  <td className="num">{p.comp_time?.balance_days ?? '–'}</td>
                </>
              )}
            </tr>
          ))}
        </tbody>
      </Table>
      {comp && <RecordTimeOff people={r.people.map((p) => p.user)} onRecorded={onRecorded} />}
      <p className="muted small">
        Bands in each person’s own time zone: business {r.bands.business}; sleep {r.bands.sleep}; off hours {r.bands.off}.
      </p>
      {r.teams
        .filter((t) => t.members.some((m) => m.interruptions > 0 || m.hours_on_call > 0))
        .map((t) => (
          <div key={t.team}>
            <h3>
              Team {t.team}
              {t.spread !== null && <span className="muted small"> — busiest member carries {t.spread}× the mean</span>}
            </h3>
            <svg role="img" aria-label={`Share of ${t.team}'s interruptions per member`} width="100%" viewBox={`0 0 600 ${t.members.length * 22 + 4}`} style={{ maxWidth: 600 }}>
              {t.members.map((m, i) => (
                <g key={m.user} transform={`translate(0 ${i * 22})`}>
                  <text x={0} y={15} fontSize={12} fill="currentColor">
                    {m.user.slice(0, 16)}
                  </text>
                  <rect x={120} y={4} width={Math.max(1, (m.interruption_share ?? 0) * 400)} height={14} rx={2} fill="var(--accent)" />
                  <text x={126 + (m.interruption_share ?? 0) * 400} y={15} fontSize={12} fill="currentColor">
                    {m.interruptions} ({Math.round((m.interruption_share ?? 0) * 100)}%), {m.hours_on_call} h on call
                  </text>
                </g>
              ))}
            </svg>
          </div>
        ))}
    </>
  );
}

/** Time off taken: your own, or anyone's as a manager (the server decides). */
function RecordTimeOff({ people, onRecorded }: { people: string[]; onRecorded: (() => void) | undefined }) {
  const toast = useToast();
  const [user, setUser] = useState(people[0] ?? '');
  const [day, setDay] = useState('');
  const [days, setDays] = useState('1');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api.post('/comp-time', { user, day, days: Number(days), note: '' });
      toast.ok(`Recorded ${days} day${days === '1' ? '' : 's'} off for ${user} from ${day}`);
      setError(null);
      onRecorded?.();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="row" aria-label="Record time off" onSubmit={(e) => void submit(e)}>
      <Field label="Person">
        <select value={user} onChange={(e) => setUser(e.target.value)}>
          {people.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </Field>
      <Field label="First day off">
        <input type="date" value={day} onChange={(e) => setDay(e.target.value)} required />
      </Field>
      <Field label="Days">
        <select value={days} onChange={(e) => setDays(e.target.value)}>
          {['0.5', '1', '2', '3', '5'].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </Field>
      <Button type="submit" busy={busy}>
        Record time off
      </Button>
      {error && (
        <p role="alert" className="notice notice-error small">
          {error}
        </p>
      )}
    </form>
  );
}
