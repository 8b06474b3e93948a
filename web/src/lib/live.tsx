import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { StreamEvent } from '../api/types';

/**
 * One EventSource for the whole app. Events name what changed; pages fetch what they show,
 * debounced so an alert storm costs one refetch per page, not one per event. After a
 * reconnect every subscriber gets a synthetic "resync" because events may have been missed.
 */

export type LiveState = 'connecting' | 'live' | 'reconnecting';
type Listener = (e: StreamEvent | 'resync') => void;

interface LiveApi {
  state: LiveState;
  subscribe: (fn: Listener) => () => void;
}

const Ctx = createContext<LiveApi>({ state: 'connecting', subscribe: () => () => {} });

const EVENT_TYPES: StreamEvent['type'][] = ['alert.created', 'alert.updated', 'page.updated', 'config.changed', 'incident.updated'];

export function LiveProvider({ url = '/api/v1/stream', children }: { url?: string; children: ReactNode }) {
  const [state, setState] = useState<LiveState>('connecting');
  const listeners = useRef(new Set<Listener>());
  const [api] = useState<Omit<LiveApi, 'state'>>(() => ({
    subscribe: (fn: Listener) => {
      listeners.current.add(fn);
      return () => listeners.current.delete(fn);
    },
  }));

  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let hadError = false;
    let stopped = false;
    const emit = (e: StreamEvent | 'resync') => listeners.current.forEach((l) => l(e));

    const open = () => {
      es = new EventSource(url, { withCredentials: true });
      es.onopen = () => {
        setState('live');
        if (hadError) emit('resync');
        hadError = false;
      };
      es.onerror = () => {
        hadError = true;
        setState('reconnecting');
        // The browser retries by itself unless the server refused (CLOSED); then we retry.
        if (es && es.readyState === EventSource.CLOSED && !stopped) {
          es.close();
          retry = setTimeout(open, 5000);
        }
      };
      for (const type of EVENT_TYPES) {
        es.addEventListener(type, (m) => {
          try {
            const data = JSON.parse((m as MessageEvent<string>).data) as Omit<StreamEvent, 'type'>;
            emit({ type, alert_id: data.alert_id ?? null, status: data.status ?? null, at: data.at });
          } catch {
            emit('resync');
          }
        });
      }
    };
    open();
    return () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      es?.close();
    };
  }, [url]);

  return <Ctx.Provider value={{ state, subscribe: api.subscribe }}>{children}</Ctx.Provider>;
}

export const useLiveState = () => useContext(Ctx).state;

/**
 * Calls `onChange` (debounced by `delayMs`) with the events seen since the last call.
 * `accept` picks the events this page cares about; a resync always counts.
 */
export function useLive(onChange: (events: StreamEvent[], resync: boolean) => void, accept: (e: StreamEvent) => boolean = () => true, delayMs = 400): void {
  const { subscribe } = useContext(Ctx);
  const cb = useRef(onChange);
  const acc = useRef(accept);
  useEffect(() => {
    cb.current = onChange;
    acc.current = accept;
  });
  useEffect(() => {
    let pending: StreamEvent[] = [];
    let resync = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsub = subscribe((e) => {
      if (e === 'resync') resync = true;
      else if (acc.current(e)) pending.push(e);
      else return;
      if (!timer)
        timer = setTimeout(() => {
          const batch = pending;
          const r = resync;
          pending = [];
          resync = false;
          timer = null;
          cb.current(batch, r);
        }, delayMs);
    });
    return () => {
      unsub();
      if (timer) clearTimeout(timer);
    };
  }, [subscribe, delayMs]);
}

export function LiveIndicator() {
  const state = useLiveState();
  const text = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : 'connecting…';
  return (
    <span className="live" data-state={state} role="status" title={state === 'live' ? 'Updates arrive as they happen' : 'Updates paused; the page reloads data when the connection is back'}>
      {text}
    </span>
  );
}
