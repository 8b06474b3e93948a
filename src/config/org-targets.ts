import { z } from 'zod';
import { formatDuration, parseDuration } from '../domain/silence/policy.js';

/**
 * The org file's `response_targets`: how fast an alert of each severity should be acknowledged and
 * resolved (DeltaCrown's MTTA/MTTR table). Reports measure every alert against its severity's
 * targets and show the share that breached them.
 *
 *   response_targets:
 *     critical: { acknowledge: 5m, resolve: 15m }
 *     high: { acknowledge: 15m, resolve: 30m }
 *     warning: { acknowledge: 30m, resolve: 1h }
 */
export interface ResponseTarget {
  acknowledgeMs: number | null;
  resolveMs: number | null;
}

/** Severity name -> targets; severities without an entry have none. */
export type ResponseTargets = Record<string, ResponseTarget>;

const MAX = 30 * 24 * 3_600_000;

const TargetSchema = z.strictObject({
  acknowledge: z.string().optional().describe('Time to acknowledge, e.g. 5m.'),
  resolve: z.string().optional().describe('Time to resolve, e.g. 1h.'),
});

export const ResponseTargetsSchema = z
  .record(z.string(), TargetSchema)
  .describe('Response targets per severity: time to acknowledge and to resolve. Reports show the share of alerts that breached them.');

type Path = readonly (string | number)[];

export function checkResponseTargets(
  input: z.output<typeof ResponseTargetsSchema>,
  path: Path,
  severity: (raw: string, at: Path) => string | null,
  problem: (at: Path, message: string) => void,
): ResponseTargets {
  const out: ResponseTargets = {};
  for (const [raw, t] of Object.entries(input)) {
    const at = [...path, raw];
    const name = severity(raw, at);
    const ms = (text: string | undefined, field: string): number | null => {
      if (text === undefined) return null;
      const v = parseDuration(text);
      if (v === null || v <= 0 || v > MAX) {
        problem([...at, field], `"${text}" is not a duration from 1s to 30d; write e.g. 5m, 1h or 1h30m`);
        return null;
      }
      return v;
    };
    const target = { acknowledgeMs: ms(t.acknowledge, 'acknowledge'), resolveMs: ms(t.resolve, 'resolve') };
    if (t.acknowledge === undefined && t.resolve === undefined) problem(at, 'give acknowledge, resolve or both, e.g. { acknowledge: 5m, resolve: 1h }');
    if (name) out[name] = target;
  }
  return out;
}

/** The section as export writes it back: absent when there are no targets. */
export function responseTargetsToFile(t: ResponseTargets): { response_targets?: Record<string, Record<string, string>> } {
  const entries = Object.entries(t);
  if (entries.length === 0) return {};
  return {
    response_targets: Object.fromEntries(
      entries.map(([sev, x]) => [
        sev,
        { ...(x.acknowledgeMs !== null ? { acknowledge: formatDuration(x.acknowledgeMs) } : {}), ...(x.resolveMs !== null ? { resolve: formatDuration(x.resolveMs) } : {}) },
      ]),
    ),
  };
}
