import { parseDuration } from '../domain/silence/policy.js';

const MIN = 60_000;
const MAX = 31 * 24 * 60 * MIN;
export const DEFAULT_HEARTBEAT_GRACE_MS = 5 * MIN;

/**
 * A heartbeat integration: something (a cron job, a synthetic check) pings its URL every
 * `interval`; when no ping came for interval + grace, an alert opens on the service, and the next
 * ping resolves it.
 *
 *   integrations:
 *     - name: nightly-backup
 *       type: heartbeat
 *       interval: 1d
 *       grace: 30m
 */
export function checkHeartbeat(
  integ: { type: string; interval?: string | undefined; grace?: string | undefined },
  at: readonly (string | number)[],
  problem: (at: readonly (string | number)[], message: string) => void,
): { intervalMs: number; graceMs: number } | null {
  if (integ.type !== 'heartbeat') {
    if (integ.interval !== undefined) problem([...at, 'interval'], 'only heartbeat integrations have an interval');
    if (integ.grace !== undefined) problem([...at, 'grace'], 'only heartbeat integrations have a grace');
    return null;
  }
  if (integ.interval === undefined) {
    problem([...at, 'interval'], 'required for heartbeat integrations: how often a ping is expected, e.g. 5m, 1h or 1d');
    return null;
  }
  const intervalMs = parseDuration(integ.interval);
  const graceMs = integ.grace === undefined ? DEFAULT_HEARTBEAT_GRACE_MS : parseDuration(integ.grace);
  let ok = true;
  if (intervalMs === null || intervalMs < MIN || intervalMs > MAX) {
    problem([...at, 'interval'], `"${integ.interval}" is not a duration from 1m to 31d; write e.g. 5m, 1h or 1d`);
    ok = false;
  }
  if (graceMs === null || graceMs > MAX) {
    problem([...at, 'grace'], `"${integ.grace ?? ''}" is not a duration up to 31d; write e.g. 0m, 5m or 1h`);
    ok = false;
  }
  return ok ? { intervalMs: intervalMs as number, graceMs: graceMs as number } : null;
}
