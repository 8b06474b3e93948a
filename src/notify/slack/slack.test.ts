import { describe, expect, it } from 'vitest';
import { readSlackEnv } from './slack.js';

describe('readSlackEnv', () => {
  it('leaves Slack off without a bot token', () => {
    expect(readSlackEnv({})).toEqual({ slack: null, problems: [] });
    expect(readSlackEnv({ WATCHKEEPER_SLACK_BOT_TOKEN: '  ' })).toEqual({ slack: null, problems: [] });
  });

  it('reads the token, the signing secret and the API URL (default https://slack.com/api/)', () => {
    expect(readSlackEnv({ WATCHKEEPER_SLACK_BOT_TOKEN: 'xoxb-1-2-abc', WATCHKEEPER_SLACK_SIGNING_SECRET: 's3cret' })).toEqual({
      slack: { botToken: 'xoxb-1-2-abc', signingSecret: 's3cret', apiUrl: 'https://slack.com/api/' },
      problems: [],
    });
    expect(readSlackEnv({ WATCHKEEPER_SLACK_BOT_TOKEN: 'xoxb-1', WATCHKEEPER_SLACK_API_URL: 'http://127.0.0.1:9000/api/' }).slack).toEqual({ botToken: 'xoxb-1', signingSecret: null, apiUrl: 'http://127.0.0.1:9000/api/' });
  });

  it('lists every problem, naming the variable and never echoing a secret', () => {
    const r = readSlackEnv({ WATCHKEEPER_SLACK_BOT_TOKEN: 'not-a-bot-token', WATCHKEEPER_SLACK_API_URL: 'slack.com/api' });
    expect(r.slack).toBeNull();
    expect(r.problems.map((p) => p.field)).toEqual(['WATCHKEEPER_SLACK_BOT_TOKEN', 'WATCHKEEPER_SLACK_API_URL']);
    expect(JSON.stringify(r.problems)).not.toContain('not-a-bot-token');
    expect(readSlackEnv({ WATCHKEEPER_SLACK_SIGNING_SECRET: 'x' }).problems).toEqual([
      { field: 'WATCHKEEPER_SLACK_BOT_TOKEN', message: 'is not set but WATCHKEEPER_SLACK_SIGNING_SECRET is; set the bot token too, or unset both' },
    ]);
  });
});
