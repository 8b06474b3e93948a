import type { AlertEventInput, AlertLink } from '../../domain/alert/types.js';
import type { FieldProblem } from '../../domain/errors.js';
import { alertmanagerFingerprint } from '../../domain/alert/fingerprint.js';
import { isBlank, isHttpUrl, isRecord, parseIsoTimestamp, truncateChars } from './pagerduty-events.js';

/**
 * Alertmanager webhook receiver payload, version "4" (research note §1.8): one event per alert.
 *
 * Mapping decisions, chosen so Watchkeeper shows what Alertmanager itself would:
 * - dedupKey: the alert's `fingerprint`, else computed from its labels, so a resolve always finds
 *   its trigger even when the batch it arrives in differs.
 * - source: `instance`, else `job` (where it happened); component: `component`, else `service`,
 *   else `job` (what broke); class: `alertname` (the kind of problem, PagerDuty's meaning of class).
 * - group: the notification group's labels as `name=value, …`, so alerts Alertmanager delivered
 *   together stay together; `alertname` alone would merge groups it kept apart (e.g. per cluster).
 * - Labels with empty values are dropped, as Alertmanager does on ingest; they would otherwise
 *   change the computed fingerprint. Labels are otherwise passed through untouched.
 * The whole batch is rejected if any alert is invalid: Alertmanager's own payloads always pass,
 * so a failure means a hand-built sender that needs fixing, and the 400 tells its author why.
 */

export type AlertmanagerWebhookResult =
  | { ok: true; events: AlertEventInput[] }
  | { ok: false; problems: FieldProblem[] };

const MAX_SUMMARY = 1024;
const FINGERPRINT = /^[0-9a-f]{16}$/i;
// Go's zero time.Time, which Alertmanager sends as `endsAt` on every firing alert.
const GO_ZERO_TIME_MS = -62135596800000;

