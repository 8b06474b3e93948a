import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/** `watchkeeper simulate` on the Clipper handbook: the minute-by-minute dry run a lead reads before a change. */
describe('watchkeeper simulate', () => {
  let h: Harness;
  let out: string[];
  beforeEach(async () => {
    out = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    h = await Harness.start(sqliteKind, { orgFile: 'examples/handbooks/clipper.yaml', listen: true });
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h?.stop();
  });
  const cli = (...args: string[]) => main(['node', 'watchkeeper', ...args, '--server', h.baseUrl, '--token', h.adminToken]);

  it('prints routing, each level, person and method, and the end', async () => {
    await cli('simulate', '--service', 'Clipper Backend', '--severity', 'critical', '--at', '2026-03-08T03:00:00-05:00', 'alertname=HighErrorRate');
    expect(out).toEqual([
      'A critical alert at 2026-03-08 08:00 UTC, nobody acknowledging:',
      '  +00:00  routing: no rule matched; Clipper Backend: pages policy clipper',
      '  +00:00  level 1: engineer-a by email',
      '  +00:15  level 2, not acknowledged: engineer-b by email',
      '  +00:45  level 3, not acknowledged: manager-x by email',
      '  +01:15  level 4, not acknowledged: vp-eng by email',
      '  +01:15  level 4, not acknowledged: cto by email',
      '  +01:15  then: stops after level 4; nobody else is paged until someone escalates by hand',
    ]);
  });

  it('shows a silence holding the alert and paging starting when it ends', async () => {
    const silence = await h.api('POST', '/api/v1/silences', { matchers: ['alertname=HighErrorRate', 'severity=warning'], duration: '1h', comment: 'deploy 1.42' });
    expect(silence.status).toBe(201);
    // Clipper's policy lets anyone silence a warning for up to 4 hours without approval.
    await cli('simulate', '--service', 'Clipper Backend', '-s', 'warning', 'alertname=HighErrorRate', '--json');
    const r = JSON.parse(out.join('\n')) as { held: { by: string; until: string }; timeline: { after: string; text: string }[] };
    expect(r.held).toMatchObject({ by: 'silence', until: '2026-03-08T09:00:00.000Z' });
    expect(r.timeline.slice(1, 3).map((l) => `${l.after} ${l.text}`)).toEqual([
      '+00:00 silenced by test admin (deploy 1.42) until 2026-03-08T09:00:00.000Z: recorded, nobody paged; pages from the first level when the silence ends if still open',
      '+01:00 level 1: engineer-a by email',
    ]);
  });

  it('refuses an unknown service, naming the field', async () => {
    const r = await h.api('POST', '/api/v1/simulate', { service: 'Nope', severity: 'critical' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('service');
    const sev = await h.api('POST', '/api/v1/simulate', { service: 'Clipper Backend', severity: 'sev9' });
    expect(sev.status).toBe(400);
    const e = sev.body.error as { field?: string; problems?: { field: string }[] };
    expect(e.field ?? e.problems?.[0]?.field).toBe('severity');
  });
});
