/**
 * One interface for every way of reaching a person (email, webhook, log today; Slack, SMS, voice,
 * Teams later). The delivery worker builds a PageMessage from a row of the pages outbox, looks the
 * sender up by channel and records the SendResult; retry policy lives in the worker, so a sender
 * only has to say whether trying again could help.
 */

/** 'page' notifies about an alert; 'test' is a page a user asked for to check a contact method. */
export type PageKind = 'page' | 'test';

export interface PageMessage {
  pageId: number;
  /** 'page' for an alert notification; 'test' for a test page. Later: 'status', 'verification'. */
  kind: PageKind;
  /** 'email' | 'webhook' | 'log' … */
  channel: string;
  /** Email address, URL… whatever the channel addresses. */
  destination: string;
  /** Name of the environment variable holding a signing secret (webhooks), never the secret. */
  secretEnv: string | null;
  user: { id: string; name: string; email: string };
  alert: {
    id: number;
    summary: string;
    severity: string;
    status: string;
    serviceName: string;
    serviceId: string;
    source: string | null;
    details: Record<string, unknown> | null;
    links: { href: string; text?: string }[];
    count: number;
    /** Milliseconds since the Unix epoch. */
    createdAt: number;
    dedupKey: string;
    /** Web link to the alert. */
    url: string;
    /** The service's runbook for this alert (by alert name, else its "*" one), or null. */
    runbook?: { url: string | null; steps: string | null } | null;
  };
  /** Escalation level index (0-based); show as "level 1" to humans. */
  level: number;
  /** 0 on the first pass through the policy, n on its n-th repeat. */
  cycle: number;
  /** One-click links; null where the page cannot offer the action (e.g. no public URL). */
  actions: { acknowledgeUrl: string | null; resolveUrl: string | null };
  /**
   * Set when a noise limit held several pages for this contact method and they go out as one
   * message: `alert` is then the first of them and `actions` are null (one link would act on one
   * alert only); senders show the headline and the first few alerts (bundleHeadline, bundleLines).
   */
  bundle?: PageBundle | null;
  /** Set when the alert leads an alert group: the page is for the whole group (src/notify/group-line.ts). */
  group?: PageGroup | null;
}

/** The open alerts of the group a page's alert leads, the leader first. */
export interface PageGroup {
  /** "3 alerts in group HighErrorRate / service=backend". */
  text: string;
  count: number;
  alerts: { id: number; summary: string; severity: string; url: string }[];
}

/** The alerts one bundled message carries: every one of them, most urgent and oldest first. */
export interface PageBundle {
  /** How many alerts the message carries, the first one included. */
  count: number;
  alerts: { id: number; summary: string; severity: string; serviceId: string; serviceName: string; url: string }[];
  /** The web UI's list of open alerts. */
  url: string;
}

/**
 * What a notice is about. 'verification' carries a code that confirms a new contact method;
 * 'test' is a test page a person asked for; 'incident_role' and 'incident_update_due' come from
 * incidents (src/commands/incidents.ts), 'incident_sla_breach' from SLA breaches
 * (src/engine/modules/incident-sla.ts), 'incident_war_room', 'incident_stakeholder' and
 * 'stakeholder_update_due' from war rooms and stakeholder rules (src/commands/war-room.ts),
 * 'postmortem_required', 'postmortem_due' and 'action_item_due' from post-mortems
 * (src/commands/postmortem-hooks.ts, src/engine/modules/postmortems.ts); the rest
 * come from schedules and handoffs.
 */
export type NoticeKind = 'verification' | 'test' | 'review' | 'postmortem_required' | 'postmortem_due' | 'action_item_due' | 'handoff_reminder' | 'handoff_note' | 'oncall_soon' | 'shift_started' | 'schedule_change' | 'swap_request' | 'incident_role' | 'incident_update_due' | 'incident_sla_breach' | 'incident_war_room' | 'incident_stakeholder' | 'stakeholder_update_due' | 'status_page';

/**
 * A message to one person through one contact method that is not a page for an alert: it has no
 * acknowledgement and never escalates. Built by the notice outbox (src/notify/notices.ts).
 */
