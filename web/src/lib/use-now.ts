import { useSyncExternalStore } from 'react';

/** One shared 15-second ticker for every relative time on screen. */
let now = Date.now();
const subs = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(fn: () => void) {
  subs.add(fn);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      subs.forEach((s) => s());
    }, 15_000);
  }
  return () => {
    subs.delete(fn);
    if (subs.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

export function useNow(): number {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => now,
  );
}

/** Call after data arrives so fresh rows do not say "1 min ago" for something that just happened. */
export function touchNow(): void {
  now = Date.now();
}
