import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.js';
import type { Surface } from '../domain/alert/types.js';
import type { Store } from '../store/db.js';
import type { OrgCache } from '../store/org.repo.js';
import type { Metrics } from '../metrics.js';

/** Who did something and through which surface: recorded on every timeline row and audit entry. */
export interface Actor {
  kind: 'user' | 'token' | 'integration' | 'system';
  id: string | null;
  name: string;
  surface: Surface;
}

export const systemActor = (surface: Surface = 'engine'): Actor => ({ kind: 'system', id: null, name: 'Watchkeeper', surface });

/** A change other parts of the process (SSE streams, the UI) may want to hear about after commit. */
export interface ChangeEvent {
  type: 'alert.created' | 'alert.updated' | 'page.updated' | 'config.changed';
  alertId?: number;
  status?: string;
  at: number;
}

export class ChangeBus extends EventEmitter<{ change: [ChangeEvent] }> {
  constructor() {
    super();
    this.setMaxListeners(0);
  }

  publish(events: ChangeEvent[]): void {
    for (const e of events) this.emit('change', e);
  }
}

export interface Ctx {
  store: Store;
  clock: Clock;
  org: OrgCache;
  log: Logger;
  metrics: Metrics;
  bus: ChangeBus;
  /** Base URL for links in pages, e.g. http://localhost:8080 */
  publicUrl: string;
  /** Wakes the notifier after new pages are committed (in-process hint; polling is the guarantee). */
  wake: () => void;
}
