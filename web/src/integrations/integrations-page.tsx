import { useTitle } from '../lib/title';
import { SlackSection } from './slack-section';
import { TwilioSection } from './twilio-section';

/**
 * Integrations: the outside services Watchkeeper pages through. Each integration is a section in
 * a file of its own (twilio-section.tsx, …), listed here.
 */
export function IntegrationsPage() {
  useTitle('Integrations');
  return (
    <>
      <h1>Integrations</h1>
      <p className="muted">The services Watchkeeper pages people through, how they are set up, and what to configure on their side.</p>
      <div className="stack">
        <SlackSection />
        <TwilioSection />
      </div>
    </>
  );
}
