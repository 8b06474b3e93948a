import { useEffect, useRef } from 'react';

/** Longest timeout browsers honour (about 24.8 days). */
const MAX_DELAY = 2 ** 31 - 1;

/**
 * Calls `reload` just after the earliest of `times` (ISO strings) passes: "on call until 09:00"
 * must not stay on screen at 09:01 when no event says the hand-off happened.
 */
export function useRefreshAt(times: (string | null | undefined)[], reload: () => void): void {
  const cb = useRef(reload);
  useEffect(() => {
    cb.current = reload;
  });
  const key = times.filter(Boolean).join(' ');
  useEffect(() => {
    const now = Date.now();
    const next = key
      .split(' ')
      .map((t) => Date.parse(t))
      .filter((t) => Number.isFinite(t) && t > now - 1000);
    if (!next.length) return;
    const at = Math.min(...next);
    const timer = setTimeout(() => cb.current(), Math.min(MAX_DELAY, Math.max(0, at - now) + 1000));
    return () => clearTimeout(timer);
  }, [key]);
}
