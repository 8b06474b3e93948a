import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/** The incident JSON's `sla` clocks, and the SLA keys of incident_policy through export and apply. */
const ORG = `
users:
  - name: alice
    email: alice@example.com
teams:
  - name: leadership
    members: [{ user: alice, role: vp }]
incident_policy:
  update_every: { critical: 15m }
  sla:
    critical: { acknowledge: 5m, first_update: 15m, resolve: 1h }
    high: { resolve: 4h }
  sla_at_risk: 0.5
  breach_actions:
    - clock: resolve
      severities: [critical]
      notify: [{ team: leadership, role: vp }]
      require_postmortem: true
`;

type ErrorBody = { error?: { code: string; field?: string; problems?: { field: string; message: string }[] } };

describe.each(storeKinds)('incident SLA API on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const res = await h!.app.http.inject({ method, url, headers: { authorization: `Bearer ${h!.adminToken}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> & ErrorBody };
  };

  it('gives each incident its clocks in the detail and the list; a severity without targets has none', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const t0 = h.clock.now();
    const iso = (m: number) => new Date(t0 + m * 60_000).toISOString();
    const critical = ((await call('POST', '/api/v1/incidents', { title: 'Checkout down', severity: 'critical' })).body.incident as { id: number }).id;
    await call('POST', '/api/v1/incidents', { title: 'Search slow', severity: 'medium' });
    h.clock.advanceMinutes(3);
    const d = (await call('GET', `/api/v1/incidents/${critical}`)).body.incident as { sla: unknown[] };
    expect(d.sla).toEqual([
      { clock: 'acknowledge', target_ms: 300_000, due_at: iso(5), at_risk_at: iso(2.5), state: 'at_risk', met_at: null, elapsed_ms: 180_000 },
      { clock: 'first_update', target_ms: 900_000, due_at: iso(15), at_risk_at: iso(7.5), state: 'on_track', met_at: null, elapsed_ms: 180_000 },
      { clock: 'resolve', target_ms: 3_600_000, due_at: iso(60), at_risk_at: iso(30), state: 'on_track', met_at: null, elapsed_ms: 180_000 },
    ]);
    const list = (await call('GET', '/api/v1/incidents?status=open')).body.incidents as { title: string; sla: { state: string }[] }[];
    expect(list.map((x) => [x.title, x.sla.map((c) => c.state)])).toEqual([
      ['Search slow', []],
      ['Checkout down', ['at_risk', 'on_track', 'on_track']],
    ]);
  });

  it('round-trips the SLA keys through export and apply', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const exported = await call('GET', '/api/v1/config');
    expect(exported.body.incident_policy).toMatchObject({
      sla: { critical: { acknowledge: '5m', first_update: '15m', resolve: '1h' }, high: { resolve: '4h' } },
      sla_at_risk: 0.5,
      breach_actions: [{ clock: 'resolve', severities: ['critical'], notify: [{ team: 'leadership', role: 'vp' }], require_postmortem: true }],
    });
    const applied = await call('POST', '/api/v1/config/apply', { config: exported.body });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.changes).toEqual([]);
  });

  it('refuses a bad sla, naming the field, and keeps the policy in force', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const file = (await call('GET', '/api/v1/config')).body as { incident_policy: { sla: Record<string, Record<string, string>>; breach_actions: { notify: { team: string }[] }[] } };
    file.incident_policy.sla.critical!.acknowledge = 'fast';
    file.incident_policy.breach_actions[0]!.notify[0]!.team = 'board';
    const r = await call('POST', '/api/v1/config/apply', { config: file });
    expect(r.status).toBe(400);
    expect(r.body.error?.problems).toEqual(
      expect.arrayContaining([
        { field: 'incident_policy.sla.critical.acknowledge', message: '"fast" is not a duration from 1m to 30d; write e.g. 5m, 1h or 4h' },
        { field: 'incident_policy.breach_actions[0].notify[0].team', message: 'no team named "board"' },
      ]),
    );
    expect(((await call('GET', '/api/v1/config')).body.incident_policy as { sla: { critical: { acknowledge: string } } }).sla.critical.acknowledge).toBe('5m');
  });
});
