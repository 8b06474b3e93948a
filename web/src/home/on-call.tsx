import { useState } from 'react';
import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useNow } from '../lib/use-now';
import { useApi } from '../lib/use-api';
import { Link } from '../router/router';
import { browserZone, formatRange, formatTime } from '../schedules/time-format';
import type { OnCallAnswer, OnCallRow, UserShifts } from '../schedules/types';
import { useRefreshAt } from '../schedules/use-refresh-at';
import { LoadError, Loading } from '../ui/states';

const DAY = 86_400_000;
const scheduleLink = (name: string) => `/schedules/${encodeURIComponent(name)}`;

const nullsLast = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a.localeCompare(b));

/** Rows grouped by team (teams by name, "No team" last), each team's rows in the answer's order. */
export function groupByTeam(rows: OnCallRow[]): { team: string | null; rows: OnCallRow[] }[] {
  const groups = new Map<string | null, OnCallRow[]>();
  for (const r of rows) groups.set(r.team, [...(groups.get(r.team) ?? []), r]);
  return [...groups.entries()]
    .sort(([a], [b]) => nullsLast(a, b))
    .map(([team, rs]) => ({ team, rows: [...rs].sort((x, y) => nullsLast(x.role, y.role) || x.schedule.localeCompare(y.schedule)) }));
}

/** Home's "On call now": every schedule, grouped by team and role, live. */
export function OnCallNowSection() {
  const r = useApi<OnCallAnswer>('/oncall');
  const tz = browserZone();
  useLive(r.reload, (e) => e.type === 'config.changed');
  useRefreshAt(r.data?.oncall.map((x) => x.until) ?? [], r.reload);
  return (
    <section aria-labelledby="on-call-now">
      <h2 id="on-call-now">On call now</h2>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="who is on call" />
      ) : r.data.oncall.length === 0 ? (
        <p className="muted">
          No schedules yet, so pages go to the targets of each escalation policy. See <Link to="/escalation-policies">Escalation policies</Link>.
        </p>
      ) : (
        <div className="grid-cards">
          {groupByTeam(r.data.oncall).map((g) => (
            <div key={g.team ?? ''} className="panel">
              <h3 style={{ marginTop: 0 }}>{g.team ?? 'No team'}</h3>
              <ul className="stack" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {g.rows.map((x) => (
                  <li key={x.schedule}>
                    {x.role && <span className="badge">{x.role}</span>} {x.user ? <strong>{x.user}</strong> : <strong style={{ color: 'var(--danger)' }}>nobody</strong>}
                    {x.user && x.until && (
                      <span className="muted small">
                        {' '}
                        until <time dateTime={x.until}>{formatTime(Date.parse(x.until), tz)}</time>
                      </span>
                    )}
                    <br />
                    <Link to={scheduleLink(x.schedule)} className="small">
                      {x.schedule}
                    </Link>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </div>
      )}
    </section>
  );
}

/** The server cuts shifts at the range asked for: a cut end says "onwards" rather than a false end. */
export function shiftText(start: string, end: string, to: string, tz: string): string {
  const s = Date.parse(start);
  const e = Date.parse(end);
  if (e >= Date.parse(to)) return `${formatTime(s, tz)} onwards`;
  return formatRange(s, e, tz);
}

/** Home's "My next shifts": the signed-in person's shifts over the next 14 days. */
export function MyNextShiftsSection() {
  const { user } = useSession();
  const [from, setFrom] = useState(() => Date.now());
  const query = { from: new Date(from).toISOString(), to: new Date(from + 14 * DAY).toISOString() };
  const r = useApi<UserShifts>(user ? `/users/${encodeURIComponent(user.name)}/shifts` : null, query);
  const tz = browserZone();
  const now = useNow();
  const rangeEnd = r.data?.to ?? '';
  useLive(() => setFrom(Date.now()), (e) => e.type === 'config.changed');
  return (
    <section aria-labelledby="my-shifts">
      <h2 id="my-shifts">My next shifts</h2>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="your shifts" />
      ) : r.data.shifts.length === 0 ? (
        <p className="muted">You have no on-call shifts in the next 14 days.</p>
      ) : (
        <ul>
          {r.data.shifts.map((s) => (
            <li key={`${s.schedule}-${s.start}`}>
              <time dateTime={s.start}>{shiftText(s.start, s.end, rangeEnd, tz)}</time>: <Link to={scheduleLink(s.schedule)}>{s.schedule}</Link>
              {s.role ? <span className="muted small"> ({s.role}{s.team ? `, ${s.team}` : ''})</span> : s.team ? <span className="muted small"> ({s.team})</span> : null}
              {Date.parse(s.start) <= now && <strong> · now</strong>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
