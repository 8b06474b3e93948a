import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { api } from '../api/client';
import { roleRank, type Alert, type AlertList, type AlertSummary, type Service } from '../api/types';
import { useSession } from '../auth/session';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { touchNow } from '../lib/use-now';
import { useTitle } from '../lib/title';
import { Link, navigate, useLocation } from '../router/router';
import { Badge, SeverityBadge, StatusBadge } from '../ui/badge';
import { Button } from '../ui/button';
import { Dialog, FormDialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { LoadError } from '../ui/states';
import { RelativeTime } from '../ui/time';
import { useToast } from '../ui/toast';
import { describeBulk, runBulk, type AlertAction } from './actions';
import { GroupBadge } from './group-section';
import { filtersToApiQuery, filtersToSearch, parseFilters, STATUS_CHOICES, statusChoiceOf, type AlertFilters } from './filters';
import { actionTargets, commandForKey, emptySelection, moveCursor, reconcile, toggleAtCursor, toggleId, type Selection } from './selection';

const PAGE = 200;
const ROW_HEIGHT = 44;

interface ListState {
  items: Alert[];
  nextBefore: number | null;
  loading: boolean;
  error: unknown;
  loaded: boolean;
}

const initial: ListState = { items: [], nextBefore: null, loading: true, error: null, loaded: false };

export function AlertsPage() {
  useTitle('Alerts');
  const { search } = useLocation();
  const filters = useMemo(() => parseFilters(search), [search]);
  const filterKey = filtersToSearch(filters);
  const { user } = useSession();
  const canAct = roleRank(user?.role ?? 'viewer') >= roleRank('responder');
  const toast = useToast();

  const [list, setList] = useState<ListState>(initial);
  const generation = useRef(0);
  const inFlight = useRef(false);

  // First page whenever the filters change.
  useEffect(() => {
    const gen = ++generation.current;
    const f = parseFilters(filterKey);
    inFlight.current = true;
    Promise.resolve()
      .then(() => {
        if (gen === generation.current) setList({ ...initial });
        return api.get<AlertList>('/alerts', filtersToApiQuery(f, { limit: PAGE }));
      })
      .then(
        (r) => {
          if (gen !== generation.current) return;
          touchNow();
          setList({ items: r.alerts, nextBefore: r.next_before, loading: false, error: null, loaded: true });
        },
        (e: unknown) => {
          if (gen !== generation.current) return;
          setList({ ...initial, loading: false, error: e, loaded: true });
        },
      )
      .finally(() => {
        if (gen === generation.current) inFlight.current = false;
      });
  }, [filterKey]);

  const loadMore = useCallback(() => {
    if (inFlight.current || list.nextBefore === null || list.error) return;
    const gen = generation.current;
    inFlight.current = true;
    setList((s) => ({ ...s, loading: true }));
    api
      .get<AlertList>('/alerts', filtersToApiQuery(parseFilters(filterKey), { limit: PAGE, before: list.nextBefore }))
      .then(
        (r) => {
          if (gen !== generation.current) return;
          setList((s) => {
            const seen = new Set(s.items.map((a) => a.id));
            return { ...s, items: [...s.items, ...r.alerts.filter((a) => !seen.has(a.id))], nextBefore: r.next_before, loading: false };
          });
        },
        (e: unknown) => {
          if (gen === generation.current) setList((s) => ({ ...s, loading: false, error: e }));
        },
      )
      .finally(() => {
        if (gen === generation.current) inFlight.current = false;
      });
  }, [filterKey, list.nextBefore, list.error]);

  // Live: refetch the first page and merge it in front of what is loaded; rows further down get
  // the status the event carries, so nothing jumps under the reader's cursor.
  useLive(
    (events) => {
      const gen = generation.current;
      api.get<AlertList>('/alerts', filtersToApiQuery(parseFilters(filterKey), { limit: PAGE })).then(
        (r) => {
          if (gen !== generation.current) return;
          touchNow();
          const status = new Map(events.filter((e) => e.alert_id !== null && e.status).map((e) => [e.alert_id as number, e.status]));
          setList((s) => {
            if (r.next_before === null) return { ...s, items: r.alerts, nextBefore: null, error: null };
            const minId = Math.min(...r.alerts.map((a) => a.id));
            const rest = s.items.filter((a) => a.id < minId).map((a) => (status.has(a.id) ? { ...a, status: status.get(a.id) ?? a.status } : a));
            return { ...s, items: [...r.alerts, ...rest], nextBefore: rest.length ? s.nextBefore : r.next_before, error: null };
          });
        },
        () => {
          /* the next event or the reconnect resync tries again */
        },
      );
    },
    (e) => e.type === 'alert.created' || e.type === 'alert.updated' || e.type === 'config.changed',
  );

  // Selection, kept on the same alerts as the list changes.
  const ids = useMemo(() => list.items.map((a) => a.id), [list.items]);
  const [sel, setSel] = useState<Selection>(emptySelection);
  const [prevIds, setPrevIds] = useState<number[]>(ids);
  if (prevIds !== ids) {
    setPrevIds(ids);
    setSel((s) => reconcile(s, prevIds, ids));
  }

  const scroller = useRef<HTMLDivElement>(null);
  const count = list.items.length + (list.nextBefore !== null ? 1 : 0);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render by design
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const vItems = virtual.getVirtualItems();
  const lastIndex = vItems.length ? (vItems[vItems.length - 1]?.index ?? 0) : 0;
  useEffect(() => {
    if (list.nextBefore !== null && lastIndex >= list.items.length - 20) loadMore();
  }, [lastIndex, list.items.length, list.nextBefore, loadMore]);

  // Keyboard focus follows the cursor so Enter, screen readers and the focus ring agree.
  const focusRow = useRef(false);
  useEffect(() => {
    if (!focusRow.current || sel.cursor < 0) return;
    focusRow.current = false;
    virtual.scrollToIndex(sel.cursor, { align: 'auto' });
    const id = ids[sel.cursor];
    requestAnimationFrame(() => document.getElementById(`alert-link-${id}`)?.focus({ preventScroll: true }));
  }, [sel.cursor, ids, virtual]);

  const [busy, setBusy] = useState<AlertAction | null>(null);
  const [confirmResolve, setConfirmResolve] = useState<number[] | null>(null);
  const [help, setHelp] = useState(false);

  const act = useCallback(
    async (action: AlertAction, targets: number[]) => {
      if (!targets.length) return;
      setBusy(action);
      try {
        const r = await runBulk(action, targets);
        const byId = new Map(r.done.map((a) => [a.id, a]));
        setList((s) => ({ ...s, items: s.items.map((a) => byId.get(a.id) ?? a) }));
        setSel((s) => ({ ...s, selected: new Set([...s.selected].filter((id) => !byId.has(id))) }));
        (r.failed.length ? toast.error : toast.ok)(describeBulk(action, r));
        if (r.failed.length) throw new Error(describeBulk(action, r));
      } finally {
        setBusy(null);
      }
    },
    [toast],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const cmd = commandForKey(e);
      if (!cmd) return;
      e.preventDefault();
      if (cmd === 'down' || cmd === 'up') {
        focusRow.current = true;
        setSel((s) => moveCursor(s, cmd === 'down' ? 1 : -1, ids.length));
      } else if (cmd === 'toggle') setSel((s) => toggleAtCursor(s, ids));
      else if (cmd === 'open') {
        const id = ids[sel.cursor];
        if (id !== undefined) navigate(`/alerts/${id}`);
      } else if (cmd === 'acknowledge') {
        if (canAct) void act('acknowledge', actionTargets(sel, ids)).catch(() => {});
      } else if (cmd === 'resolve') {
        const t = actionTargets(sel, ids);
        if (canAct && t.length) setConfirmResolve(t);
      } else if (cmd === 'help') setHelp(true);
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [ids, sel, canAct, act]);

  const setFilters = (f: AlertFilters) => navigate(`/alerts${filtersToSearch(f)}`, { replace: true });
  const services = useApi<{ services: Service[] }>('/services');
  const summary = useApi<AlertSummary>('/alerts/summary');
  const severities = summary.data?.by_severity.map((s) => s.severity) ?? [];

  const selectedIds = actionTargets({ ...sel, cursor: -1 }, ids);

  return (
    <>
      <div className="spread">
        <h1>Alerts</h1>
        <Button small variant="ghost" onClick={() => setHelp(true)} aria-keyshortcuts="?">
          Keyboard shortcuts <kbd>?</kbd>
        </Button>
      </div>
      <form className="filters" role="search" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <Field label="Status">
          <select value={statusChoiceOf(filters.status)} onChange={(e) => setFilters({ ...filters, status: STATUS_CHOICES.find((c) => c.value === e.target.value)?.status ?? [] })}>
            {STATUS_CHOICES.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Service">
          <select value={filters.service.length === 1 ? filters.service[0] : filters.service.length ? '__many' : ''} onChange={(e) => setFilters({ ...filters, service: e.target.value ? [e.target.value] : [] })}>
            <option value="">All services</option>
            {filters.service.length > 1 && <option value="__many">{filters.service.join(', ')}</option>}
            {services.data?.services.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
            {filters.service.length === 1 && !services.data?.services.some((s) => s.name === filters.service[0]) && <option value={filters.service[0]}>{filters.service[0]}</option>}
          </select>
        </Field>
        <Field label="Severity">
          <select value={filters.severity.length === 1 ? filters.severity[0] : filters.severity.length ? '__many' : ''} onChange={(e) => setFilters({ ...filters, severity: e.target.value ? [e.target.value] : [] })}>
            <option value="">All severities</option>
            {filters.severity.length > 1 && <option value="__many">{filters.severity.join(', ')}</option>}
            {severities.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            {filters.severity.length === 1 && !severities.includes(filters.severity[0] as string) && <option value={filters.severity[0]}>{filters.severity[0]}</option>}
          </select>
        </Field>
        <Field label="Silenced">
          <select value={filters.silenced ?? ''} onChange={(e) => setFilters({ ...filters, silenced: e.target.value === 'true' || e.target.value === 'false' ? e.target.value : undefined })}>
            <option value="">Silenced or not</option>
            <option value="true">Silenced only</option>
            <option value="false">Not silenced</option>
          </select>
        </Field>
        <label>
          <input type="checkbox" checked={filters.members === 'hide'} onChange={(e) => setFilters({ ...filters, members: e.target.checked ? 'hide' : undefined })} /> Hide alerts that joined a group
        </label>
        {filterKey && (
          <Button onClick={() => setFilters({ status: ['triggered', 'acknowledged'], service: [], severity: [] })}>Clear filters</Button>
        )}
      </form>

      <div className="bulkbar" aria-label="Bulk actions" role="group">
        <Button variant="primary" disabled={!canAct || !selectedIds.length} busy={busy === 'acknowledge'} onClick={() => void act('acknowledge', selectedIds).catch(() => {})} aria-keyshortcuts="a">
          Acknowledge selected
        </Button>
        <Button disabled={!canAct || !selectedIds.length} busy={busy === 'resolve'} onClick={() => setConfirmResolve(selectedIds)} aria-keyshortcuts="r">
          Resolve selected
        </Button>
        {selectedIds.length > 0 && (
          <Button variant="ghost" onClick={() => setSel((s) => ({ ...s, selected: new Set() }))}>
            Clear selection
          </Button>
        )}
        <span className="muted small" aria-live="polite">
          {selectedIds.length ? `${selectedIds.length} selected. ` : ''}
          {list.loaded ? `${list.items.length}${list.nextBefore !== null ? '+' : ''} alert${list.items.length === 1 ? '' : 's'}` : ''}
        </span>
        {!canAct && <span className="muted small">Your role ({user?.role}) can view alerts but not act on them.</span>}
      </div>

      {list.error !== null && list.error !== undefined && <LoadError error={list.error} onRetry={() => navigate(`/alerts${filterKey}`, { replace: true })} />}

      {list.loaded && !list.items.length && !list.error ? (
        <p className="panel">
          {filterKey ? 'No alerts match these filters. ' : 'No open alerts. '}
          {filterKey ? <Link to="/alerts">Show open alerts</Link> : <>Send a test alert from <Link to="/services">Services</Link>.</>}
        </p>
      ) : (
        <div className="alert-scroller" ref={scroller} aria-busy={list.loading || undefined}>
          <div className="alert-head" aria-hidden="true">
            <span />
            <span>Severity</span>
            <span className="col-status">Status</span>
            <span>Summary</span>
            <span className="svc">Service</span>
            <span className="col-count">Count</span>
            <span>Last seen</span>
          </div>
          {!list.loaded && <p className="muted" style={{ padding: '0.75rem' }} role="status">Loading alerts…</p>}
          <ul className="alert-list" aria-label="Alerts" style={{ height: virtual.getTotalSize() }}>
            {vItems.map((v) => {
              const a = list.items[v.index];
              if (!a)
                return (
                  <li key="more" className="alert-row muted" style={{ top: v.start, height: v.size }}>
                    <span />
                    <span style={{ gridColumn: '2 / -1' }}>{list.error ? 'Could not load more.' : 'Loading more…'}</span>
                  </li>
                );
              const current = v.index === sel.cursor;
              return (
                <li
                  key={a.id}
                  id={`alert-row-${a.id}`}
                  className="alert-row"
                  style={{ top: v.start, height: v.size }}
                  aria-current={current ? 'true' : undefined}
                  aria-setsize={list.nextBefore === null ? list.items.length : -1}
                  aria-posinset={v.index + 1}
                  onClick={() => setSel((s) => (s.cursor === v.index ? s : { ...s, cursor: v.index }))}
                >
                  <input type="checkbox" aria-label={`Select alert #${a.id}`} checked={sel.selected.has(a.id)} onChange={() => setSel((s) => toggleId(s, a.id))} />
                  <span>
                    <SeverityBadge severity={a.severity} />
                  </span>
                  <span className="col-status">
                    <StatusBadge status={a.status} />
                  </span>
                  <span className="summary">
                    <Link id={`alert-link-${a.id}`} to={`/alerts/${a.id}`} title={a.summary}>
                      <span className="muted">#{a.id}</span> {a.summary}
                    </Link>{' '}
                    <GroupBadge grouping={a.grouping} />
                    {a.silenced_by && (
                      <Badge title="A silence holds this alert: it pages nobody until the silence ends">silenced</Badge>
                    )}
                    {a.maintenance_by && (
                      <Badge title="A maintenance window holds this alert: it pages nobody until the window ends">in maintenance</Badge>
                    )}
                  </span>
                  <span className="svc">{a.service.name ?? a.service.id}</span>
                  <span className="col-count small" title={`Received ${a.count} time${a.count === 1 ? '' : 's'}`}>
                    ×{a.count}
                  </span>
                  <span className="small">
                    <RelativeTime at={a.last_seen_at} />
                  </span>
                </li>
              );
            })}
          </ul>
        </div>
      )}

      <FormDialog
        open={confirmResolve !== null}
        title={confirmResolve && confirmResolve.length === 1 ? `Resolve alert #${confirmResolve[0]}?` : `Resolve ${confirmResolve?.length ?? 0} alerts?`}
        submitLabel="Resolve"
        onClose={() => setConfirmResolve(null)}
        onSubmit={() => act('resolve', confirmResolve ?? [])}
      >
        <p>Resolving stops escalation and closes {confirmResolve?.length === 1 ? 'the alert' : 'these alerts'}. A new event with the same dedup key opens a new alert.</p>
      </FormDialog>

      <Dialog open={help} title="Keyboard shortcuts" onClose={() => setHelp(false)}>
        <table className="table">
          <tbody>
            {[
              ['j', 'Next alert'],
              ['k', 'Previous alert'],
              ['x', 'Select or unselect the highlighted alert'],
              ['Enter', 'Open the highlighted alert'],
              ['a', 'Acknowledge selected alerts (or the highlighted one)'],
              ['r', 'Resolve selected alerts (or the highlighted one), after you confirm'],
              ['?', 'Show these shortcuts'],
            ].map(([k, d]) => (
              <tr key={k}>
                <td>
                  <kbd>{k}</kbd>
                </td>
                <td>{d}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="dialog-actions">
          <Button variant="primary" onClick={() => setHelp(false)} autoFocus>
            Close
          </Button>
        </div>
      </Dialog>
    </>
  );
}

