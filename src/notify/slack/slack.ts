import type { WebClient } from '@slack/web-api';
import { isHttpUrl } from '../../config/contact-address.js';
import type { Ctx } from '../../commands/context.js';
import type { FieldProblem } from '../../domain/errors.js';
import type { EngineModule } from '../../engine/engine.js';
import { classifySlackError, DEFAULT_SLACK_API_URL, slackClient, type SlackOptions } from './slack-api.js';
import { handleInteraction, verifySlackSignature, type InteractionOutcome, type Verification } from './slack-interactions.js';
import { recordDirectMessage, SlackPoster } from './slack-posts.js';
import { SlackSender } from './slack.sender.js';
import { mappedUserCounts } from './slack-users.js';

export type { SlackOptions } from './slack-api.js';

/**
 * Slack for one process: the Web API client, the sender for direct-message pages and notices,
 * the outbox of channel posts (an engine module of the notify role) and the button callbacks.
 * Exists only when a bot token is configured.
 */
export class SlackIntegration {
  readonly client: WebClient;
  readonly sender: SlackSender;
  readonly poster: SlackPoster;
  readonly module: EngineModule;

  constructor(
    private readonly ctx: Ctx,
    readonly opts: SlackOptions,
  ) {
    this.client = slackClient(opts, ctx.log.child({ component: 'slack' }));
    this.sender = new SlackSender(this.client, {
      onDirectMessage: (m) => recordDirectMessage(ctx, m),
      onError: (err) => ctx.log.warn({ component: 'slack', err }, 'recording a Slack direct message failed; it will not be updated in place'),
    });
    this.poster = new SlackPoster(ctx, this.client);
    this.module = { name: 'slack-posts', run: () => this.poster.run() };
  }

  get apiUrl(): string {
    return this.opts.apiUrl ?? DEFAULT_SLACK_API_URL;
  }

  verify(headers: Record<string, string | string[] | undefined>, rawBody: string): Verification {
    if (!this.opts.signingSecret) return { ok: false, reason: 'WATCHKEEPER_SLACK_SIGNING_SECRET is not set, so button presses cannot be verified' };
    return verifySlackSignature(this.opts.signingSecret, headers, rawBody, this.ctx.clock.now());
  }

  interact(payload: string | undefined): Promise<InteractionOutcome> {
    return handleInteraction(this.ctx, this.client, payload);
  }

  /** Who the bot is (auth.test), or why Slack would not say. */
  async identity(): Promise<{ ok: true; team: string; teamId: string; botUser: string; botUserId: string; url: string } | { ok: false; error: string }> {
    try {
      const r = await this.client.auth.test();
      return { ok: true, team: r.team ?? '', teamId: r.team_id ?? '', botUser: r.user ?? '', botUserId: r.user_id ?? '', url: r.url ?? '' };
    } catch (err) {
      return { ok: false, error: classifySlackError(err, 'auth.test').error };
    }
  }
}

/** The status shown by GET /api/v1/integrations/slack, `watchkeeper slack status` and the UI. */
export interface SlackStatus {
  connected: boolean;
  /** What to do next, in operators' words. */
  message: string;
  api_url: string | null;
  interactions: { enabled: boolean; url: string };
  bot: { team: string; team_id: string; user: string; user_id: string; url: string } | null;
  error: string | null;
  users: { total: number; mapped: number; by_contact_method: number; by_email: number };
  posts: { pending: number; failed: number; done: number; last_error: string | null };
  routing: { service: string; channels: Record<string, string>; security_channel: string | null }[];
}

export async function slackStatus(ctx: Ctx, slack: SlackIntegration | null): Promise<SlackStatus> {
  const org = await ctx.org.get(ctx.store.db);
  const routing = [...org.slackRouting.entries()]
    .map(([serviceId, r]) => ({ service: org.services.get(serviceId)?.name ?? serviceId, channels: r.channels, security_channel: r.securityChannel }))
    .sort((a, b) => a.service.localeCompare(b.service));
  const counts = await mappedUserCounts(ctx);
  const users = { total: counts.total, mapped: counts.mapped, by_contact_method: counts.byContactMethod, by_email: counts.byEmail };
  const interactions = { enabled: Boolean(slack?.opts.signingSecret), url: `${ctx.publicUrl.replace(/\/$/, '')}/integrations/slack/interactions` };
  const byStatus = await ctx.store.db.selectFrom('slack_posts').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const n = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
  const lastError = await ctx.store.db.selectFrom('slack_posts').select('last_error').where('last_error', 'is not', null).where('status', 'in', ['failed', 'pending']).orderBy('updated_at', 'desc').limit(1).executeTakeFirst();
  const posts = { pending: n('pending') + n('sending'), failed: n('failed'), done: n('done'), last_error: lastError?.last_error ?? null };
  if (!slack) {
    return {
      connected: false,
      message: 'Slack is not connected: set WATCHKEEPER_SLACK_BOT_TOKEN (and WATCHKEEPER_SLACK_SIGNING_SECRET for buttons) and restart Watchkeeper.',
      api_url: null,
      interactions: { ...interactions, enabled: false },
      bot: null,
      error: null,
      users,
      posts,
      routing,
    };
  }
  const id = await slack.identity();
  const base = { api_url: slack.apiUrl, interactions, users, posts, routing };
  if (!id.ok) return { connected: false, message: `Slack is configured but does not accept the bot token: ${id.error}`, bot: null, error: id.error, ...base };
  const message = interactions.enabled
    ? `Connected to ${id.team} as @${id.botUser}. Buttons: set the app's Interactivity Request URL to ${interactions.url}.`
    : `Connected to ${id.team} as @${id.botUser}. Buttons are off: set WATCHKEEPER_SLACK_SIGNING_SECRET and restart.`;
  return { connected: true, message, bot: { team: id.team, team_id: id.teamId, user: id.botUser, user_id: id.botUserId, url: id.url }, error: null, ...base };
}

/**
 * Reads WATCHKEEPER_SLACK_BOT_TOKEN, WATCHKEEPER_SLACK_SIGNING_SECRET and WATCHKEEPER_SLACK_API_URL.
 * No token: Slack stays off (null). Problems name the variable and never echo a secret.
 */
export function readSlackEnv(env: NodeJS.ProcessEnv): { slack: SlackOptions | null; problems: FieldProblem[] } {
  const read = (name: string) => env[name]?.trim() || null;
  const token = read('WATCHKEEPER_SLACK_BOT_TOKEN');
  const secret = read('WATCHKEEPER_SLACK_SIGNING_SECRET');
  const apiUrl = read('WATCHKEEPER_SLACK_API_URL');
  const problems: FieldProblem[] = [];
  if (token && !/^xox[bp]-/.test(token)) problems.push({ field: 'WATCHKEEPER_SLACK_BOT_TOKEN', message: "must be the app's Bot User OAuth Token, starting xoxb- (api.slack.com/apps → OAuth & Permissions)" });
  if (!token && secret) problems.push({ field: 'WATCHKEEPER_SLACK_BOT_TOKEN', message: 'is not set but WATCHKEEPER_SLACK_SIGNING_SECRET is; set the bot token too, or unset both' });
  if (apiUrl && !isHttpUrl(apiUrl)) {
    problems.push({ field: 'WATCHKEEPER_SLACK_API_URL', message: `must be an http:// or https:// URL such as ${DEFAULT_SLACK_API_URL} (got "${apiUrl}")` });
  }
  if (!token || problems.length) return { slack: null, problems };
  return { slack: { botToken: token, signingSecret: secret, apiUrl: apiUrl ?? DEFAULT_SLACK_API_URL }, problems };
}
