import { useEffect } from 'react';
import { useLive } from '../lib/live';
import { useApi } from '../lib/use-api';
import { useLocation } from '../router/router';
import type { NoteList } from './types';

/**
 * The unread handoff notes count beside "Handoffs" in the navigation. Notes appear at shift
 * changes, which the live stream does not announce: it is fetched again on every page change and
 * with any live change.
 */
export function UnreadHandoffs() {
  const { pathname } = useLocation();
  const r = useApi<NoteList>('/handoffs', { mine: 'true', unread: 'true', limit: 1 });
  const { reload } = r;
  useEffect(() => reload(), [pathname, reload]);
  useLive(reload, (e) => e.type !== 'page.updated');
  const n = r.data?.unread ?? 0;
  if (n <= 0) return null;
  return (
    <span className="badge badge-warn handoff-unread" data-testid="handoffs-unread">
      {n}
      <span className="visually-hidden"> unread handoff {n === 1 ? 'note' : 'notes'}</span>
    </span>
  );
}
