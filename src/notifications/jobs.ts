import type { Logger } from 'pino';
import type { ServiceContext } from '../use-cases/context.js';
import type { WebhookDispatcher } from './dispatcher.js';
import { raiseOverdueConditions } from './overdue.js';

/**
 * The background work of an instance: the webhook dispatcher and the overdue check, each on its
 * own timer, never overlapping itself, stopped (and awaited) on shutdown.
 */
export class BackgroundJobs {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly logger: Logger,
    private readonly dispatcher: WebhookDispatcher | undefined,
    private readonly intervals: { dispatchMs: number; overdueMs: number },
  ) {}

  start(): void {
    if (this.dispatcher) {
      const dispatcher = this.dispatcher;
      this.every('webhook dispatch', this.intervals.dispatchMs, () => dispatcher.runOnce());
    }
    this.every('overdue check', this.intervals.overdueMs, () => raiseOverdueConditions(this.ctx));
  }

  private every(name: string, ms: number, job: () => Promise<unknown>): void {
    let busy = false;
    const tick = () => {
      if (busy || this.stopped) return;
      busy = true;
      const run = job()
        .catch((error: unknown) => this.logger.warn({ err: error }, `${name} failed; retrying on the next tick`))
        .finally(() => {
          busy = false;
          this.running.delete(run);
        });
      this.running.add(run);
    };
    const timer = setInterval(tick, ms);
    timer.unref();
    this.timers.push(timer);
    setImmediate(tick);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.running]);
  }
}
