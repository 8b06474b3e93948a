import { expect, it } from 'vitest';
import { applyOrg } from '../../src/commands/apply-org.js';
import { parseOrgYaml } from '../../src/config/org.js';
import { systemTestActor } from '../helpers/harness.js';
import { ALICE_PASSWORD, describeBrowser, eventually, ORG_YAML, setPassword, signIn } from './browser.js';

/**
 * The incident page's war room and stakeholder panel: the Open war room button (no Slack here, so
 * the war room is recorded without a channel), the stakeholder group with its first-update
 * deadline, and a stakeholder update sent from the form.
 */
const WITH_STAKEHOLDERS = `${ORG_YAML}
incident_policy:
  war_room: { after: 30m, severities: [critical] }
  stakeholders:
    - name: customer-success
      severities: [critical]
      within: 30m
      notify: [{ user: bob }]
`;

describeBrowser('war room and stakeholders in the browser', (world) => {
  it('opens the war room and sends a stakeholder update from the incident page', async () => {
    const { h, page } = world();
    await applyOrg(h.app.ctx, parseOrgYaml(WITH_STAKEHOLDERS), systemTestActor);
    await setPassword(h, 'alice', ALICE_PASSWORD);
    expect((await h.api('POST', '/api/v1/incidents', { title: 'Checkout is failing', severity: 'critical', commander: 'alice' })).status).toBe(201);
    await h.app.tick();

    await signIn(page, 'alice@example.com', ALICE_PASSWORD);
    await page.goto('/incidents/1');
    const panel = page.getByRole('region', { name: 'War room and stakeholders' });
    await panel.getByText('customer-success').waitFor();
    await panel.getByText(/first update due/).waitFor();
    await panel.getByText('Slack is not connected: the war room is recorded, no channel is created.').waitFor();

    await panel.getByRole('button', { name: 'Open war room' }).click();
    await panel.getByText('War room open (no Slack channel)').waitFor();
    const timeline = page.getByRole('list', { name: 'Incident timeline' });
    await timeline.getByText('war room opened by alice; Slack is not connected, so no channel was created').waitFor();

    await panel.getByLabel('Message for stakeholders').fill('Card payments fail; next update 08:30 UTC');
    await panel.getByRole('button', { name: 'Send to stakeholders' }).click();
    await panel.getByText(/first update sent/).waitFor();
    await timeline.getByText('stakeholder update sent to customer-success (1 person): Card payments fail; next update 08:30 UTC').waitFor();
    await eventually(async () => (await h.store.db.selectFrom('notices').select('kind').where('kind', '=', 'incident_stakeholder').execute()).length).toBe(2);
  });
});
