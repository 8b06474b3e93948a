import { describe, expect, it } from 'vitest';
import { parseOrgYaml, validateOrg } from './org.js';

const file = (slack: string, severities = '') => `
${severities}
users:
  - name: alice
    email: alice@example.com
escalation_policies:
  - name: p
    levels:
      - targets: [{ user: alice }]
services:
  - name: Payments API
    escalation_policy: p
${slack
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;

const problems = (yaml: string) => {
  try {
    parseOrgYaml(yaml);
    return [];
  } catch (err) {
    return (err as { problems: { field: string; message: string }[] }).problems;
  }
};

describe('services[].slack in the organisation file', () => {
  it('resolves severity keys through the scale (names and aliases) and keeps them in scale order', () => {
    const config = parseOrgYaml(file('slack:\n  channels: { info: "#monitoring", warning: "#alerts", p1: "#incidents", high: C024BE91L }\n  security_channel: "#security"'));
    expect(config.services[0]?.slack).toEqual({ channels: { critical: '#incidents', high: 'C024BE91L', medium: '#alerts', info: '#monitoring' }, securityChannel: '#security' });
  });

  it('is optional', () => {
    expect(parseOrgYaml(file('')).services[0]?.slack).toBeUndefined();
  });

  it('names the field of an unknown severity, of two keys for one severity, and of a bad channel', () => {
    expect(problems(file('slack:\n  channels: { sev9: "#x", p1: "#incidents", critical: "#other", warning: "incidents", info: "#Big" }'))).toEqual([
      { field: 'services[0].slack.channels.warning', message: 'must be a channel name such as "#incidents" (lowercase) or a channel ID such as C024BE91L' },
      { field: 'services[0].slack.channels.info', message: 'must be a channel name such as "#incidents" (lowercase) or a channel ID such as C024BE91L' },
    ]);
    expect(problems(file('slack:\n  channels: { sev9: "#x", p1: "#incidents", critical: "#other" }'))).toEqual([
      { field: 'services[0].slack.channels.sev9', message: 'unknown severity "sev9"; use one of critical, high, medium, low, info or an alias' },
      { field: 'services[0].slack.channels.critical', message: '"critical" and "p1" are the same severity (critical); list it once' },
    ]);
  });

  it('checks keys against the organisation\'s own scale', () => {
    const scale = 'severities:\n  levels:\n    - name: page\n      aliases: [p1]\n      urgency: high\n    - name: ticket\n      urgency: low\n';
    expect(parseOrgYaml(file('slack:\n  channels: { p1: "#incidents", ticket: "#tickets" }', scale)).services[0]?.slack?.channels).toEqual({ page: '#incidents', ticket: '#tickets' });
    expect(problems(file('slack:\n  channels: { critical: "#incidents" }', scale))).toEqual([
      { field: 'services[0].slack.channels.critical', message: 'unknown severity "critical"; use one of page, ticket or an alias' },
    ]);
  });

  it('explains an unquoted #channel, which YAML reads as a comment', () => {
    expect(problems(file('slack:\n  security_channel: #security'))).toEqual([
      { field: 'services[0].slack.security_channel', message: 'is empty: put the channel in quotes ("#incidents"); unquoted, # starts a YAML comment' },
    ]);
  });

  it('refuses an empty section and unknown fields', () => {
    expect(problems(file('slack:\n  channels: {}'))).toEqual([{ field: 'services[0].slack', message: 'give channels (severity -> channel), security_channel, or both; or leave slack out' }]);
    expect(problems(file('slack:\n  channel: "#x"'))).toContainEqual({ field: 'services[0].slack.channel', message: 'unknown field' });
  });

  it('is valid JSON-schema input too (API and export use the same validation)', () => {
    const v = validateOrg({
      users: [{ name: 'alice', email: 'alice@example.com' }],
      escalation_policies: [{ name: 'p', levels: [{ targets: [{ user: 'alice' }] }] }],
      services: [{ name: 'S', escalation_policy: 'p', slack: { channels: { critical: '#incidents' } } }],
    });
    expect(v.ok && v.config.services[0]?.slack).toEqual({ channels: { critical: '#incidents' }, securityChannel: null });
  });
});
