import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per server instance (not prom-client's global), so several instances can run in one
 * test process without clashing.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly ingestEvents = new Counter({
    name: 'watchkeeper_ingest_events_total',
    help: 'Alert events received, by source and outcome.',
    labelNames: ['source', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly routingDropped = new Counter({
    name: 'watchkeeper_routing_dropped_total',
    help: 'Alerts dropped by a routing rule (answered as accepted, recorded nowhere), by rule.',
    labelNames: ['rule'] as const,
    registers: [this.registry],
  });
  readonly ingestBatchSize = new Histogram({
    name: 'watchkeeper_ingest_batch_size',
    help: 'Events committed per ingest transaction (group commit).',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly engineLag = new Gauge({
    name: 'watchkeeper_engine_lag_seconds',
    help: 'How late the most overdue escalation was when the engine processed it.',
    registers: [this.registry],
  });
  readonly engineCycle = new Histogram({
    name: 'watchkeeper_engine_cycle_seconds',
    help: 'Duration of one cycle of a background loop (engine: escalations; notify: delivery).',
    labelNames: ['loop'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly escalations = new Counter({
    name: 'watchkeeper_escalations_total',
    help: 'Escalations performed, by reason.',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly deliveries = new Counter({
    name: 'watchkeeper_deliveries_total',
    help: 'Page delivery attempts, by channel and outcome.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly deliveryLatency = new Histogram({
    name: 'watchkeeper_page_latency_seconds',
    help: 'Time from a page becoming due to its delivery.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }
}
