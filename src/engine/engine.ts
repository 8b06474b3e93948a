import type { Ctx } from '../commands/context.js';

export interface EngineModule {
  name: string;
  /** Does one bounded batch of work; returns true when more work may be waiting right now. */
  run(): Promise<boolean>;
}

/**
 * The durable timer loop. Every `intervalMs` (and whenever woken) it runs its modules in a fixed
 * order. Timers are rows, so the loop itself holds no state worth losing: a stopped engine resumes
 * exactly where the database says. A module that throws is logged and counted; the loop goes on.
 */
export class Engine {
  private timer: NodeJS.Timeout | null = null;
  private timerDue = 0;
  private running: Promise<void> | null = null;
  private stopped = true;
  /** Set by stop(): the cycle under way ends after its current batch and tick() does nothing until start(). */
  private halted = false;
  private rerun = false;
  readonly modules: EngineModule[];

  constructor(
    private readonly ctx: Ctx,
    private readonly intervalMs: number,
    modules: EngineModule[],
    private readonly name = 'engine',
  ) {
    this.modules = modules;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.halted = false;
    this.schedule(0);
  }

  /**
   * Stops the loop. A cycle under way finishes the batch it holds (sends in flight are recorded)
   * but claims no more: the rest stays due in the database for the other processes or the next start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halted = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Ask for a cycle soon (new work was committed in this process). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.rerun = true;
      return;
    }
    this.schedule(0);
  }

  /** Runs one full cycle now: used by tests after moving the fake clock. */
  async tick(): Promise<void> {
    // Cycles never overlap: wait until no cycle is running, however many callers are waiting.
    while (this.running) await this.running.catch(() => undefined);
    if (this.halted) return;
    this.running = this.cycle();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    const due = performance.now() + ms;
    // Keep an earlier timer: re-arming on every wake-up pushed the cycle back again and again while
    // ingest woke the loop more often than once a millisecond, and pages waited seconds.
    if (this.timer && this.timerDue <= due) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick().then(() => {
        const again = this.rerun;
        this.rerun = false;
        this.schedule(again ? 0 : this.intervalMs);
      });
    }, ms);
    this.timer.unref?.();
  }

  private async cycle(): Promise<void> {
    const started = performance.now();
    for (const m of this.modules) {
      for (let round = 0; round < 50 && !this.halted; round++) {
        let more = false;
        try {
          more = await m.run();
        } catch (err) {
          this.ctx.log.error({ err, component: 'engine', module: m.name }, 'engine module failed; will retry next cycle');
          break;
        }
        if (!more) break;
        // Out of rounds with work still waiting: go again at once instead of after the interval.
        if (round === 49) this.rerun = true;
      }
    }
    const seconds = (performance.now() - started) / 1000;
    this.ctx.metrics.engineCycle.observe({ loop: this.name }, seconds);
    if (seconds > 5) this.ctx.log.warn({ component: this.name, seconds }, `slow ${this.name} cycle`);
  }
}
