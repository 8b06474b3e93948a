import type { Harness } from '../helpers/harness.js';

/** Shared reading helpers for the HTTP suites: state is always read back through the API. */

export const DEMO = 'examples/demo.yaml';
export const CHECKOUT_EVENTS_KEY = 'demo0checkout0events0v2000000000';
export const PAYMENTS_EVENTS_KEY = 'demo0payments0events0v2000000000';
export const CHECKOUT_ALERTMANAGER_KEY = 'demo0checkout0alertmanager000000';
export const CHECKOUT_GENERIC_KEY = 'demo0checkout0generic00000000000';
export const DEMO_SECRET_ENV = 'WATCHKEEPER_DEMO_WEBHOOK_SECRET';

export interface ApiAlert {
  id: number;
  status: string;
  severity: string;
  summary: string;
  service: { id: string; name: string | null };
  dedup_key: string;
  source: string | null;
  component: string | null;
  class: string | null;
  labels: Record<string, string>;
  count: number;
  first_seen_at: string;
  last_seen_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  snoozed_until: string | null;
  escalation: { policy: { id: string; name: string | null } | null; level: number | null; levels: number; repeat: number; next_escalation_at: string | null };
}

export interface ApiEvent {
  id: number;
  at: string;
  kind: string;
  actor: { kind: string; id: string | null; name: string };
  surface: string;
  message: string;
  data: unknown;
}

export interface AlertDetail {
  alert: ApiAlert;
  recurrence: { window_days: number; alerts: number; fired: number };
  timeline: ApiEvent[];
  pages: { user: { name: string | null }; status: string; level: number; destination: string }[];
}

export interface ApiError {
  error: { code: string; message: string; field?: string; problems?: { field: string; message: string }[] };
}

/** Every alert in every status, newest first. */
export async function allAlerts(h: Harness, query = ''): Promise<ApiAlert[]> {
  const res = await h.api('GET', `/api/v1/alerts?status=triggered,acknowledged,resolved${query}`);
  if (res.status !== 200) throw new Error(`listing alerts failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.alerts as ApiAlert[];
}

export async function alertDetail(h: Harness, id: number): Promise<AlertDetail> {
  const res = await h.api('GET', `/api/v1/alerts/${id}`);
  if (res.status !== 200) throw new Error(`reading alert #${id} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as unknown as AlertDetail;
}

/** The only alert there is; fails when there is not exactly one. */
export async function onlyAlert(h: Harness): Promise<ApiAlert> {
  const alerts = await allAlerts(h);
  if (alerts.length !== 1) throw new Error(`expected exactly one alert, found ${alerts.length}`);
  return alerts[0] as ApiAlert;
}
