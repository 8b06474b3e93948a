import { useCallback, useEffect, useState } from 'react';
import { api, type Query } from '../api/client';

export interface ApiState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Fetch again, keeping the current data on screen until the answer arrives. */
  reload: () => void;
}

/** GET `path` (null = do not fetch). Re-fetches when path or query change. */
export function useApi<T>(path: string | null, query?: Query): ApiState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState<boolean>(path !== null);
  const [tick, setTick] = useState(0);
  const queryJson = JSON.stringify(query ?? {});

  useEffect(() => {
    if (path === null) return;
    const q = JSON.parse(queryJson) as Query;
    const ctrl = new AbortController();
    let live = true;
    Promise.resolve()
      .then(() => {
        if (live) setLoading(true);
        return api.get<T>(path, q, ctrl.signal);
      })
      .then(
        (d) => {
          if (!live) return;
          setData(d);
          setError(undefined);
          setLoading(false);
        },
        (e: unknown) => {
          if (!live || (e instanceof DOMException && e.name === 'AbortError')) return;
          setError(e);
          setLoading(false);
        },
      );
    return () => {
      live = false;
      ctrl.abort();
    };
  }, [path, queryJson, tick]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
