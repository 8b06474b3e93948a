import { useMemo, useRef, useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api/client';
import { roleRank, type User } from '../api/types';
import { useSession } from '../auth/session';
import { SubscribeButton } from '../calendar/calendar-feeds';
import { useLive } from '../lib/live';
import { relativeTime } from '../lib/time';
import { useApi } from '../lib/use-api';
import { useNow } from '../lib/use-now';
import { useTitle } from '../lib/title';
import { Link } from '../router/router';
import { Button } from '../ui/button';
import { FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { LoadError, Loading } from '../ui/states';
import { Table } from '../ui/table';
import { useToast } from '../ui/toast';
import './schedules.css';
import {
  browserZone,
  checkDraft,
  convertDraft,
  describeOverride,
  draftFromSelection,
  draftFromShift,
  emptyDraft,
  formatRange,
  formatTime,
  isValidZone,
  NOBODY,
  rangeFor,
  rangeTitle,
  SPANS,
  stepRange,
  type OverrideDraft,
  type Range,
  type Span,
} from './timeline';
import { lintQuery, ScheduleWarnings } from './schedule-warnings';
import { SwapForm } from './swap-form';
import { SwapRequests } from './swap-requests';
import { Timeline } from './timeline-view';
import type { LintAnswer, Override, Schedule, ScheduleShifts } from './types';
import { useRefreshAt } from './use-refresh-at';

/** Extra time fetched either side of the range on screen, for the override form's effect preview. */
const PREVIEW_PAD = 7 * 86_400_000;

const SPAN_LABEL: Record<Span, string> = { day: 'Day', week: 'Week', month: 'Month' };

export function SchedulePage({ name }: { name: string }) {
  useTitle(name);
  const { user } = useSession();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const toast = useToast();
  const now = useNow();
  const path = `/schedules/${encodeURIComponent(name)}`;

  const schedule = useApi<Schedule>(path);
  const s = schedule.data;
  const [viewerZone] = useState(browserZone);
  const scheduleZone = s && isValidZone(s.time_zone) ? s.time_zone : viewerZone;
  const [zoneMode, setZoneMode] = useState<'viewer' | 'schedule'>('viewer');
  const tz = zoneMode === 'schedule' ? scheduleZone : viewerZone;

  const [span, setSpan] = useState<Span>('week');
  const [anchor, setAnchor] = useState(() => Date.now());
  const range = useMemo(() => rangeFor(anchor, span, tz), [anchor, span, tz]);
  // Shifts come whole, so a block that runs off screen still says when it really starts and ends.
  // A week more either side lets the override form describe a range that reaches past the screen.
  const shifts = useApi<ScheduleShifts>(`${path}/shifts`, { from: new Date(range.from - PREVIEW_PAD).toISOString(), to: new Date(range.to + PREVIEW_PAD).toISOString() });

  const lint = useApi<LintAnswer>('/schedules/lint', lintQuery(range));

  const reloadAll = () => {
    schedule.reload();
    shifts.reload();
    lint.reload();
  };
  useLive(reloadAll, (e) => e.type === 'config.changed');
  useRefreshAt([s?.on_call_now?.until], reloadAll);

  const [draft, setDraft] = useState<OverrideDraft>(emptyDraft);
  const [showErrors, setShowErrors] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Override | null>(null);
  const whoRef = useRef<HTMLSelectElement>(null);
  const users = useApi<{ users: User[] }>(canAct ? '/users' : null);

  const switchZone = (mode: 'viewer' | 'schedule') => {
    if (mode === zoneMode) return;
    const next = mode === 'schedule' ? scheduleZone : viewerZone;
    setDraft((d) => convertDraft(d, tz, next));
    setZoneMode(mode);
  };

  const check = checkDraft(draft, tz, now);
  const selection: Range | null = check.start !== null && check.end !== null && check.end > check.start ? { from: check.start, to: check.end } : null;
  const effect =
    selection && draft.user ? describeOverride(shifts.data?.final ?? [], selection.from, selection.to, draft.user === NOBODY ? null : draft.user, draft.replaces || null, tz) : null;

  const fillFrom = (d: OverrideDraft) => {
    setDraft(d);
    setShowErrors(false);
    setSaveError(null);
    whoRef.current?.focus({ preventScroll: true });
    whoRef.current?.closest('section')?.scrollIntoView?.({ block: 'nearest' });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setShowErrors(true);
    setSaveError(null);
    if (Object.keys(check.errors).length || check.start === null || check.end === null) return;
    setSaving(true);
    try {
      await api.post(`${path}/overrides`, {
        start: new Date(check.start).toISOString(),
        end: new Date(check.end).toISOString(),
        user: draft.user === NOBODY ? null : draft.user,
        ...(draft.replaces ? { replaces: draft.replaces } : {}),
        ...(draft.note.trim() ? { note: draft.note.trim() } : {}),
      });
      toast.ok(`Override saved: ${effect ?? formatRange(check.start, check.end, tz)}`);
      setDraft(emptyDraft);
      setShowErrors(false);
      reloadAll();
    } catch (err) {
      setSaveError(errorMessage(err));
    } finally {
      setSaving(false);
    }
  };

  if (schedule.error && !s)
    return (
      <>
        <p>
          <Link to="/schedules">← Schedules</Link>
        </p>
        <h1>{name}</h1>
        <LoadError error={schedule.error} onRetry={schedule.reload} />
      </>
    );
  if (!s) return <Loading what="the schedule" />;

  const participants = [...new Set(s.layers.flatMap((l) => l.participants))];
  const people = users.data?.users.map((u) => u.name) ?? participants;
  const me = user?.name ?? null;
  const onCall = s.on_call_now ?? null;
  const errs = showErrors ? check.errors : {};
  const zoneName = (z: string) => z.replace(/_/g, ' ');

  return (
    <>
      <p className="small">
        <Link to="/schedules">← Schedules</Link>
      </p>
      <div className="spread">
        <h1>{s.name}</h1>
        <span className="muted">
          {[s.team ? `Team ${s.team}` : 'No team', s.role ? `role ${s.role}` : null, `schedule zone ${zoneName(s.time_zone)}`].filter(Boolean).join(' · ')}
        </span>
      </div>

      <section aria-labelledby="on-call-now" className={onCall ? 'panel sched-oncall' : 'panel sched-oncall sched-oncall-nobody'}>
        <h2 id="on-call-now" className="visually-hidden">
          On call now
        </h2>
        <p className="sched-oncall-text">
          {/* One live region, so a change of person is announced; the ticking "in 3 h" stays out of it. */}
          <span aria-live="polite" data-testid="on-call-now">
            {onCall ? (
              <>
                On call now: <strong>{onCall.user}</strong> until{' '}
                <time dateTime={onCall.until} title={onCall.until}>
                  {formatTime(Date.parse(onCall.until), tz)}
                </time>
              </>
            ) : (
              <>
                On call now: <strong>nobody</strong>. Pages to this schedule reach no one; create an override below to put someone on call.
              </>
            )}
          </span>
          {onCall && <span className="muted small"> ({relativeTime(onCall.until, now)})</span>}
        </p>
      </section>
      <SubscribeButton schedule={s.name} />

      <div className="sched-toolbar">
        <div className="row" role="group" aria-label="Range">
          {SPANS.map((sp) => (
            <Button key={sp} small variant={span === sp ? 'primary' : 'secondary'} aria-pressed={span === sp} onClick={() => setSpan(sp)}>
              {SPAN_LABEL[sp]}
            </Button>
          ))}
        </div>
        <div className="row" role="group" aria-label="Move">
          <Button small aria-label={`Previous ${span}`} onClick={() => setAnchor(stepRange(range.from, span, -1, tz))}>
            ←
          </Button>
          <Button small onClick={() => setAnchor(Date.now())}>
            Today
          </Button>
          <Button small aria-label={`Next ${span}`} onClick={() => setAnchor(stepRange(range.from, span, 1, tz))}>
            →
          </Button>
        </div>
        <h2 className="sched-range" aria-live="polite">
          {rangeTitle(range, span, tz)}
        </h2>
        <div className="row" role="group" aria-label="Time zone">
          <Button small variant={zoneMode === 'viewer' ? 'primary' : 'secondary'} aria-pressed={zoneMode === 'viewer'} onClick={() => switchZone('viewer')}>
            Your zone
          </Button>
          <Button small variant={zoneMode === 'schedule' ? 'primary' : 'secondary'} aria-pressed={zoneMode === 'schedule'} onClick={() => switchZone('schedule')}>
            Schedule’s zone
          </Button>
          <span className="small" data-testid="active-zone">
            Times in <strong>{zoneName(tz)}</strong>
          </span>
        </div>
      </div>

      <ScheduleWarnings findings={lint.data?.findings} name={s.name} range={range} error={lint.error} onRetry={lint.reload} />
      {shifts.error ? <LoadError error={shifts.error} onRetry={shifts.reload} /> : null}
      {!shifts.data && !shifts.error ? (
        <Loading what="shifts" />
      ) : shifts.data ? (
        <div aria-busy={shifts.loading || undefined}>
          <Timeline
            range={range}
            span={span}
            tz={tz}
            now={now}
            layers={shifts.data.layers.map((l) => ({ label: l.name, shifts: l.shifts }))}
            overrides={shifts.data.overrides}
            final={shifts.data.final}
            selection={selection}
            onSelectRange={canAct ? (r) => fillFrom(draftFromSelection(r, tz, draft)) : null}
            onPickShift={canAct ? (sh) => fillFrom(draftFromShift(sh, tz, draft)) : null}
          />
          {canAct && <p className="muted small">Drag across the Final row, or click a shift, to fill in an override below.</p>}
        </div>
      ) : null}

      {canAct ? (
        <section aria-labelledby="new-override" className="panel sched-form-panel">
          <h2 id="new-override">Create an override</h2>
          <form className="sched-form" onSubmit={submit} noValidate>
            <Field label="From" hint={`In ${zoneName(tz)}`} error={errs.from}>
              <input type="datetime-local" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
            </Field>
            <Field label="To" hint={`In ${zoneName(tz)}`} error={errs.to}>
              <input type="datetime-local" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
            </Field>
            <Field label="Who is on call" error={errs.user}>
              <select ref={whoRef} value={draft.user} onChange={(e) => setDraft({ ...draft, user: e.target.value })}>
                <option value="">Choose a person</option>
                {people.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
                <option value={NOBODY}>Nobody (no one is paged)</option>
              </select>
            </Field>
            {me && people.includes(me) && draft.replaces && draft.replaces !== me && draft.user !== me && (
              <p className="row">
                <Button small onClick={() => setDraft({ ...draft, user: me })}>
                  Take this shift
                </Button>
                <span className="muted small">Fills in you as the person on call instead of {draft.replaces}.</span>
              </p>
            )}
            <Field label="Only replace" hint="Optional: leave as is to replace whoever is on call.">
              <select value={draft.replaces} onChange={(e) => setDraft({ ...draft, replaces: e.target.value })}>
                <option value="">Whoever is on call</option>
                {participants.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Note" hint="Optional, e.g. “covering while Alice travels”.">
              <input type="text" maxLength={500} value={draft.note} onChange={(e) => setDraft({ ...draft, note: e.target.value })} />
            </Field>
            <p className="sched-effect" aria-live="polite" data-testid="override-effect">
              {effect ? (
                <>
                  Effect: <strong>{effect}</strong>
                </>
              ) : (
                <span className="muted">Choose a range and a person to see the effect.</span>
              )}
            </p>
            {saveError && (
              <p role="alert" className="notice notice-error">
                {saveError}
              </p>
            )}
            <div className="row">
              <Button type="submit" variant="primary" busy={saving}>
                Create override
              </Button>
              {(draft.from || draft.to || draft.user) && (
                <Button
                  variant="ghost"
                  onClick={() => {
                    setDraft(emptyDraft);
                    setShowErrors(false);
                    setSaveError(null);
                  }}
                >
                  Clear
                </Button>
              )}
            </div>
          </form>
        </section>
      ) : null}
      {canAct ? (
        <details className="panel sched-swap">
          <summary>
            <h2>Swap shifts</h2>
          </summary>
          <SwapForm path={path} tz={tz} people={participants} me={me} onDone={reloadAll} />
        </details>
      ) : (
        <p className="muted small">Your role ({user?.role}) can view schedules but not change who is on call.</p>
      )}
      {canAct && me ? <SwapRequests schedule={s.name} tz={tz} onChange={reloadAll} /> : null}

      <section aria-labelledby="overrides">
        <h2 id="overrides">Overrides</h2>
        {!s.overrides?.length ? (
          <p className="muted">No current or upcoming overrides.</p>
        ) : (
          <Table caption="Current and upcoming overrides">
            <thead>
              <tr>
                <th scope="col">When ({zoneName(tz)})</th>
                <th scope="col">On call</th>
                <th scope="col">Replaces</th>
                <th scope="col">Note</th>
                <th scope="col">By</th>
                {canAct && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {s.overrides.map((o) => (
                <tr key={o.id}>
                  <td>{formatRange(Date.parse(o.start), Date.parse(o.end), tz)}</td>
                  <td>{o.user ?? <em>nobody</em>}</td>
                  <td>{o.replaces ?? <span className="muted">whoever is on call</span>}</td>
                  <td>{o.note || <span className="muted">—</span>}</td>
                  <td className="small">{o.created_by.name ?? o.created_by.kind}</td>
                  {canAct && (
                    <td>
                      <Button small variant="danger" aria-label={`Remove override: ${o.user ?? 'nobody'}, ${formatRange(Date.parse(o.start), Date.parse(o.end), tz)}`} onClick={() => setRemoving(o)}>
                        Remove
                      </Button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </section>

      <FormDialog
        open={removing !== null}
        title="Remove this override?"
        submitLabel="Remove"
        danger
        onClose={() => setRemoving(null)}
        onSubmit={async () => {
          if (!removing) return;
          await api.del(`${path}/overrides/${encodeURIComponent(removing.id)}`);
          toast.ok('Override removed.');
          reloadAll();
        }}
      >
        {removing && (
          <p>
            {removing.user ?? 'Nobody'} will no longer be on call {formatRange(Date.parse(removing.start), Date.parse(removing.end), tz)}; the rotation decides again.
          </p>
        )}
      </FormDialog>
    </>
  );
}
