import { z } from 'zod';
import { isHttpUrl } from './contact-address.js';

/**
 * A service's runbooks: what to do when one of its alerts fires, as a link, as steps written in
 * the file (the handbooks' "Alert: High Error Rate" sections), or both. Matched by the alert's
 * name (Alertmanager's `alertname`, an event's `class`), then `*` for any other alert.
 *
 *   runbooks:
 *     - alert: HighErrorRate
 *       url: https://wiki.example.com/runbooks/high-error-rate
 *       steps: |
 *         1. Check recent deployments; roll back if one matches.
 *         2. Check the database connection pool.
 *     - alert: "*"
 *       url: https://wiki.example.com/runbooks/checkout
 */
export const RunbookSchema = z.strictObject({
  alert: z.string().min(1).max(200).describe('The alert name (alertname label or event class), or "*" for any other alert of the service.'),
  url: z.string().max(2000).optional().describe('Link to the runbook (http or https).'),
  steps: z.string().max(20_000).optional().describe('The response steps themselves, in Markdown.'),
});

export interface Runbook {
  alert: string;
  url: string | null;
  steps: string | null;
}

type Path = readonly (string | number)[];

export function checkRunbooks(input: z.output<typeof RunbookSchema>[], path: Path, problem: (at: Path, message: string) => void): Runbook[] {
  const seen = new Map<string, number>();
  return input.map((r, i) => {
    const at = [...path, i];
    if (r.url === undefined && r.steps === undefined) problem(at, 'give a url, steps, or both');
    if (r.url !== undefined && !isHttpUrl(r.url)) problem([...at, 'url'], 'must be an http:// or https:// URL');
    const first = seen.get(r.alert);
    if (first !== undefined) problem([...at, 'alert'], `"${r.alert}" has a runbook already (runbooks[${first}])`);
    else seen.set(r.alert, i);
    return { alert: r.alert, url: r.url ?? null, steps: r.steps ?? null };
  });
}

/** The runbook for an alert: by its name, else the service's "*" one, else none. */
export function runbookFor(runbooks: readonly Runbook[] | null | undefined, alertName: string | null): Runbook | null {
  if (!runbooks?.length) return null;
  return (alertName !== null ? runbooks.find((r) => r.alert === alertName) : undefined) ?? runbooks.find((r) => r.alert === '*') ?? null;
}

/** An alert's name for runbooks: Alertmanager's alertname label, else the event's class. */
export function alertNameOf(a: { labels: string; class: string | null }): string | null {
  const labels = JSON.parse(a.labels) as Record<string, string>;
  return labels.alertname ?? a.class ?? null;
}

const parsed = new Map<string, Runbook[]>();

/**
 * The runbook (url and steps) for an alert from its service's stored runbooks JSON, or null. Pages
 * and the alert API both ask; the JSON is parsed once per distinct value.
 */
export function serviceRunbook(json: string | null, alert: { labels: string; class: string | null }): { url: string | null; steps: string | null } | null {
  if (!json) return null;
  let list = parsed.get(json);
  if (!list) {
    if (parsed.size > 500) parsed.clear();
    parsed.set(json, (list = JSON.parse(json) as Runbook[]));
  }
  const rb = runbookFor(list, alertNameOf(alert));
  return rb ? { url: rb.url, steps: rb.steps } : null;
}
