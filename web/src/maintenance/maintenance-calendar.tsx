import { useState } from 'react';
import { useApi } from '../lib/use-api';
import { useNow } from '../lib/use-now';
import { Link } from '../router/router';
import { Button } from '../ui/button';
import { LoadError, Loading } from '../ui/states';
import { calendarGrid, entriesByDay, shiftAnchor, todayIn, type CalendarOccurrence, type CalendarView } from './calendar';
import './maintenance-calendar.css';

const browserZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const stateWord = (o: CalendarOccurrence): string | null => (o.window.approval === 'pending' ? 'awaiting approval' : null);

/**
 * The calendar of maintenance windows: a month (or a week) of days, each listing the windows
 * that run on it with their hours in the viewer's zone. Occurrences come from the server
 * (GET /maintenance-windows/calendar), so recurring windows show every time they happen. A
 * window awaiting approval is shown, marked, because it mutes nothing until approved.
 * `changed` is anything that changes when windows were created, approved or ended.
 */
export function MaintenanceCalendar({ changed, now: fixedNow, zone = browserZone() }: { changed?: unknown; now?: number; zone?: string }) {
  const ticking = useNow();
  const now = fixedNow ?? ticking;
  const [view, setView] = useState<CalendarView>('month');
  const [anchor, setAnchor] = useState(() => todayIn(zone, now));
  const grid = calendarGrid(view, anchor, zone, now);
  const r = useApi<{ occurrences: CalendarOccurrence[] }>('/maintenance-windows/calendar', { from: grid.from, to: grid.to });
  const { reload } = r;
  // Windows changed on the page (created, approved, ended): fetch the calendar again.
  const [seen, setSeen] = useState(changed);
  if (seen !== changed) {
    setSeen(changed);
    reload();
  }
  const byDay = entriesByDay(r.data?.occurrences ?? [], zone);
  const unit = view === 'month' ? 'month' : 'week';

  return (
    <section aria-labelledby="maintenance-calendar-title" className="mcal">
      <div className="spread">
        <h2 id="maintenance-calendar-title">
          Calendar: <span aria-live="polite">{grid.title}</span>
        </h2>
        <div className="row">
          <div className="row" role="group" aria-label="View">
            <Button small aria-pressed={view === 'month'} onClick={() => setView('month')}>
              Month
            </Button>
            <Button small aria-pressed={view === 'week'} onClick={() => setView('week')}>
              Week
            </Button>
          </div>
          <Button small onClick={() => setAnchor(shiftAnchor(view, anchor, -1))} aria-label={`Previous ${unit}`}>
            ←
          </Button>
          <Button small onClick={() => setAnchor(todayIn(zone, now))}>
            Today
          </Button>
          <Button small onClick={() => setAnchor(shiftAnchor(view, anchor, 1))} aria-label={`Next ${unit}`}>
            →
          </Button>
        </div>
      </div>
      <p className="muted small">Times in {zone}, your time zone.</p>
      {r.error ? (
        <LoadError error={r.error} onRetry={r.reload} />
      ) : !r.data ? (
        <Loading what="the calendar" />
      ) : (
        <div className="table-wrap">
          <table className={`mcal-grid mcal-${view}`}>
            <caption className="visually-hidden">Maintenance windows, {grid.title}</caption>
            <thead>
              <tr>
                {WEEKDAYS.map((d) => (
                  <th key={d} scope="col">
                    <abbr title={d}>{d.slice(0, 3)}</abbr>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {grid.weeks.map((week) => (
                <tr key={week[0]?.date}>
                  {week.map((d) => {
                    const entries = byDay.get(d.date) ?? [];
                    return (
                      <td key={d.date} className={d.outside ? 'mcal-outside' : undefined} aria-current={d.today ? 'date' : undefined} data-date={d.date}>
                        <div className="mcal-day">{d.day}</div>
                        {entries.length > 0 && (
                          <ul className="mcal-entries" aria-label={`Windows on ${d.date}`}>
                            {entries.map((e) => {
                              const word = stateWord(e.occurrence);
                              return (
                                <li key={`${e.occurrence.window.id}-${e.occurrence.starts_at}`} className={`mcal-entry mcal-${e.occurrence.window.approval === 'pending' ? 'pending' : e.occurrence.window.state}`}>
                                  <span className="mcal-time">{e.time}</span> <Link to={`/maintenance/${e.occurrence.window.id}`}>{e.occurrence.window.name}</Link>
                                  {view === 'week' && <span className="muted small"> {e.occurrence.window.scope}</span>}
                                  {word && <span className="small"> ({word})</span>}
                                </li>
                              );
                            })}
                          </ul>
                        )}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {r.data && r.data.occurrences.length === 0 && <p className="muted small">No maintenance in this {unit}.</p>}
    </section>
  );
}
