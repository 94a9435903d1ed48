import type { Logger } from 'pino';

/**
 * The background work of an instance (webhook dispatch, the overdue checks, ...): each job on
 * its own timer, never overlapping itself, stopped (and awaited) on shutdown. Every job is safe
 * with several instances running it at once; this only schedules.
 */
export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export class BackgroundJobs {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly jobs: readonly Job[],
  ) {}

  start(): void {
    for (const job of this.jobs) this.every(job);
  }

  private every({ name, everyMs, run }: Job): void {
    let busy = false;
    const tick = () => {
      if (busy || this.stopped) return;
      busy = true;
      const running = run()
        .catch((error: unknown) => this.logger.warn({ err: error }, `${name} failed; retrying on the next tick`))
        .finally(() => {
          busy = false;
          this.running.delete(running);
        });
      this.running.add(running);
    };
    const timer = setInterval(tick, everyMs);
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
