import type { App } from '../../app.js';
import { AppError } from '../../domain/errors.js';
import { slackStatus } from '../../notify/slack/slack.js';
import type { ApiRouter } from '../router.js';

/**
 * Slack: the interactivity endpoint the Slack app posts button presses to (signed by Slack, no
 * token), and the connection status for the API, the CLI and the Integrations page.
 */
export function slackRoutes(app: App, r: ApiRouter): void {
  const { ctx, http } = app;

  http.post('/integrations/slack/interactions', async (req, reply) => {
    const slack = app.slack;
    if (!slack) throw new AppError('unavailable', 'Slack is not connected on this server: set WATCHKEEPER_SLACK_BOT_TOKEN and WATCHKEEPER_SLACK_SIGNING_SECRET and restart');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      throw AppError.invalid('body', 'send the form Slack sends (Content-Type: application/x-www-form-urlencoded)');
    }
    const verified = slack.verify(req.headers, req.rawBody ?? '');
    if (!verified.ok) {
      ctx.log.warn({ component: 'slack', ip: req.ip, reason: verified.reason }, 'Slack interaction refused');
      throw new AppError('unauthorized', `Slack signature check failed: ${verified.reason}`);
    }
    // A captured press replayed within the 5 minutes would act again (escalate twice): each
    // signature is accepted once. The retention module forgets them after the window.
    const fresh = await ctx.store.db
      .insertInto('webhook_replays')
      .values({ signature: `slack:${String(req.headers['x-slack-signature'])}`, seen_at: ctx.clock.now() })
      .onConflict((oc) => oc.column('signature').doNothing())
      .returning('signature')
      .executeTakeFirst();
    if (!fresh) throw new AppError('unauthorized', 'this Slack request was already received (replayed request)');
    const outcome = await slack.interact((req.body as Record<string, string> | undefined)?.payload);
    ctx.log.info({ component: 'slack', alertId: outcome.alertId, result: outcome.result }, 'Slack button');
    // Slack only needs a 200 within 3 s; replies go through the callback's response_url.
    return reply.status(200).send('');
  });

  r.add({
    method: 'GET',
    url: '/api/v1/integrations/slack',
    summary: 'Slack connection: bot and workspace (auth.test), people linked to Slack members, message outbox, channel routing per service',
    tag: 'integrations',
    role: 'viewer',
    handler: async () => slackStatus(ctx, app.slack),
  });
}
