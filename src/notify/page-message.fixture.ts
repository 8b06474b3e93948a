/**
 * The one sample PageMessage the notify tests build on: a critical "Checkout API" alert paging
 * Alice by email. Each test file overrides what its assertions depend on (page id, channel,
 * destination, alert details, links, action URLs…) so that the values it checks stand next to
 * its assertions. Test-only: excluded from the build by tsconfig.build.json.
 */
import type { PageMessage } from './sender.js';

export type PageOverrides = Partial<Omit<PageMessage, 'alert' | 'actions' | 'user'>> & {
  alert?: Partial<PageMessage['alert']>;
  actions?: Partial<PageMessage['actions']>;
  user?: Partial<PageMessage['user']>;
};

/**
 * A fresh PageMessage on every call (no shared arrays or objects between calls). Top-level fields
 * in `overrides` replace the defaults; `alert`, `actions` and `user` are merged field by field, so
 * `samplePage({ alert: { id: 43 } })` changes only the alert id.
 */
export function samplePage(overrides: PageOverrides = {}): PageMessage {
  const { alert, actions, user, ...rest } = overrides;
  return {
    pageId: 7,
    kind: 'page',
    channel: 'email',
    destination: 'alice@example.com',
    secretEnv: null,
    level: 0,
    cycle: 0,
    ...rest,
    user: { id: 'u-alice', name: 'Alice', email: 'alice@example.com', ...user },
    alert: {
      id: 42,
      summary: 'Error rate above 5%',
      severity: 'critical',
      status: 'triggered',
      serviceName: 'Checkout API',
      serviceId: 'checkout-api',
      source: 'prometheus-eu-1',
      details: { error_rate: 0.073 },
      links: [{ href: 'https://grafana.example.com/d/checkout', text: 'Dashboard' }],
      count: 3,
      createdAt: Date.UTC(2026, 2, 8, 8, 0, 0),
      dedupKey: 'checkout-error-rate',
      url: 'https://watchkeeper.example.com/alerts/42',
      ...alert,
    },
    actions: {
      acknowledgeUrl: 'https://watchkeeper.example.com/a/ack',
      resolveUrl: 'https://watchkeeper.example.com/a/resolve',
      ...actions,
    },
  };
}

/** A bundle of `count` alerts, as the outbox builds one when a noise limit held them. */
export function sampleBundle(count: number, services = ['Clipper Critical']): NonNullable<PageMessage['bundle']> {
  return {
    count,
    url: 'https://watchkeeper.example.com/alerts',
    alerts: Array.from({ length: count }, (_, i) => ({
      id: 100 + i,
      summary: `Disk full on node ${i}`,
      severity: i === 0 ? 'critical' : 'high',
      serviceId: `svc-${i % services.length}`,
      serviceName: services[i % services.length] as string,
      url: `https://watchkeeper.example.com/alerts/${100 + i}`,
    })),
  };
}
