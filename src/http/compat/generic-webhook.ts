import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertEventInput, AlertLink, IngestAction } from '../../domain/alert/types.js';
import type { FieldProblem } from '../../domain/errors.js';
import { emptyEvent } from '../../domain/alert/types.js';
import { charLength, isBlank, isHttpUrl, isRecord, parseIsoTimestamp } from './pagerduty-events.js';

/**
 * Watchkeeper's own signed JSON webhook, for senders with no PagerDuty or Alertmanager mode.
 *
 * Signing: `X-Watchkeeper-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>` with
 * `X-Watchkeeper-Timestamp: <Unix seconds>`. The timestamp is inside the MAC so a captured request
 * cannot be replayed later with a fresh timestamp; within the tolerance window the caller rejects a
 * second use of the same signature (`replayKey`). Several `v1=` values may be sent, comma-separated,
 * so a sender can sign with the old and new secret while a rotation is rolled out.
 *
 * Unlike the PagerDuty adapter this format is ours, so it is strict where leniency hides mistakes:
 * a blank `dedup_key` is an error (a template that rendered empty would otherwise open a new alert,
 * and page, for every event), and links must be http(s) URLs.
 */

const SIGNATURE_HEADER = 'X-Watchkeeper-Signature';
const TIMESTAMP_HEADER = 'X-Watchkeeper-Timestamp';
const DEFAULT_TOLERANCE_SECONDS = 300;
const SIGNATURE_HEX = /^[0-9a-f]{64}$/i;

export interface GenericSignatureInput {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: string | Buffer;
  nowMs: number;
  toleranceSeconds?: number;
}

export type GenericSignatureResult = { ok: true; replayKey: string } | { ok: false; message: string };

export function signGenericWebhook(secret: string, timestampSeconds: number, rawBody: string): string {
  return `v1=${hmac(secret, String(timestampSeconds), rawBody).toString('hex')}`;
}

export function verifyGenericSignature(input: GenericSignatureInput): GenericSignatureResult {
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  // An empty key is a configuration fault; anyone could compute a valid signature with it.
  if (input.secret === '') return fail('this integration has no signing secret configured');
  if (input.signature === undefined || isBlank(input.signature)) {
    return fail(
      `missing ${SIGNATURE_HEADER} header; ` +
        'sign the body as HMAC-SHA256(secret, timestamp + "." + body) and send "v1=<hex>"',
    );
  }
  if (input.timestamp === undefined || isBlank(input.timestamp)) return fail(`missing ${TIMESTAMP_HEADER} header`);

  const timestamp = input.timestamp.trim();
  if (!/^\d{1,15}$/.test(timestamp)) {
    return fail(`${TIMESTAMP_HEADER} must be Unix time in whole seconds, got ${quote(timestamp)}`);
  }
  const sentSeconds = Number(timestamp);
  if (sentSeconds >= 1e11) {
    return fail(`${TIMESTAMP_HEADER} looks like milliseconds (${timestamp}); send Unix time in seconds`);
  }
  const skew = Math.abs(Math.floor(input.nowMs / 1000) - sentSeconds);
  if (skew > tolerance) {
    return fail(
      `${TIMESTAMP_HEADER} is ${skew} seconds away from server time (limit ${tolerance}); check the sender's clock`,
    );
  }

  const candidates = input.signature
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3));
  if (candidates.length === 0) {
    return fail(`${SIGNATURE_HEADER} has no "v1=" signature; send "v1=<hex HMAC-SHA256>"`);
  }
  const expected = hmac(input.secret, timestamp, input.rawBody);
  // No early exit: timing should not reveal which of the candidates matched.
  let match: string | undefined;
  for (const candidate of candidates) {
    if (!SIGNATURE_HEX.test(candidate)) continue;
    if (timingSafeEqual(Buffer.from(candidate, 'hex'), expected)) match ??= candidate.toLowerCase();
  }
  if (match === undefined) return fail("signature does not match; check the integration's secret");
  return { ok: true, replayKey: match };
}

