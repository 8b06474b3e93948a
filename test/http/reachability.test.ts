import { afterEach, describe, expect, it } from 'vitest';
import { createToken } from '../../src/commands/tokens.js';
import { optOut } from '../../src/store/twilio.repo.js';
import { Harness, systemTestActor } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * GET /api/v1/reachability: everyone on call now (in a schedule, or named by an escalation
 * policy) who could not be paged by a high-urgency alert, with each reason and its fix. Alice is
 * fine; Bob has no rules; Carol has only Slack, which this server has not connected; Dave's work
 * email is paused and his own email is not verified; Frank has only SMS, which is not connected,
 * and then his number texts STOP; Erin has
 * no rules but is not on call.
 */
export const REACH_YAML = `
users:
  - name: alice
    email: alice@example.com
    contact_methods:
      - { name: work-email, type: email, address: alice@example.com }
  - name: bob
    email: bob@example.com
    notification_rules: []
  - name: carol
    email: carol@example.com
    contact_methods:
      - { name: slack, type: slack, address: U024BE7LH }
  - name: dave
    email: dave@example.com
    contact_methods:
      - { name: work-email, type: email, address: dave@example.com }
  - name: erin
    email: erin@example.com
    notification_rules: []
  - name: frank
    email: frank@example.com
    contact_methods:
      - { name: mobile, type: sms, address: "+44 20 7946 0958" }
schedules:
  - name: primary
    layers:
      - { name: always, participants: [alice], turn: 1 week, start: "2026-03-02T00:00" }
  - name: secondary
    layers:
      - { name: always, participants: [carol], turn: 1 week, start: "2026-03-02T00:00" }
escalation_policies:
  - name: default
    levels:
      - targets: [{ schedule: primary }]
        delay_minutes: 5
      - targets: [{ user: bob }, { schedule: secondary }]
        delay_minutes: 5
      - targets: [{ user: dave }, { user: frank }]
`;

interface Person {
  user: string;
  on_call: { kind: string; name: string; level?: number }[];
  reasons: { kind: string; contact_method: string | null; message: string; fix: string }[];
}

describe.each(storeKinds)('reachability on $name', (kind) => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('lists each person on call who cannot be paged, with every reason and its fix', async () => {
    h = await Harness.start(kind, { orgYaml: REACH_YAML });
    const dave = (await createToken(h.app.ctx, systemTestActor, { name: 'dave', role: 'responder', user: 'dave' })).token;
    expect((await h.api('PUT', '/api/v1/users/dave/contact-methods/work-email', { paused: true }, dave)).status).toBe(200);
    expect((await h.api('POST', '/api/v1/users/dave/contact-methods', { name: 'home', type: 'email', address: 'dave.home@example.com' }, dave)).status).toBe(201);
    expect((await h.api('PUT', '/api/v1/users/dave/notification-rules', { high: [{ contact_method: 'home', delay_minutes: 0 }], low: [] }, dave)).status).toBe(200);

    const res = await h.api('GET', '/api/v1/reachability', undefined, dave);
    expect(res.status).toBe(200);
    expect(res.body.checked).toBe(5);
    const people = res.body.unreachable as Person[];
    expect(people.map((p) => p.user)).toEqual(['bob', 'carol', 'dave', 'frank']);
    const [bob, carol, davePerson, frankBefore] = people as [Person, Person, Person, Person];

    expect(bob.on_call).toEqual([{ kind: 'escalation_policy', name: 'default', level: 2 }]);
    expect(bob.reasons).toEqual([
      { kind: 'no_rules', contact_method: null, message: 'no high-urgency notification rule', fix: "add a step under Notification rules → High urgency on bob's profile (or notification_rules in the organisation file)" },
    ]);

    expect(carol.on_call).toEqual([{ kind: 'schedule', name: 'secondary' }]);
    expect(carol.reasons).toEqual([
      {
        kind: 'not_connected',
        contact_method: 'slack',
        message: '"slack" (Slack: U024BE7LH) uses Slack, which is not connected on this server',
        fix: 'an admin connects Slack to Watchkeeper, or carol adds a high-urgency step through another method',
      },
    ]);

    expect(davePerson.reasons.map((r) => [r.kind, r.contact_method])).toEqual([
      ['paused', 'work-email'],
      ['unverified', 'home'],
    ]);
    expect(davePerson.reasons[1]!.fix).toBe("enter the code sent to dave.home@example.com under Contact methods on dave's profile, or send a new code");

    // This server sends no SMS (no Twilio account): Frank's only method cannot reach him.
    expect(frankBefore.reasons.map((r) => [r.kind, r.contact_method])).toEqual([['not_connected', 'mobile']]);

    // Frank's number texts STOP (recorded by the SMS webhook): he is unreachable until START.
    await optOut(h.app.ctx.store.db, '+442079460958', 'STOP', h.clock.now());
    const frank = ((await h.api('GET', '/api/v1/reachability')).body.unreachable as Person[]).find((p) => p.user === 'frank');
    expect(frank?.reasons).toEqual([
      {
        kind: 'opted_out',
        contact_method: 'mobile',
        message: '"mobile" (SMS: +442079460958): the number texted STOP, so no SMS or call goes to it',
        fix: 'frank texts START to the Watchkeeper number, or adds a high-urgency step through another method',
      },
    ]);

    // Resuming Dave's work email makes him reachable again.
    expect((await h.api('PUT', '/api/v1/users/dave/contact-methods/work-email', { paused: false }, dave)).status).toBe(200);
    const after = (await h.api('GET', '/api/v1/reachability')).body.unreachable as Person[];
    expect(after.map((p) => p.user)).toEqual(['bob', 'carol', 'frank']);
  });

  it('counts the members a team target pages, only those with its role when it names one', async () => {
    h = await Harness.start(kind, {
      orgYaml: `
users:
  - { name: alice, email: alice@example.com, contact_methods: [{ name: work, type: email, address: alice@example.com }] }
  - { name: erin, email: erin@example.com, notification_rules: [] }
  - { name: gus, email: gus@example.com, notification_rules: [] }
teams:
  - name: ops
    members: [{ user: alice, role: lead }, { user: erin, role: lead }, { user: gus }]
escalation_policies:
  - name: ops
    levels:
      - targets: [{ team: ops, role: lead }]
`,
    });
    const res = await h.api('GET', '/api/v1/reachability');
    expect(res.body.checked).toBe(2);
    expect((res.body.unreachable as Person[]).map((p) => [p.user, p.on_call])).toEqual([['erin', [{ kind: 'escalation_policy', name: 'ops', level: 1 }]]]);
  });
});
