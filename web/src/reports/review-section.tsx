import { useState } from 'react';
import { withQuery } from '../api/client';
import { useApi } from '../lib/use-api';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';

/**
 * The on-call review on the Reports page: the last whole week, month or quarter as the server
 * builds it for the Monday handoff (and emails it, when the organisation asks). The Markdown link
 * is the same review to paste into the meeting notes.
 */

interface Met {
  met: number;
  of: number;
  share: number;
}
interface Noisy {
  service: string;
  dedup_key: string;
  summary: string;
  opened: number;
  repeats: number;
  quick_refires: number;
  not_actionable: number;
}
export interface ReviewReport {
  title: string;
  period: string;
  tz: string;
  from: string;
  to: string;
  incidents: { count: number; previous: number; trend: number | null; by_severity: { severity: string; count: number; previous: number }[]; list: { id: number; title: string; severity: string; status: string; declared_at: string; resolved_at: string | null }[] };
  alerts: { opened: number; previous: number; trend: number | null };
  response: { total: { alerts: number; time_to_acknowledge: { mean: number | null }; time_to_resolve: { mean: number | null } } };
  sla: { acknowledged_within_target: Met | null; resolved_within_target: Met | null; incidents_resolved_within_target: Met | null };
  tune: { noisiest: Noisy[]; flapping: Noisy[]; not_actionable: { marked: number; opened: number; false_positive_rate: number | null } };
  action_items: { overdue: { id: number; incident: number; title: string; owner: string | null; due_at: string; status: string }[] } | null;
  load: { people: { user: string; interruptions: number; sleep_hours_interruptions: number; hours_on_call: number; incidents_worked: number; hours_in_incidents: number }[] };
}

export interface NotActionableSummary {
  marked: number;
  opened: number;
  false_positive_rate: number | null;
  by_alert: { service: string; dedup_key: string; summary: string; marked: number; opened: number; rate: number | null }[];
}

const PERIODS = ['week', 'month', 'quarter'];
const share = (m: Met | null, noun: string) => (m ? `${Math.round(m.share * 100)}% (${m.met} of ${m.of} ${noun})` : `no ${noun} with a target`);
const change = (x: number | null) => (x === null ? '' : ` (${x > 0 ? '▲' : x < 0 ? '▼' : ''} ${Math.abs(Math.round(x * 100))}%)`);
const day = (iso: string, tz: string) => new Date(iso).toLocaleString(undefined, { timeZone: tz, dateStyle: 'medium', timeStyle: 'short' });