export function parseAlertmanagerWebhook(body: unknown): AlertmanagerWebhookResult {
  if (!isRecord(body)) return { ok: false, problems: [{ field: 'body', message: 'must be a JSON object' }] };
  const problems: FieldProblem[] = [];
  const problem: Report = (field, message) => void problems.push({ field, message });

  // A missing version is tolerated for hand-written test payloads; another version is a different shape.
  if (body.version !== undefined && body.version !== '4') {
    problem('version', `must be "4" (Alertmanager webhook format), got ${describe(body.version)}`);
  }
  const batch = {
    receiver: optionalString(body.receiver, 'receiver', problem),
    groupKey: optionalString(body.groupKey, 'groupKey', problem),
    externalURL: optionalString(body.externalURL, 'externalURL', problem),
    groupLabels: stringMap(body.groupLabels, 'groupLabels', problem),
    commonLabels: stringMap(body.commonLabels, 'commonLabels', problem),
  };

  if (!Array.isArray(body.alerts)) {
    problem('alerts', body.alerts === undefined ? 'is required' : 'must be an array');
    return { ok: false, problems };
  }
  const events: AlertEventInput[] = [];
  body.alerts.forEach((alert: unknown, i) => {
    const event = parseAlert(alert, `alerts[${i}]`, batch, problems);
    if (event) events.push(event);
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}

/** Records one problem; the caller owns the list. */
type Report = (field: string, message: string) => void;

interface Batch {
  receiver: string | undefined;
  groupKey: string | undefined;
  externalURL: string | undefined;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
}

/** Undefined when the alert added problems; the caller rejects the batch then anyway. */
function parseAlert(alert: unknown, path: string, batch: Batch, problems: FieldProblem[]): AlertEventInput | undefined {
  const problem: Report = (field, message) => void problems.push({ field, message });
  if (!isRecord(alert)) {
    problem(path, 'must be an object');
    return undefined;
  }
  const before = problems.length;
  const status = alert.status;
  if (status !== 'firing' && status !== 'resolved') {
    const got = status === undefined ? 'is required' : `got ${describe(status)}`;
    problem(`${path}.status`, `must be "firing" or "resolved" (${got})`);
  }
  if (alert.labels === undefined) problem(`${path}.labels`, 'is required');
  // Empty-valued labels are dropped, as Alertmanager does on ingest.
  const labels = withoutEmptyValues(stringMap(alert.labels, `${path}.labels`, problem));
  const annotations = stringMap(alert.annotations, `${path}.annotations`, problem);
  const fingerprint = optionalString(alert.fingerprint, `${path}.fingerprint`, problem);
  if (fingerprint !== undefined && fingerprint !== '' && !FINGERPRINT.test(fingerprint)) {
    problem(`${path}.fingerprint`, `must be 16 hex digits, got ${describe(fingerprint)}`);
  }
  const startsAt = timestamp(alert.startsAt, `${path}.startsAt`, problem);
  const endsAt = timestamp(alert.endsAt, `${path}.endsAt`, problem);
  const generatorURL = optionalString(alert.generatorURL, `${path}.generatorURL`, problem);
  if (problems.length > before) return undefined;

  const firing = status === 'firing';
  return {
    action: firing ? 'trigger' : 'resolve',
    dedupKey: fingerprint ? fingerprint.toLowerCase() : alertmanagerFingerprint(labels),
    summary: summarise(annotations, labels),
    source: labels.instance ?? labels.job ?? null,
    severity: labels.severity ?? batch.commonLabels.severity ?? null,
    occurredAt: firing ? startsAt : endsAt,
    component: labels.component ?? labels.service ?? labels.job ?? null,
    group: renderGroup(batch.groupLabels),
    class: labels.alertname ?? null,
    details: compact({
      annotations,
      generatorURL,
      receiver: batch.receiver,
      groupKey: batch.groupKey,
      externalURL: batch.externalURL,
    }),
    links: links(generatorURL, batch.externalURL),
    images: [],
    labels,
  };
}

function summarise(annotations: Record<string, string>, labels: Record<string, string>): string {
  const description = annotations.description
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '');
  const candidates = [annotations.summary?.trim(), description, labels.alertname];
  const summary = candidates.find((c): c is string => c !== undefined && c !== '') ?? 'Alertmanager alert';
  return truncateChars(summary, MAX_SUMMARY);
}

function renderGroup(groupLabels: Record<string, string>): string | null {
  const names = Object.keys(groupLabels).sort();
  return names.length === 0 ? null : names.map((name) => `${name}=${groupLabels[name]}`).join(', ');
}

function links(generatorURL: string | undefined, externalURL: string | undefined): AlertLink[] {
  const out: AlertLink[] = [];
  if (generatorURL && isHttpUrl(generatorURL, false)) out.push({ href: generatorURL, text: 'Source' });
  if (externalURL && isHttpUrl(externalURL, false)) out.push({ href: externalURL, text: 'Alertmanager' });
  return out;
}

/** Drops absent and empty-string entries so details hold only what the sender told us. */
function compact(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== ''));
}

function timestamp(value: unknown, field: string, problem: Report): number | null {
  const raw = optionalString(value, field, problem);
  if (raw === undefined || isBlank(raw)) return null;
  const ms = parseIsoTimestamp(raw);
  if (ms === null) problem(field, `must be an RFC 3339 timestamp, got ${describe(raw)}`);
  return ms === null || ms <= GO_ZERO_TIME_MS ? null : ms;
}

function optionalString(value: unknown, field: string, problem: Report): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  problem(field, 'must be a string');
  return undefined;
}

/** A label-style map: an object whose values are all strings. Absent or null gives `{}`. */
function stringMap(value: unknown, field: string, problem: Report): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problem(field, 'must be an object of string values');
    return {};
  }
  const entries: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') entries.push([name, v]);
    else problem(`${field}.${name}`, 'must be a string');
  }
  // fromEntries, not assignment, so a label named `__proto__` stays an ordinary label.
  return Object.fromEntries(entries);
}

function withoutEmptyValues(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([, v]) => v !== ''));
}

/** Echoes a rejected value back to the sender, short enough to keep error bodies readable. */
function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
