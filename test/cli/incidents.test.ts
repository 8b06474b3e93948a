import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper incident …` against a real listening server, every change checked through the API.
 * The clock starts Sunday 2026-03-08 08:00 UTC.
 */
const KEY = 'cli00checkout000events0v20000000';
const ORG = `
users:
  - name: alice
    email: alice@example.com
  - name: bob
    email: bob@example.com
escalation_policies:
  - name: ops
    levels:
      - targets: [{ user: alice }]
        delay_minutes: 30
services:
  - name: Checkout
    escalation_policy: ops
    integrations: [{ name: events, type: events_v2, key: ${KEY} }]
incident_policy:
  update_every: { critical: 15m, high: 30m }
  commander_required_for: [critical]
`;

describe('watchkeeper incident', () => {
  let h: Harness;
  let out: string[];
  beforeEach(() => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
  });

  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);
  const take = () => out.splice(0, out.length);

  it('declares from an alert, lists, shows, posts updates, notes, assigns roles, resolves and closes', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    expect((await h.enqueue({ routing_key: KEY, event_action: 'trigger', dedup_key: 'co-5xx', payload: { summary: 'Checkout 5xx above 5%', source: 'prom', severity: 'critical' } })).status).toBe(202);
    await h.tick();

    await cli('incident', 'list');
    expect(take()).toEqual(['No incidents. Declare one with: watchkeeper incident declare TITLE --severity SEVERITY']);

    await cli('incident', 'declare', 'Checkout errors', '--alert', '1', '--commander', 'alice');
    expect(take()).toEqual(['declared #1 critical "Checkout errors", commander alice; first status update due 2026-03-08 08:15Z']);

    await h.advanceMinutes(5);
    await cli('incident', 'update', '#1', '--status', 'identified', '--impact', 'EU checkout fails', '--actions', 'Rolling back 1.42', '--next-update', '10m');
    expect(take()).toEqual(['#1 identified: update posted; next due 2026-03-08 08:15Z']);
    await cli('incident', 'note', '1', '--moment', 'root_cause_identified', 'bad', 'config');
    expect(take()).toEqual(['#1: key moment marked']);
    await cli('incident', 'role', '1', 'sme', 'bob');
    expect(take()).toEqual(['#1: bob is Subject-matter expert; notified']);
    await cli('incident', 'detach', '1', '#1');
    expect(take()).toEqual(['#1: #1 detached']);
    await cli('incident', 'attach', '1', '1');
    expect(take()).toEqual(['#1: #1 attached']);

    await cli('incident', 'list');
    const lines = take();
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+SEVERITY\s+COMMANDER\s+DECLARED\s+NEXT UPDATE\s+TITLE$/);
    expect(lines[1]).toMatch(/^#1\s+identified\s+critical\s+alice\s+2026-03-08 08:00Z\s+2026-03-08 08:15Z\s+Checkout errors$/);

    await cli('incident', 'show', '1');
    const shown = take().join('\n');
    expect(shown).toContain('#1 identified critical: Checkout errors');
    expect(shown).toMatch(/incident commander\s+alice/);
    expect(shown).toMatch(/alert\s+#1 triggered critical Checkout: Checkout 5xx above 5%/);
    expect(shown).toMatch(/Impact\s+EU checkout fails/);
    expect(shown).toMatch(/key_moment\s+test admin\s+Root cause identified: bad config/);

    await cli('incident', 'show', '1', '--json');
    const json = JSON.parse(take().join('\n')) as { incident: { status: string }; roles: { role: string; user: string }[] };
    expect(json.incident.status).toBe('identified');
    expect(json.roles.map((r) => `${r.role}:${r.user}`)).toEqual(['commander:alice', 'sme:bob']);

    await expect(cli('incident', 'close', '1')).rejects.toThrow('409: status: only a resolved incident can be closed; resolve it first (it is identified)');
    await cli('incident', 'resolve', '1', '--impact', 'none now', '--actions', 'rolled back');
    expect(take()).toEqual(['#1 resolved. Close it when the follow-up is done: watchkeeper incident close 1']);
    await cli('incident', 'close', '1');
    expect(take()).toEqual(['#1 closed']);
    const d = (await h.api('GET', '/api/v1/incidents/1')).body as { incident: { status: string }; updates: { status: string }[] };
    expect(d.incident.status).toBe('closed');
    expect(d.updates.map((u) => u.status)).toEqual(['resolved', 'identified']);
    await cli('incident', 'list', '--status', 'closed');
    expect(take()[1]).toMatch(/^#1\s+closed/);
  });

  it('bad input names the field and changes nothing', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    await expect(cli('incident', 'declare', 'Checkout down', '--severity', 'P1')).rejects.toThrow('400: commander: required for critical incidents: name who leads the response (a user name, e.g. alice)');
    await expect(cli('incident', 'declare', 'Checkout down', '--severity', 'urgent')).rejects.toThrow(/400: severity: unknown severity "urgent"/);
    await expect(cli('incident', 'show', 'twelve')).rejects.toThrow('"twelve" is not an incident number; give the number shown by watchkeeper incident list, e.g. 12');
    await expect(cli('incident', 'show', '7')).rejects.toThrow('incident #7 not found; see incidents with: watchkeeper incident list');
    await expect(cli('incident', 'role', '7', 'scribe', 'bob')).rejects.toThrow('400: role: use one of commander, ops_lead, comms_lead, sme');
    expect((await h.api('GET', '/api/v1/incidents?status=investigating,identified,monitoring,resolved,closed')).body.incidents).toEqual([]);
  });
});
