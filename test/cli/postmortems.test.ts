import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { Harness } from '../helpers/harness.js';
import { sqliteKind } from '../helpers/stores.js';

/**
 * `watchkeeper postmortem …` against a real listening server. The clock starts Sunday 2026-03-08
 * 08:00 UTC; every P1 needs a post-mortem.
 */
const ORG = `
users:
  - name: alice
    email: alice@example.com
  - name: bob
    email: bob@example.com
incident_policy:
  commander_required_for: [critical]
postmortems:
  required_for:
    - severities: [critical]
`;

describe('watchkeeper postmortem', () => {
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

  it('drafts from the timeline, saves, adds and completes action items, exports, and completing closes the incident', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    await cli('incident', 'declare', 'Checkout errors', '--severity', 'P1', '--commander', 'alice');
    take();
    await h.advanceMinutes(10);
    await cli('incident', 'note', '1', '--moment', 'root_cause_identified', 'expired', 'TLS', 'certificate');
    await h.advanceMinutes(20);
    // Resolved with a final status update: the rules apply the same way.
    await cli('incident', 'resolve', '1', '--impact', 'Checkout works again', '--actions', 'Renewed the certificate');
    take();

    await cli('postmortem', 'list');
    let lines = take();
    expect(lines[0]).toMatch(/^INCIDENT\s+STATUS\s+REQUIRED\s+OWNER\s+NEXT DEADLINE\s+OPEN ITEMS\s+TITLE$/);
    expect(lines[1]).toMatch(/^#1\s+draft\s+yes\s+alice\s+Initial report 2026-03-09 08:30Z\s+0\s+Checkout errors$/);

    await cli('postmortem', 'draft', '1');
    const draft = take().join('\n');
    expect(draft).toContain('# Incident Post-Mortem: Checkout errors');
    expect(draft).toContain('## Root Cause\n\nexpired TLS certificate');
    expect(draft).toContain('- Time to resolve: 30m');
    expect(draft).toContain('## Resolution\n\n- Renewed the certificate');
    expect(draft).toContain('  - 2026-03-08 08:30 (+0:30): Checkout works again');

    await cli('postmortem', 'draft', '1', '--save');
    expect(take()).toEqual(['#1: draft saved to the post-mortem. Edit it at /incidents/1/postmortem, or print it with: watchkeeper postmortem export 1']);

    await cli('postmortem', 'action', 'add', '1', 'Alert 14 days before certificates expire', '--owner', 'bob', '--due', '2026-03-20', '--link', 'https://tracker.example.com/OPS-9');
    expect(take()).toEqual(['#1: action item 1 added, owner bob, due 2026-03-21 00:00Z']);
    await cli('postmortem', 'action', 'list', '1');
    lines = take();
    expect(lines[1]).toMatch(/^1\s+open\s+bob\s+2026-03-21 00:00Z\s+Alert 14 days before certificates expire \(https:\/\/tracker.example.com\/OPS-9\)$/);

    await cli('postmortem', 'show', '1');
    const shown = take().join('\n');
    expect(shown).toContain('Post-mortem of #1 critical: Checkout errors');
    expect(shown).toMatch(/required\s+yes: critical incident/);
    expect(shown).toMatch(/owner\s+alice \(commander\)/);
    expect(shown).toMatch(/Initial report\s+2026-03-09 08:30Z\s+met 2026-03-08 08:30Z/);
    expect(shown).toMatch(/Action items assigned\s+2026-03-22 08:30Z\s+met 2026-03-08 08:30Z/);

    await expect(cli('incident', 'close', '1')).rejects.toThrow('409: status: incident #1 needs its post-mortem complete before it closes; completing it closes the incident: watchkeeper postmortem complete 1');

    await cli('postmortem', 'action', 'done', '1');
    expect(take()).toEqual(['action item 1: done']);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wk-pm-')), 'pm.md');
    await cli('postmortem', 'export', '1', '-o', file);
    expect(take()).toEqual([`#1: post-mortem written to ${file}`]);
    expect(fs.readFileSync(file, 'utf8')).toContain('# Incident Post-Mortem: Checkout errors');

    await cli('postmortem', 'complete', '1');
    expect(take()).toEqual(['#1: post-mortem complete; incident closed']);
    expect(((await h.api('GET', '/api/v1/incidents/1')).body.incident as { status: string }).status).toBe('closed');
  });

  it('bad input names the field and changes nothing', async () => {
    h = await Harness.start(sqliteKind, { orgYaml: ORG, listen: true });
    await cli('incident', 'declare', 'Checkout slow', '--severity', 'medium');
    take();
    await expect(cli('postmortem', 'show', '1')).rejects.toThrow('post-mortem of incident #1 (start one: POST /api/v1/incidents/1/postmortem) not found');
    await expect(cli('postmortem', 'draft', 'one')).rejects.toThrow('"one" is not an incident number');
    await expect(cli('postmortem', 'draft', '1', '--force')).rejects.toThrow('--force only goes with --save');
    await cli('postmortem', 'draft', '1', '--save');
    take();
    await expect(cli('postmortem', 'action', 'add', '1', 'Fix it', '--owner', 'carol', '--due', 'soon')).rejects.toThrow('400: due_at: must be a date such as 2026-03-20 or a time such as 2026-03-20T17:00:00Z');
    await expect(cli('postmortem', 'action', 'add', '1', 'Fix it', '--owner', 'carol')).rejects.toThrow('400: owner: no user named "carol"');
    await expect(cli('postmortem', 'action', 'done', 'x')).rejects.toThrow('"x" is not an action item number');
    await expect(cli('postmortem', 'complete', '1')).rejects.toThrow('409: incident #1 is investigating; resolve it before completing its post-mortem: watchkeeper incident resolve 1');
    expect(((await h.api('GET', '/api/v1/incidents/1/postmortem')).body.postmortem as { action_items: unknown[] }).action_items).toEqual([]);
  });
});
