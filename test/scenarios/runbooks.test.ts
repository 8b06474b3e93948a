import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from '../helpers/harness.js';
import { storeKinds } from '../helpers/stores.js';

/**
 * Runbooks: a service maps alert names to what to do (a link, steps written in the file, or both);
 * pages, the alert API and the web alert page carry the one that applies.
 */
const AM_KEY = 'rb0checkout0alertmanager00000000'.slice(0, 32);
const PD_KEY = 'rb0checkout0events0v200000000000'.slice(0, 32);
const ORG = `
users:
  - name: alice
    email: alice@example.com
    contact_methods: [{ name: work, type: email, address: alice@example.com }]
escalation_policies:
  - name: ops
    levels: [{ targets: [{ user: alice }] }]
services:
  - name: Backend
    escalation_policy: ops
    integrations:
      - { name: am, type: alertmanager, key: ${AM_KEY} }
      - { name: pd, type: events_v2, key: ${PD_KEY} }
    runbooks:
      - alert: HighErrorRate
        url: https://wiki.example.com/runbooks/high-error-rate
        steps: |
          1. Check recent deployments; roll back if one matches the start of the errors.
          2. Check the database connection pool (kubectl logs -l app=backend | grep pool).
          3. Still failing after 15 minutes: page the secondary.
      - alert: "*"
        url: https://wiki.example.com/runbooks/backend
`;

describe.each(storeKinds)('runbooks on $name', (kind) => {
  let h: Harness | null = null;
  afterEach(async () => {
    await h?.stop();
    h = null;
  });

  const alertsBySummary = async () => {
    const list = (await h!.api('GET', '/api/v1/alerts')).body.alerts as { summary: string; runbook: { url: string | null; steps: string | null } | null }[];
    return new Map(list.map((a) => [a.summary, a.runbook]));
  };

  it('puts the matching runbook on the page, the alert API and the webhook of an alert, by alert name, else the service default', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const post = await h.app.http.inject({
      method: 'POST',
      url: '/api/v2/alerts',
      headers: { authorization: `Bearer ${AM_KEY}` },
      payload: [
        { labels: { alertname: 'HighErrorRate', severity: 'critical' }, annotations: { summary: 'Backend 5xx above 5%' } },
        { labels: { alertname: 'DiskFilling', severity: 'critical' }, annotations: { summary: 'Disk 90% full' } },
      ],
    });
    expect(post.statusCode).toBe(200);
    expect((await h.enqueue({ routing_key: PD_KEY, event_action: 'trigger', dedup_key: 'pd-1', payload: { summary: 'Queue stuck', source: 's', severity: 'critical' } })).status).toBe(202);
    await h.tick();

    const byName = await alertsBySummary();
    expect(byName.get('Backend 5xx above 5%')).toEqual({ url: 'https://wiki.example.com/runbooks/high-error-rate', steps: expect.stringMatching(/^1\. Check recent deployments/) });
    expect(byName.get('Disk 90% full')).toEqual({ url: 'https://wiki.example.com/runbooks/backend', steps: null });
    expect(byName.get('Queue stuck')).toEqual({ url: 'https://wiki.example.com/runbooks/backend', steps: null });

    const mail = h.smtp.messages.find((m) => m.text.includes('Backend 5xx above 5%'))!;
    expect(mail.text).toContain('Runbook:\r\n  https://wiki.example.com/runbooks/high-error-rate\r\n  1. Check recent deployments; roll back if one matches the start of the errors.');
    expect(mail.text).toContain('<h2 style="margin:24px 0 8px;font-size:14px">Runbook</h2>');
  });

  it('checks runbooks in the file, naming the field, and keeps them on the service', async () => {
    h = await Harness.start(kind, { orgYaml: ORG });
    const noBody = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace('        url: https://wiki.example.com/runbooks/backend\n', ''), dry_run: true });
    expect(noBody.status).toBe(400);
    expect(JSON.stringify(noBody.body)).toContain('services[0].runbooks[1]');
    expect(JSON.stringify(noBody.body)).toContain('give a url, steps, or both');
    const badUrl = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace('url: https://wiki.example.com/runbooks/backend', 'url: wiki/backend'), dry_run: true });
    expect(JSON.stringify(badUrl.body)).toContain('services[0].runbooks[1].url');
    const twice = await h.api('POST', '/api/v1/config/apply', { yaml: ORG.replace('alert: "*"', 'alert: HighErrorRate'), dry_run: true });
    expect(JSON.stringify(twice.body)).toContain('\\"HighErrorRate\\" has a runbook already (runbooks[0])');
    const service = await h.api('GET', '/api/v1/services/Backend');
    expect(service.body.runbooks).toEqual([
      { alert: 'HighErrorRate', url: 'https://wiki.example.com/runbooks/high-error-rate', steps: expect.stringContaining('3. Still failing after 15 minutes') },
      { alert: '*', url: 'https://wiki.example.com/runbooks/backend' },
    ]);
  });
});
