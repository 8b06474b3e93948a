import { useCallback, useSyncExternalStore } from 'react';
import { useNow } from '../lib/use-now';
import { Badge } from '../ui/badge';
import { SLA_LABELS, serverOffset, slaView, type SlaClock, type SlaState } from './sla';

const TONE: Record<SlaState, 'ok' | 'warn' | 'danger' | undefined> = { on_track: undefined, at_risk: 'warn', breached: 'danger', met: 'ok' };

/**
 * When this answer reached the browser: stamped when the component subscribes to it (after the
 * render, where reading the time is allowed), so server time minus browser time is measured once
 * per answer and the clocks count on by the shared ticker. Null during the first render.
 */
const received = new WeakMap<object, number>();
function useReceivedAt(clocks: SlaClock[] | undefined): number | null {
  const subscribe = useCallback(
    (changed: () => void) => {
      if (clocks && !received.has(clocks)) {
        received.set(clocks, Date.now());
        changed();
      }
      return () => undefined;
    },
    [clocks],
  );
  return useSyncExternalStore(subscribe, () => (clocks ? (received.get(clocks) ?? null) : null));
}

/**
 * An incident's SLA clocks (acknowledge, first update, resolve): on track, at risk, breached or
 * met, with the time left. They move on by themselves between refetches, on the server's clock.
 */
export function SlaClocks({ clocks, compact = false, label = 'SLA clocks' }: { clocks: SlaClock[] | undefined; compact?: boolean; label?: string }) {
  const browserNow = useNow();
  const receivedAt = useReceivedAt(clocks) ?? browserNow;
  if (!clocks || clocks.length === 0) return null;
  const now = Math.max(browserNow, receivedAt) + serverOffset(clocks, receivedAt);
  return (
    <ul className={compact ? 'row small' : 'row'} aria-label={label} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {clocks.map((c) => {
        const v = slaView(c, now);
        return (
          <li key={c.clock} title={`target ${Math.round(c.target_ms / 60_000)} min, due ${new Date(c.due_at).toLocaleTimeString()}`}>
            <Badge tone={TONE[v.state]}>
              {SLA_LABELS[c.clock]}: {v.text}
            </Badge>
          </li>
        );
      })}
    </ul>
  );
}
