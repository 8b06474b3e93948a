/**
 * SLA clocks as the incident JSON gives them (src/http/routes/incident-sla.ts), and how a live view
 * reads them between refetches: a running clock moves from on track to at risk to breached by
 * itself, counted on the server's clock (the browser's may be off; the offset comes from the
 * answer: a running clock's `elapsed_ms` is measured up to the server's now).
 */
export type SlaState = 'on_track' | 'at_risk' | 'breached' | 'met';

export interface SlaClock {
  clock: 'acknowledge' | 'first_update' | 'resolve';
  target_ms: number;
  due_at: string;
  at_risk_at: string;
  state: SlaState;
  met_at: string | null;
  elapsed_ms: number;
}

export const SLA_LABELS: Record<SlaClock['clock'], string> = { acknowledge: 'Acknowledge', first_update: 'First update', resolve: 'Resolve' };

/** Server time minus browser time, from a running clock; 0 when every clock has stopped. */
export function serverOffset(clocks: SlaClock[], browserNow: number): number {
  const running = clocks.find((c) => c.met_at === null);
  if (!running) return 0;
  const serverNow = Date.parse(running.due_at) - running.target_ms + running.elapsed_ms;
  return serverNow - browserNow;
}

const minutes = (ms: number): string => {
  const m = Math.max(1, Math.round(ms / 60_000));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  const r = m % 60;
  return r ? `${h} h ${r} min` : `${h} h`;
};

/** The state at `now` (server time) and the words for it: "12 min left", "breached 3 min ago", "met in 4 min". */
export function slaView(c: SlaClock, now: number): { state: SlaState; text: string } {
  const due = Date.parse(c.due_at);
  if (c.met_at !== null) {
    const took = Date.parse(c.met_at) - (due - c.target_ms);
    return c.state === 'met' ? { state: 'met', text: `met in ${minutes(took)}` } : { state: 'breached', text: `breached, met after ${minutes(took)}` };
  }
  if (now >= due) return { state: 'breached', text: `breached ${minutes(now - due)} ago` };
  const state: SlaState = now >= Date.parse(c.at_risk_at) ? 'at_risk' : 'on_track';
  return { state, text: `${state === 'at_risk' ? 'at risk' : 'on track'}, ${minutes(due - now)} left` };
}
