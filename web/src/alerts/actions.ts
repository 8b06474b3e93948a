import { api, errorMessage } from '../api/client';
import type { Alert } from '../api/types';

export type AlertAction = 'acknowledge' | 'resolve';

export interface BulkResult {
  done: Alert[];
  failed: { id: number; message: string }[];
}

/** Runs one action over many alerts, four requests at a time, and reports each outcome. */
export async function runBulk(action: AlertAction, ids: number[], concurrency = 4): Promise<BulkResult> {
  const result: BulkResult = { done: [], failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++] as number;
      try {
        const r = await api.post<{ alert: Alert | null }>(`/alerts/${id}/${action}`, {});
        if (r.alert) result.done.push(r.alert);
      } catch (err) {
        result.failed.push({ id, message: errorMessage(err) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
  return result;
}

export function describeBulk(action: AlertAction, r: BulkResult): string {
  const verb = action === 'acknowledge' ? 'Acknowledged' : 'Resolved';
  const ok = `${verb} ${r.done.length} alert${r.done.length === 1 ? '' : 's'}.`;
  if (!r.failed.length) return ok;
  const first = r.failed[0];
  return `${ok} ${r.failed.length} failed${first ? ` (#${first.id}: ${first.message})` : ''}.`;
}
