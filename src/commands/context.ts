import { randomUUID } from 'node:crypto';
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
  type: 'alert.created' | 'alert.updated' | 'page.updated' | 'config.changed' | 'incident.updated';
  alertId?: number;
  status?: string;
  at: number;
}

/**
 * Changes committed in this process, for live views. With a relay (PostgreSQL, several
 * processes), they also go to the other processes, and theirs come in through receive(), so a
 * browser connected to any API process sees every engine's and notifier's changes.
 */
export class ChangeBus extends EventEmitter<{ change: [ChangeEvent] }> {
  /** Tells this process's own relayed changes apart when they come back. */
  readonly origin = randomUUID();
  private relay: ((payload: string) => void) | null = null;
  private outgoing: ChangeEvent[] = [];

  constructor() {
    super();
    this.setMaxListeners(0);
  }

  publish(events: ChangeEvent[]): void {
    for (const e of events) this.emit('change', e);
    if (!this.relay || events.length === 0) return;
    // One relay message per tick of the event loop, however many commits it held.
    if (this.outgoing.length === 0) setImmediate(() => this.flush());
    this.outgoing.push(...events);
  }

  relayTo(send: (payload: string) => void): void {
    this.relay = send;
  }

  /** A relay message from any process; this process's own are ignored (they were emitted already). */
  receive(payload: string): void {
    let msg: { o?: unknown; e?: unknown };
    try {
      msg = JSON.parse(payload) as { o?: unknown; e?: unknown };
    } catch {
      return;
    }
    if (msg.o === this.origin || !Array.isArray(msg.e)) return;
    for (const raw of msg.e as [string, number | null, string | null, number][]) {
      const [type, alertId, status, at] = raw;
      const e: ChangeEvent = { type: type as ChangeEvent['type'], at };
      if (alertId !== null) e.alertId = alertId;
      if (status !== null) e.status = status;
      this.emit('change', e);
    }
  }

  private flush(): void {
    const events = this.outgoing;
    this.outgoing = [];
    // Compact rows, and chunks well under PostgreSQL's 8,000-byte NOTIFY payload limit.
    const head = `{"o":"${this.origin}","e":[`;
    let chunk: string[] = [];
    let size = head.length;
    const send = () => {
      if (chunk.length) this.relay?.(`${head}${chunk.join(',')}]}`);
      chunk = [];
      size = head.length;
    };
    for (const e of events) {
      const row = JSON.stringify([e.type, e.alertId ?? null, e.status ?? null, e.at]);
      if (size + row.length + 3 > 7000) send();
      chunk.push(row);
      size += row.length + 1;
    }
    send();
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
