import { ErrorCode, LogLevel, WebClient, type Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from 'pino';
import { errorMessage } from '../sender.js';

/**
 * The Slack Web API through Slack's own client, with its retries turned off: the outboxes own
 * retry and backoff (a retry inside the client would hold a delivery slot for up to 30 minutes and
 * sleep through rate limits without recording anything).
 */
export interface SlackOptions {
  /** Bot User OAuth Token (xoxb-…). */
  botToken: string;
  /** Signs interaction callbacks; null = buttons cannot be verified, so they are refused. */
  signingSecret: string | null;
  /** Default https://slack.com/api/ */
  apiUrl?: string;
  /** Per-call timeout; default 10 s. */
  timeoutMs?: number;
}

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

export function slackClient(opts: SlackOptions, log: Logger): WebClient {
  return new WebClient(opts.botToken, {
    slackApiUrl: opts.apiUrl ?? DEFAULT_SLACK_API_URL,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: opts.timeoutMs ?? 10_000,
    logger: pinoAdapter(log),
    // Relative method names only: a method name can never send the token to another host.
    allowAbsoluteUrls: false,
  });
}

/** Slack's client logs through this; its debug lines carry request bodies, so only warn and above pass. */
function pinoAdapter(log: Logger): SlackLogger {
  let level = LogLevel.WARN;
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...msg: unknown[]) => {
      if (level !== LogLevel.ERROR) log.debug({ component: 'slack' }, msg.map(String).join(' '));
    },
    error: (...msg: unknown[]) => log.warn({ component: 'slack' }, msg.map(String).join(' ')),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

/** The outcome of a failed call in operators' words. */
export interface SlackFailure {
  retryable: boolean;
  /** Slack's error code ("channel_not_found"), or a transport description. */
  code: string;
  error: string;
  retryAfterMs?: number;
}

const AUTH_ERRORS = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'no_permission', 'org_login_required', 'ekm_access_denied']);
const TRANSIENT_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

/**
 * Maps an error thrown by the client to retryable or permanent, with what to fix. `target` names
 * where the message was going ("#incidents", "Slack member U024BE7LH").
 */
export function classifySlackError(err: unknown, target: string): SlackFailure {
  const e = err as { code?: unknown; data?: { error?: unknown; needed?: unknown }; retryAfter?: unknown; statusCode?: unknown; original?: unknown };
  if (e?.code === ErrorCode.RateLimitedError) {
    const secs = typeof e.retryAfter === 'number' ? e.retryAfter : 30;
    return { retryable: true, code: 'ratelimited', error: `Slack rate limit reached; retrying after ${secs} s`, retryAfterMs: secs * 1000 };
  }
  if (e?.code === ErrorCode.PlatformError) {
    const code = String(e.data?.error ?? 'unknown_error');
    return { retryable: TRANSIENT_ERRORS.has(code), code, error: platformMessage(code, target, e.data?.needed) };
  }
  if (e?.code === ErrorCode.HTTPError) {
    const status = Number(e.statusCode);
    return { retryable: status >= 500 || status === 408, code: `http_${status}`, error: `Slack answered HTTP ${status}` };
  }
  if (e?.code === ErrorCode.RequestError) {
    return { retryable: true, code: 'request_error', error: `Slack did not answer: ${errorMessage(e.original ?? err)}` };
  }
  return { retryable: true, code: 'unknown', error: `Slack call failed: ${errorMessage(err)}` };
}

function platformMessage(code: string, target: string, needed: unknown): string {
  if (AUTH_ERRORS.has(code)) {
    return `Slack rejected the bot token (${code}): set WATCHKEEPER_SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-…) from api.slack.com/apps → OAuth & Permissions, then restart`;
  }
  switch (code) {
    case 'missing_scope':
      return `the Slack app lacks a permission (missing_scope${typeof needed === 'string' ? `: ${needed}` : ''}): add it under OAuth & Permissions → Bot Token Scopes, reinstall the app, then restart`;
    case 'channel_not_found':
      return `Slack channel ${target} not found (channel_not_found): check the name in the service's slack routing, and for a private channel invite the app (/invite @Watchkeeper)`;
    case 'not_in_channel':
      return `the Slack app is not in ${target} (not_in_channel): invite it there with /invite @Watchkeeper`;
    case 'is_archived':
      return `Slack channel ${target} is archived (is_archived): unarchive it or route the service to another channel`;
    case 'user_not_found':
    case 'users_not_found':
      return `no Slack member ${target} (${code}): fix the member ID in the contact method (Slack profile → ⋯ → Copy member ID)`;
    case 'cannot_dm_bot':
      return `${target} is a bot (cannot_dm_bot): use a person's member ID in the contact method`;
    case 'user_disabled':
    case 'account_inactive':
      return `Slack member ${target} is deactivated (${code}): remove or replace the contact method`;
    case 'message_not_found':
    case 'cant_update_message':
      return `the Slack message in ${target} can no longer be updated (${code})`;
    case 'msg_too_long':
    case 'invalid_blocks':
    case 'invalid_arguments':
      return `Slack refused the message (${code})`;
    default:
      return TRANSIENT_ERRORS.has(code) ? `Slack is having trouble (${code}); retrying` : `Slack refused the call (${code})`;
  }
}