/** Alerts responders marked not actionable, for the noise report. */
export function NotActionableView({ n }: { n: NotActionableSummary | undefined }) {
  if (!n) return null;
  return (
    <>
      <p>
        Marked not actionable (false-positive rate): <strong>{n.false_positive_rate === null ? '–' : `${Math.round(n.false_positive_rate * 1000) / 10}%`}</strong> ({n.marked} of {n.opened}).
      </p>
      {n.by_alert.length > 0 && (
        <Table caption="Alerts marked not actionable">
          <thead>
            <tr>
              <th>Service</th>
              <th>Alert</th>
              <th className="num">Marked</th>
              <th className="num">Opened</th>
            </tr>
          </thead>
          <tbody>
            {n.by_alert.map((a) => (
              <tr key={`${a.service}/${a.dedup_key}`}>
                <td>{a.service}</td>
                <td>
                  {a.summary}
                  <div className="muted small mono">{a.dedup_key}</div>
                </td>
                <td className="num">{a.marked}</td>
                <td className="num">{a.opened}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

export function ReviewSection() {
  const [period, setPeriod] = useState(() => new URLSearchParams(window.location.search).get('period') ?? 'week');
  const review = useApi<ReviewReport>('/reports/review', { period });
  return (
    <section className="panel" aria-labelledby="review-title" style={{ marginTop: '1rem' }}>
      <div className="spread">
        <h2 id="review-title" style={{ marginTop: 0 }}>
          Review
        </h2>
        <span className="row">
          <Field label="Period">
            <select value={period} onChange={(e) => setPeriod(e.target.value)}>
              {PERIODS.map((p) => (
                <option key={p} value={p}>
                  last {p}
                </option>
              ))}
            </select>
          </Field>
          <a href={withQuery('/api/v1/reports/review', { period, format: 'markdown' })} download={`review-${period}.md`}>
            Download Markdown
          </a>
        </span>
      </div>
      {review.error ? <LoadError error={review.error} onRetry={review.reload} /> : !review.data ? <Loading what="the review" /> : <ReviewView r={review.data} />}
    </section>
  );
}

export function ReviewView({ r }: { r: ReviewReport }) {
  const na = r.tune.not_actionable;
  return (
    <>
      <h3>{r.title}</h3>
      <p className="muted small">
        {day(r.from, r.tz)} to {day(r.to, r.tz)} ({r.tz}), against the {r.period} before.
      </p>
      <p>
        Incidents: <strong>{r.incidents.count}</strong> (before: {r.incidents.previous}
        {change(r.incidents.trend)}). Alerts: <strong>{r.alerts.opened}</strong> (before: {r.alerts.previous}
        {change(r.alerts.trend)}).
      </p>
      {r.incidents.list.length > 0 && (
        <ul>
          {r.incidents.list.map((i) => (
            <li key={i.id}>
              <a href={`/incidents/${i.id}`}>#{i.id}</a> {i.severity}: {i.title} — {i.resolved_at ? 'resolved' : i.status}
            </li>
          ))}
        </ul>
      )}
      <h4>SLA adherence</h4>
      <ul>
        <li>Alerts acknowledged within target: {share(r.sla.acknowledged_within_target, 'alerts')}</li>
        <li>Alerts resolved within target: {share(r.sla.resolved_within_target, 'alerts')}</li>
        <li>Incidents resolved within target: {share(r.sla.incidents_resolved_within_target, 'incidents')}</li>
      </ul>
      <h4>Alerts to tune</h4>
      <p>
        False-positive rate: {na.false_positive_rate === null ? '–' : `${Math.round(na.false_positive_rate * 1000) / 10}%`} ({na.marked} of {na.opened} marked not actionable).
      </p>
      {r.tune.noisiest.length > 0 && (
        <Table caption="Noisiest alerts of the period">
          <thead>
            <tr>
              <th>Service</th>
              <th>Alert</th>
              <th className="num">Opened</th>
              <th className="num">Not actionable</th>
              <th className="num">Re-fired within an hour</th>
            </tr>
          </thead>
          <tbody>
            {r.tune.noisiest.map((a) => (
              <tr key={`${a.service}/${a.dedup_key}`}>
                <td>{a.service}</td>
                <td>{a.summary}</td>
                <td className="num">{a.opened}</td>
                <td className="num">{a.not_actionable}</td>
                <td className="num">{a.quick_refires}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <h4>Post-mortem action items overdue</h4>
      {r.action_items === null ? (
        <p className="muted">Post-mortems are not recorded here.</p>
      ) : r.action_items.overdue.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul>
          {r.action_items.overdue.map((a) => (
            <li key={a.id}>
              Incident #{a.incident}: {a.title} ({a.owner ?? 'no owner'}, due {day(a.due_at, r.tz)})
            </li>
          ))}
        </ul>
      )}
      <h4>On-call load</h4>
      {r.load.people.length === 0 ? (
        <p className="muted">Nobody was on call or paged.</p>
      ) : (
        <Table caption="On-call load per person in the period">
          <thead>
            <tr>
              <th>Person</th>
              <th className="num">Interruptions</th>
              <th className="num">In sleep hours</th>
              <th className="num">Hours on call</th>
              <th className="num">Incidents worked</th>
              <th className="num">Hours in incidents</th>
            </tr>
          </thead>
          <tbody>
            {r.load.people.map((p) => (
              <tr key={p.user}>
                <th scope="row">{p.user}</th>
                <td className="num">{p.interruptions}</td>
                <td className="num">{p.sleep_hours_interruptions}</td>
                <td className="num">{p.hours_on_call}</td>
                <td className="num">{p.incidents_worked}</td>
                <td className="num">{p.hours_in_incidents}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}