export interface NoticeMessage {
  noticeId: number;
  kind: NoticeKind;
  channel: string;
  destination: string;
  secretEnv: string | null;
  user: { id: string; name: string; email: string };
  /** One line, e.g. "Handoff: you are on call for Mahavishnu primary from Mon 00:00 UTC". */
  subject: string;
  /** The whole message as plain text (email body, Slack message, webhook field). */
  text: string;
  /** At most 160 characters, for SMS and voice. */
  short: string;
  /** Where to read or act on it in the web UI, or null. */
  url: string | null;
  /** Structured fields for machine receivers (webhook payloads), per kind. */
  data: Record<string, unknown>;
  /** Email only: extra headers (List-Unsubscribe for status page subscribers). */
  headers?: Record<string, string>;
  /** Email only: the Message-ID, when the message is not a row of the notices table. */
  messageId?: string;
}

export type SendResult =
  | {
      ok: true;
      providerId: string | null;
      detail?: string;
      /** The provider will report delivery for providerId later (see src/notify/receipts.ts): store it. */
      receipt?: boolean;
    }
  | {
      ok: false;
      /** True when the same message may get through later (outage, timeout, rate limit). */
      retryable: boolean;
      error: string;
      /** When the provider said how long to wait (HTTP Retry-After); the worker may wait longer. */
      retryAfterMs?: number;
    };

/**
 * A channel. `send` resolves for every outcome, including failures, so the worker never has to
 * tell a provider error from a bug by catching; a rejection is treated as a bug (see
 * SenderRegistry.send).
 */
/** What a channel can do beyond carrying a page; shown in the UI and checked before use. */
export interface ChannelSupport {
  /** Carries notices (verification codes, test pages, handoff notes): implements notify(). */
  notices: boolean;
  /** A new address must be confirmed with a code sent through the channel before it is paged. */
  verification: boolean;
  /** Can be an escalation-level target of its own (a Teams channel, a webhook), not only a person's method. */
  policyTarget: boolean;
  /** The person can act by replying (SMS reply codes, Slack buttons, keypresses on a call). */
  replies: boolean;
  /** Messages already sent are updated when the alert changes (Slack messages edited in place). */
  statusUpdates: boolean;
}

export interface Sender {
  readonly channel: string;
  /** Left out: carries pages only (no notices, no verification, no replies). */
  readonly supports?: Partial<ChannelSupport>;
  send(msg: PageMessage): Promise<SendResult>;
  /**
   * Delivers a notice (not about one alert: a verification code, a test page, a handoff note, a
   * shift reminder). A channel without it cannot carry notices; the notice goes to the person's
   * other methods.
   */
  notify?(msg: NoticeMessage): Promise<SendResult>;
  /** Releases pooled connections; called once at shutdown. */
  close?(): Promise<void>;
}

export function sent(providerId: string | null, detail?: string): SendResult {
  return detail === undefined ? { ok: true, providerId } : { ok: true, providerId, detail };
}

export function failed(retryable: boolean, error: string, retryAfterMs?: number): SendResult {
  return retryAfterMs === undefined ? { ok: false, retryable, error } : { ok: false, retryable, error, retryAfterMs };
}

export class SenderRegistry {
  private readonly senders = new Map<string, Sender>();

  /** Two senders for one channel is a wiring mistake, so it fails loudly instead of replacing. */
  register(sender: Sender): void {
    if (this.senders.has(sender.channel)) {
      throw new Error(`a sender for channel "${sender.channel}" is already registered`);
    }
    this.senders.set(sender.channel, sender);
  }

  get(channel: string): Sender | undefined {
    return this.senders.get(channel);
  }

  channels(): string[] {
    return [...this.senders.keys()];
  }

  /** What a registered channel supports; null when no sender is registered for it. */
  supports(channel: string): ChannelSupport | null {
    const sender = this.senders.get(channel);
    if (!sender) return null;
    const s = sender.supports ?? {};
    return { notices: s.notices ?? sender.notify !== undefined, verification: s.verification ?? false, policyTarget: s.policyTarget ?? false, replies: s.replies ?? false, statusUpdates: s.statusUpdates ?? false };
  }

  /**
   * Sends through the message's channel. A channel nobody registered cannot start working by
   * retrying, so that is a permanent failure; a sender that throws broke its contract, which is
   * most likely a transient bug or outage, so that is retryable and the worker's attempt limit
   * bounds it.
   */
  async send(msg: PageMessage): Promise<SendResult> {
    const sender = this.senders.get(msg.channel);
    if (!sender) return failed(false, `no sender is registered for channel "${msg.channel}"`);
    try {
      return await sender.send(msg);
    } catch (err) {
      return failed(true, `${msg.channel} sender threw: ${errorMessage(err)}`);
    }
  }