function hmac(secret: string, timestamp: string, rawBody: string | Buffer): Buffer {
  // The body is fed as received: re-serialising parsed JSON would not reproduce the sender's bytes.
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

function fail(message: string): GenericSignatureResult {
  return { ok: false, message };
}

export type GenericEventResult = { ok: true; event: AlertEventInput } | { ok: false; problems: FieldProblem[] };

const ACTIONS: readonly IngestAction[] = ['trigger', 'acknowledge', 'resolve'];
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;

export function parseGenericEvent(body: unknown): GenericEventResult {
  if (!isRecord(body)) return { ok: false, problems: [{ field: 'body', message: 'must be a JSON object' }] };
  const problems: FieldProblem[] = [];
  const problem = (field: string, message: string): void => void problems.push({ field, message });
  const str = (field: string): string | null => optionalString(body[field], field, problem);

  const action = readAction(body.action, problem);
  const dedupKey = str('dedup_key');
  if (dedupKey !== null) {
    if (isBlank(dedupKey)) problem('dedup_key', 'must not be blank; omit it to open a new alert for every event');
    else if (charLength(dedupKey) > MAX_DEDUP_KEY) problem('dedup_key', `must be at most ${MAX_DEDUP_KEY} characters`);
  } else if (action === 'acknowledge' || action === 'resolve') {
    problem('dedup_key', `is required when action is "${action}"`);
  }

  const summary = str('summary');
  if (summary !== null && charLength(summary) > MAX_SUMMARY) {
    problem('summary', `must be at most ${MAX_SUMMARY} characters (got ${charLength(summary)})`);
  } else if (action === 'trigger' && isAbsent(body.summary)) {
    problem('summary', 'is required when action is "trigger"');
  }

  const event: AlertEventInput = {
    ...emptyEvent(action ?? 'trigger', dedupKey),
    summary: summary ?? '',
    source: str('source'),
    severity: str('severity'),
    occurredAt: readTimestamp(body.timestamp, problem),
    component: str('component'),
    group: str('group'),
    class: str('class'),
    details: readDetails(body.details, problem),
    links: readLinks(body.links, problem),
    labels: readLabels(body.labels, problem),
  };
  return problems.length > 0 ? { ok: false, problems } : { ok: true, event };
}

type Report = (field: string, message: string) => void;

function readAction(value: unknown, problem: Report): IngestAction | undefined {
  if (value === undefined || value === null) return 'trigger';
  const action = ACTIONS.find((a) => a === value);
  if (action === undefined) problem('action', `must be one of ${ACTIONS.join(', ')} (got ${quote(value)})`);
  return action;
}

function readTimestamp(value: unknown, problem: Report): number | null {
  const raw = optionalString(value, 'timestamp', problem);
  if (raw === null) return null;
  const ms = parseIsoTimestamp(raw);
  if (ms === null) {
    problem('timestamp', `must be an ISO 8601 date-time such as 2026-03-08T08:00:00Z (got ${quote(raw)})`);
  }
  return ms;
}

function readDetails(value: unknown, problem: Report): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (isRecord(value)) return value;
  problem('details', 'must be a JSON object');
  return null;
}

function readLinks(value: unknown, problem: Report): AlertLink[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    problem('links', 'must be an array');
    return [];
  }
  const links: AlertLink[] = [];
  for (const [i, entry] of value.entries()) {
    const path = `links[${i}]`;
    if (!isRecord(entry)) {
      problem(path, 'must be an object with href and optional text');
      continue;
    }
    const href = optionalString(entry.href, `${path}.href`, problem);
    const text = optionalString(entry.text, `${path}.text`, problem);
    if (isAbsent(entry.href)) problem(`${path}.href`, 'is required');
    else if (href !== null && !isHttpUrl(href, false)) problem(`${path}.href`, 'must be an http or https URL');
    else if (href !== null) links.push(text === null ? { href } : { href, text });
  }
  return links;
}

function readLabels(value: unknown, problem: Report): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    problem('labels', 'must be an object of string values');
    return {};
  }
  const entries: Array<[string, string]> = [];
  for (const [name, v] of Object.entries(value)) {
    if (typeof v === 'string') entries.push([name, v]);
    else problem(`labels.${name}`, 'must be a string');
  }
  // fromEntries, not assignment, so a label named `__proto__` stays an ordinary label.
  return Object.fromEntries(entries);
}

/** Missing, null or blank; a value of the wrong type is not absent (it gets a type error instead). */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && isBlank(value));
}

/** null for absent or JSON null; records a type error for anything but a string. */
function optionalString(value: unknown, field: string, problem: Report): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  problem(field, 'must be a string');
  return null;
}

/** Echoes a rejected value back, short enough to keep errors and logs readable. */
function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
