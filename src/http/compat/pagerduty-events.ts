import type { AlertEventInput, AlertImage, AlertLink, IngestAction } from '../../domain/alert/types.js';
import { emptyEvent } from '../../domain/alert/types.js';

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`, `POST /v2/change/enqueue`) body validation.
 *
 * Senders (Alertmanager, Grafana, go-pagerduty, pdjs…) already work against PagerDuty, so the rules
 * and error wording follow PagerDuty's: a 400 with every problem listed, never a partial accept.
 * Where PagerDuty is more lenient than its documentation we side with what senders rely on:
 *
 * - `payload.custom_details` may be any JSON value; a non-object is kept as `{ details: value }`
 *   rather than rejected, so a string of details still reaches the responder.
 * - Acknowledge/resolve events only need `routing_key`, `dedup_key` and `event_action`. Alertmanager
 *   sends a full payload with them (no timestamp); we check its types but nothing else, and silently
 *   drop links and images that would have failed trigger validation.
 * - An empty `dedup_key` on a trigger counts as absent (templates often render one), so the caller
 *   generates a key, as PagerDuty does.
 * - Links whose `href` is not http(s) are dropped rather than rejected: a `javascript:` link must
 *   never reach the UI, but rejecting the event would lose the page.
 */

export const PD_MAX_BODY_BYTES = 512 * 1024;

export interface PagerDutyErrorBody {
  status: string;
  message: string;
  errors: string[];
}

function frozenBody(status: string, message: string, errors: string[]): PagerDutyErrorBody {
  return Object.freeze({ status, message, errors: Object.freeze(errors) as string[] });
}

/** For the route when the request body is not JSON at all (PagerDuty's own wording). */
export const PD_JSON_PARSE_ERROR_BODY = frozenBody('Unrecognized object', 'Event object format is unrecognized', [
  'JSON parse error',
]);

/** For the route when the body exceeds PD_MAX_BODY_BYTES. */
export const PD_TOO_LARGE_BODY = frozenBody('invalid event', 'Event object is invalid', [
  'Event object is too large (maximum 512 KB)',
]);

export type PagerDutyParseFailure = { ok: false; status: 400; body: PagerDutyErrorBody };

export type PagerDutyEventResult = { ok: true; routingKey: string; event: AlertEventInput } | PagerDutyParseFailure;

/** A change event: recorded on the service's timeline, never opens an alert. */
export interface PagerDutyChange {
  summary: string;
  source: string | null;
  occurredAt: number | null;
  details: Record<string, unknown> | null;
  links: AlertLink[];
}

export type PagerDutyChangeResult = { ok: true; routingKey: string; change: PagerDutyChange } | PagerDutyParseFailure;

const ROUTING_KEY_LENGTH = 32;
const MAX_SUMMARY = 1024;
const MAX_DEDUP_KEY = 255;
const ACTIONS: readonly IngestAction[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES = ['critical', 'error', 'warning', 'info'];

export function parsePagerDutyEvent(body: unknown): PagerDutyEventResult {
  if (!isRecord(body)) return invalid(['Event object must be a JSON object']);
  const errors: string[] = [];
  const routingKey = readRoutingKey(body.routing_key, errors);
  const action = readAction(body.event_action, errors);
  // Only a trigger has required payload fields; an unknown action gets type checks only, so the
  // operator sees the action error rather than a list of payload fields that may not apply.
  const strict = action === 'trigger';
  const dedupKey = readDedupKey(body.dedup_key, action, errors);
  const payload = readPayload(body.payload, strict, errors);
  const links = readLinks(body.links, strict, errors);
  const images = readImages(body.images, strict, errors);
  const clientLink = readClientLink(body.client, body.client_url, errors);

  if (errors.length > 0 || routingKey === undefined || action === undefined) return invalid(errors);
  const event: AlertEventInput = {
    ...emptyEvent(action, dedupKey),
    ...payload,
    links: clientLink ? [...links, clientLink] : links,
    images,
  };
  return { ok: true, routingKey, event };
}

export function parsePagerDutyChangeEvent(body: unknown): PagerDutyChangeResult {
  if (!isRecord(body)) return invalid(['Event object must be a JSON object']);
  const errors: string[] = [];
  const routingKey = readRoutingKey(body.routing_key, errors);
  // PagerDuty documents only `links` for change events (the schema's `images` is not supported),
  // so `images` is ignored rather than validated.
  const links = readLinks(body.links, true, errors);
  let change: PagerDutyChange | undefined;
  if (body.payload !== undefined && body.payload !== null && !isRecord(body.payload)) {
    errors.push("'payload' must be an object");
  } else {
    const payload = isRecord(body.payload) ? body.payload : {};
    const summary = readSummary(payload.summary, true, errors);
    const source = readString(payload.source, 'payload.source', errors) ?? null;
    const occurredAt = readTimestamp(payload.timestamp, true, errors);
    change = { summary, source, occurredAt, details: readDetails(payload.custom_details), links };
  }
  if (errors.length > 0 || routingKey === undefined || change === undefined) return invalid(errors);
  return { ok: true, routingKey, change };
}

function invalid(errors: string[]): PagerDutyParseFailure {
  return { ok: false, status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
}

function readRoutingKey(value: unknown, errors: string[]): string | undefined {
  const key = readRequired(value, 'routing_key', true, errors);
  if (key === null) return undefined;
  if (charLength(key) !== ROUTING_KEY_LENGTH) {
    errors.push(`Length of 'routing_key' is incorrect (should be ${ROUTING_KEY_LENGTH} characters)`);
    return undefined;
  }
  return key;
}

function readAction(value: unknown, errors: string[]): IngestAction | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && isBlank(value))) {
    errors.push("'event_action' is missing or blank");
    return undefined;
  }
  const action = ACTIONS.find((a) => a === value);
  if (action === undefined) errors.push(`'event_action' is invalid (must be one of: ${ACTIONS.join(', ')})`);
  return action;
}

function readDedupKey(value: unknown, action: IngestAction | undefined, errors: string[]): string | null {
  const key = readString(value, 'dedup_key', errors);
  if (key === undefined || isBlank(key)) {
    // Without a key an acknowledge/resolve cannot name the alert it applies to.
    if (action === 'acknowledge' || action === 'resolve') errors.push("'dedup_key' is missing or blank");
    return null;
  }
  if (charLength(key) > MAX_DEDUP_KEY) {
    errors.push(`Length of 'dedup_key' is too long (maximum ${MAX_DEDUP_KEY} characters)`);
  }
  return key;
}

type PayloadFields = Pick<
  AlertEventInput,
  'summary' | 'source' | 'severity' | 'occurredAt' | 'component' | 'group' | 'class' | 'details'
>;

function readPayload(value: unknown, strict: boolean, errors: string[]): PayloadFields {
  if (value !== undefined && value !== null && !isRecord(value)) {
    errors.push("'payload' must be an object");
    value = undefined;
  }
  const payload = isRecord(value) ? value : {};
  return {
    summary: readSummary(payload.summary, strict, errors),
    source: readRequired(payload.source, 'payload.source', strict, errors),
    severity: readSeverity(payload.severity, strict, errors),
    occurredAt: readTimestamp(payload.timestamp, strict, errors),
    component: readString(payload.component, 'payload.component', errors) ?? null,
    group: readString(payload.group, 'payload.group', errors) ?? null,
    class: readString(payload.class, 'payload.class', errors) ?? null,
    details: readDetails(payload.custom_details),
  };
}

function readSummary(value: unknown, strict: boolean, errors: string[]): string {
  const summary = readRequired(value, 'payload.summary', strict, errors) ?? '';
  if (charLength(summary) <= MAX_SUMMARY) return summary;
  if (strict) errors.push(`Length of 'payload.summary' is too long (maximum ${MAX_SUMMARY} characters)`);
  // Not ours to reject on acknowledge/resolve, but never store more than a trigger could carry.
  return truncateChars(summary, MAX_SUMMARY);
}

function readSeverity(value: unknown, strict: boolean, errors: string[]): string | null {
  const severity = readRequired(value, 'payload.severity', strict, errors);
  if (severity === null) return null;
  if (strict && !SEVERITIES.includes(severity)) {
    errors.push(`'payload.severity' is invalid (must be one of: ${SEVERITIES.join(', ')})`);
  }
  return severity;
}

function readTimestamp(value: unknown, strict: boolean, errors: string[]): number | null {
  const raw = readString(value, 'payload.timestamp', errors);
  if (raw === undefined || isBlank(raw)) return null;
  const ms = parseIsoTimestamp(raw);
  if (ms === null && strict) errors.push("'payload.timestamp' is not a valid ISO 8601 timestamp");
  return ms;
}

function readDetails(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  return isRecord(value) ? value : { details: value };
}

function readLinks(value: unknown, strict: boolean, errors: string[]): AlertLink[] {
  const links: AlertLink[] = [];
  for (const [i, entry] of readArray(value, 'links', errors)) {
    const path = `links[${i}]`;
    const href = readRequired(entry.href, `${path}.href`, strict, errors);
    const text = readString(entry.text, `${path}.text`, errors);
    if (href !== null && isHttpUrl(href, false)) links.push(text === undefined ? { href } : { href, text });
  }
  return links;
}

function readImages(value: unknown, strict: boolean, errors: string[]): AlertImage[] {
  const images: AlertImage[] = [];
  for (const [i, entry] of readArray(value, 'images', errors)) {
    const path = `images[${i}]`;
    const src = readRequired(entry.src, `${path}.src`, strict, errors);
    const href = readString(entry.href, `${path}.href`, errors);
    const alt = readString(entry.alt, `${path}.alt`, errors);
    if (src === null) continue;
    if (!isHttpUrl(src, true)) {
      if (strict) errors.push(`'${path}.src' must be an https URL`);
      continue;
    }
    const image: AlertImage = { src };
    if (href !== undefined && isHttpUrl(href, false)) image.href = href;
    if (alt !== undefined) image.alt = alt;
    images.push(image);
  }
  return images;
}

/** `client`/`client_url` name the monitoring tool; we keep them as a link back to it. */
function readClientLink(client: unknown, clientUrl: unknown, errors: string[]): AlertLink | undefined {
  const text = readString(client, 'client', errors);
  const href = readString(clientUrl, 'client_url', errors);
  if (href === undefined || !isHttpUrl(href, false)) return undefined;
  return text === undefined || isBlank(text) ? { href } : { href, text };
}

/** Yields [index, entry] for each object entry; non-array and non-object entries are type errors. */
function readArray(value: unknown, path: string, errors: string[]): Array<[number, Record<string, unknown>]> {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.push(`'${path}' must be an array`);
    return [];
  }
  const entries: Array<[number, Record<string, unknown>]> = [];
  value.forEach((entry: unknown, i) => {
    if (isRecord(entry)) entries.push([i, entry]);
    else errors.push(`'${path}[${i}]' must be an object`);
  });
  return entries;
}

/** A string that must be present and non-blank when `strict`; null when absent or blank. */
function readRequired(value: unknown, path: string, strict: boolean, errors: string[]): string | null {
  const s = readString(value, path, errors);
  if (s !== undefined && !isBlank(s)) return s;
  // A value of the wrong type already has a type error; only absent or blank values are "missing".
  if (strict && (s !== undefined || value === undefined || value === null)) {
    errors.push(`'${path}' is missing or blank`);
  }
  return null;
}

/** undefined for absent or JSON null; records a type error for anything but a string. */
function readString(value: unknown, path: string, errors: string[]): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  errors.push(`'${path}' must be a string`);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Value helpers shared with the Alertmanager and generic webhook adapters.

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isBlank(s: string): boolean {
  return s.trim() === '';
}

/**
 * Length in Unicode code points. PagerDuty's limits are in characters and Alertmanager truncates to
 * 1024 runes, so counting UTF-16 units would reject an Alertmanager summary full of emoji.
 */
export function charLength(s: string): number {
  if (!/[\uD800-\uDFFF]/.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Cuts to `max` code points without splitting a surrogate pair. */
export function truncateChars(s: string, max: number): string {
  if (s.length <= max) return s;
  return Array.from(s).slice(0, max).join('');
}

/** Links are rendered in the UI and in notifications, so only web URLs are allowed through. */
export function isHttpUrl(s: string, httpsOnly: boolean): boolean {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return false;
  }
  return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:');
}

const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

/**
 * ISO 8601 / RFC 3339 date-times to ms since the epoch, or null. Accepts PagerDuty's documented
 * `+0000` offset form, Go's nanosecond precision (truncated to ms) and a space for `T`. A time with
 * no offset is taken as UTC: senders that omit it (Python's `utcnow().isoformat()`) mean UTC far
 * more often than the server's zone. `Date.parse` is not used because it accepts non-ISO text.
 */
export function parseIsoTimestamp(raw: string): number | null {
  const m = ISO_8601.exec(raw.trim());
  if (!m) return null;
  const num = (i: number): number => Number(m[i] ?? '0');
  const [year, month, day, hour, minute, second] = [num(1), num(2), num(3), num(4), num(5), num(6)];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offsetMinutes = m[9] === undefined ? 0 : (m[9] === '-' ? -1 : 1) * (num(10) * 60 + num(11));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  // Second 60 is a leap second (RFC 3339 allows it); Date rolls it into the next minute.
  if (hour > 23 || minute > 59 || second > 60 || num(10) > 23 || num(11) > 59) return null;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 onto 1900–1999 (Go's zero time is year 1).
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  return date.getTime() - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