  /** Sends a notice through its channel; a channel that carries no notices is a permanent failure. */
  async notify(msg: NoticeMessage): Promise<SendResult> {
    const sender = this.senders.get(msg.channel);
    if (!sender) return failed(false, `no sender is registered for channel "${msg.channel}"`);
    if (!sender.notify) return failed(false, `channel "${msg.channel}" cannot carry notices`);
    try {
      return await sender.notify(msg);
    } catch (err) {
      return failed(true, `${msg.channel} sender threw: ${errorMessage(err)}`);
    }
  }

  /** Closes every sender even when one fails, then reports all failures together. */
  async closeAll(): Promise<void> {
    const results = await Promise.allSettled([...this.senders.values()].map((s) => s.close?.()));
    const errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    if (errors.length > 0) throw new AggregateError(errors, `${errors.length} sender(s) failed to close`);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------------------------------------
// Rendering shared by the channels

export interface RenderedPage {
  subject: string;
  text: string;
}

export interface DetailRow {
  key: string;
  value: string;
}

const MAX_SUMMARY_IN_SUBJECT = 200;
const MAX_DETAIL_ROWS = 30;
const MAX_DETAIL_VALUE = 500;

/** How many alerts of a bundle are listed by name; the rest are counted. */
export const BUNDLE_LISTED = 10;

/** "5 new alerts on Clipper Critical" or "5 new alerts on 3 services". */
export function bundleHeadline(bundle: PageBundle): string {
  const services = new Set(bundle.alerts.map((a) => a.serviceName));
  const where = services.size === 1 ? singleLine([...services][0] ?? '') : `${services.size} services`;
  return `${bundle.count} new alerts on ${where}`;
}

/** "#42 [critical] Clipper Critical: Disk full" for the first few alerts, then "… and 12 more". */
export function bundleLines(bundle: PageBundle, listed = BUNDLE_LISTED): string[] {
  const lines = bundle.alerts.slice(0, listed).map((a) => `#${a.id} [${a.severity}] ${singleLine(a.serviceName)}: ${truncate(singleLine(a.summary), MAX_SUMMARY_IN_SUBJECT)}`);
  if (bundle.count > listed) lines.push(`… and ${bundle.count - Math.min(listed, bundle.alerts.length)} more`);
  return lines;
}

/**
 * "[CRITICAL] Checkout API: Error rate above 5% (#42)", with "[TEST] " in front of test pages; for a
 * bundle "[CRITICAL] 5 new alerts on Clipper Critical: Disk full; CPU high; …".
 */
export function renderSubject(msg: PageMessage): string {
  if (msg.bundle) {
    const summaries = msg.bundle.alerts.slice(0, 3).map((a) => singleLine(a.summary));
    const more = msg.bundle.count > summaries.length ? '; …' : '';
    return truncate(`[${msg.alert.severity.toUpperCase()}] ${bundleHeadline(msg.bundle)}: ${summaries.join('; ')}${more}`, MAX_SUMMARY_IN_SUBJECT);
  }
  const summary = truncate(singleLine(msg.alert.summary), MAX_SUMMARY_IN_SUBJECT);
  // A page for an alert group says so first: "3 alerts in group HighErrorRate / service=backend".
  const where = msg.group && msg.group.count > 1 ? singleLine(msg.group.text) : singleLine(msg.alert.serviceName);
  const subject = `[${msg.alert.severity.toUpperCase()}] ${where}: ${summary} (#${msg.alert.id})`;
  return msg.kind === 'test' ? `[TEST] ${subject}` : subject;
}

/** Subject and plain-text body; the text is what a person reads on a phone lock screen or in a terminal. */
export function renderPageText(msg: PageMessage): RenderedPage {
  if (msg.bundle) return { subject: renderSubject(msg), text: renderBundleText(msg, msg.bundle) };
  const { alert } = msg;
  const sections: string[][] = [];
  if (msg.kind === 'test') {
    sections.push(['This is a test page from Watchkeeper. Nothing is wrong; no action is needed.']);
  }
  sections.push([
    alert.summary,
    '',
    `Service:   ${alert.serviceName}`,
    `Severity:  ${alert.severity}`,
    `Status:    ${alert.status}`,
    `Source:    ${alert.source ?? '(not given)'}`,
    `Fired:     ${firedText(alert.count)}, first at ${formatTimestamp(alert.createdAt)}`,
    `Escalation: ${escalationText(msg)}`,
    `Alert:     ${alert.url}`,
  ]);
  const actions = actionLines(msg);
  if (actions.length > 0) sections.push(actions);
  if (msg.group) sections.push(groupSection(msg.group));
  const rb = alert.runbook;
  if (rb && (rb.url || rb.steps)) sections.push(['Runbook:', ...(rb.url && isWebUrl(rb.url) ? [`  ${rb.url}`] : []), ...(rb.steps ? runbookSteps(rb.steps).map((l) => `  ${l}`) : [])]);
  const links = alert.links.filter((l) => isWebUrl(l.href)).map((l) => `  ${l.text ? `${l.text}: ` : ''}${l.href}`);
  if (links.length > 0) sections.push(['Links:', ...links]);
  const details = detailRows(alert.details);
  if (details.length > 0) sections.push(['Details:', ...details.map((d) => `  ${d.key}: ${d.value}`)]);
  sections.push([
    `You are receiving this because you are on call for ${alert.serviceName} (${escalationText(msg)}).`,
  ]);
  return { subject: renderSubject(msg), text: sections.map((s) => s.join('\n')).join('\n\n') + '\n' };
}

/** The first lines of a runbook's steps, enough to start on from a phone; the rest is on the alert page. */
export function runbookSteps(steps: string, max = 12): string[] {
  const lines = steps.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  return lines.length > max ? [...lines.slice(0, max), `… (${lines.length - max} more lines on the alert page)`] : lines;
}

function renderBundleText(msg: PageMessage, bundle: PageBundle): string {
  const sections = [
    [`${bundleHeadline(bundle)}:`, '', ...bundleLines(bundle).map((l) => `  ${l}`)],
    [`Open alerts: ${bundle.url}`, 'Open an alert to acknowledge or resolve it.'],
    [`One message for ${bundle.count} alerts: you were paged more often than the ${msg.channel} limit allows, so the pages that waited go out together.`],
  ];
  return sections.map((s) => s.join('\n')).join('\n\n') + '\n';
}

/** "Group: 3 alerts in group …" and the first few of them; acting on this alert acts on them all. */
function groupSection(group: PageGroup): string[] {
  const listed = group.alerts.slice(0, BUNDLE_LISTED).map((a) => `  #${a.id} [${a.severity}] ${truncate(singleLine(a.summary), MAX_SUMMARY_IN_SUBJECT)}`);
  const more = group.count > listed.length ? [`  … and ${group.count - listed.length} more`] : [];
  return [`Group:     ${group.text}`, ...listed, ...more, 'Acknowledging or resolving this alert does the same to the others in its group.'];
}

function actionLines(msg: PageMessage): string[] {
  const { acknowledgeUrl, resolveUrl } = msg.actions;
  const lines: string[] = [];
  if (acknowledgeUrl) {
    lines.push("To acknowledge (you are on it; escalation stops), open:", `  ${acknowledgeUrl}`);
  }
  if (resolveUrl) {
    lines.push('To resolve (the problem is fixed), open:', `  ${resolveUrl}`);
  }
  return lines;
}

export function firedText(count: number): string {
  return count === 1 ? '1 time' : `${count} times`;
}

/** Humans count levels from 1; repeats are only worth mentioning once the policy starts over. */
export function escalationText(msg: Pick<PageMessage, 'level' | 'cycle'>): string {
  const level = `level ${msg.level + 1}`;
  return msg.cycle > 0 ? `${level}, repeat ${msg.cycle}` : level;
}

/** UTC, because the recipient's zone is unknown here and UTC is unambiguous across a team. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return 'unknown time';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * Top-level details as display rows, bounded so that an alert carrying a huge payload cannot
 * produce a page too large for the channel.
 */
export function detailRows(details: Record<string, unknown> | null): DetailRow[] {
  if (!details) return [];
  const entries = Object.entries(details);
  const rows = entries.slice(0, MAX_DETAIL_ROWS).map(([key, value]) => ({
    key,
    value: truncate(detailValue(value), MAX_DETAIL_VALUE),
  }));
  if (entries.length > MAX_DETAIL_ROWS) {
    rows.push({ key: '…', value: `${entries.length - MAX_DETAIL_ROWS} more not shown` });
  }
  return rows;
}

function detailValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Alert links come from whoever sent the alert; only web links are shown so that a page can never
 * carry a javascript: or data: link into a mail client or chat app.
 */
export function isWebUrl(href: string): boolean {
  try {
    const { protocol } = new URL(href);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

export function singleLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
