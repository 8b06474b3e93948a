import { formatDuration } from '../domain/silence/policy.js';
import { paint, shortTime } from './output.js';

/** One SLA clock as GET /api/v1/incidents/:id gives it. */
export interface ApiSlaClock {
  clock: string;
  target_ms: number;
  due_at: string;
  state: string;
  met_at: string | null;
}

const LABEL: Record<string, string> = { acknowledge: 'sla acknowledge', first_update: 'sla first update', resolve: 'sla resolve' };

/** `incident show` rows: "breached (target 5m, due 08:05Z, met 08:12Z)", "on track (target 1h, due 09:00Z)". */
export function slaFields(clocks: ApiSlaClock[]): [string, string][] {
  return clocks.map((c) => {
    const detail = [`target ${formatDuration(c.target_ms)}`, `due ${shortTime(c.due_at)}`, ...(c.met_at ? [`${c.state === 'met' ? 'met' : 'stopped'} ${shortTime(c.met_at)}`] : [])].join(', ');
    const word = c.state.replace('_', ' ');
    const coloured = c.state === 'breached' ? paint(word, 'red') : c.state === 'at_risk' ? paint(word, 'yellow') : c.state === 'met' ? paint(word, 'green') : word;
    return [LABEL[c.clock] ?? `sla ${c.clock}`, `${coloured} (${detail})`];
  });
}
