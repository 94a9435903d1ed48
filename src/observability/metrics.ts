import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client.js';
import { readOperationsSnapshot, type OperationsSnapshot } from '../db/operations-metrics-repository.js';
import { withTimeout } from '../db/timeout.js';
import { todayInAmsterdam, type Clock } from '../domain/clock.js';
import { DECISION_STATUSES } from '../domain/decision-lifecycle.js';

/**
 * The metrics of one instance, in a registry of its own (tests build several). HTTP timings are
 * observed per request by the http metrics plugin; everything about the register (webhooks, the
 * audit trail, decisions) is read at scrape time with one statement, shared by every gauge of that
 * scrape, so a busy API costs the database nothing extra.
 */
export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

export interface MetricsOptions {
  database: Database;
  clock: Clock;
  /** AUDIT_CHECKPOINT_INTERVAL_S, exported so an alert can say "ten intervals" without knowing the setting. */
  checkpointIntervalS: number;
  /** Longest wait for the scrape's statement; the scrape then reports the database as not ready. */
  queryTimeoutMs?: number;
  onQueryError?: (error: unknown) => void;
}

export function createServiceMetrics(options: MetricsOptions): ServiceMetrics {
  const { database, clock } = options;
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });

  // The gauges of one scrape are collected concurrently (prom-client starts every collect at
  // once): they share the statement in flight, and so does a second scraper arriving meanwhile.
  let inFlight: Promise<OperationsSnapshot | undefined> | undefined;
  const snapshot = (): Promise<OperationsSnapshot | undefined> => {
    if (inFlight !== undefined) return inFlight;
    const timeoutMs = options.queryTimeoutMs ?? 2_000;
    const reading = readOperationsSnapshot(database.db, todayInAmsterdam(clock));
    reading.catch(() => undefined); // a late failure after the timeout is not unhandled
    inFlight = withTimeout(reading, timeoutMs, `the metrics query did not answer within ${timeoutMs} ms`)
      .catch((error: unknown) => {
        options.onQueryError?.(error);
        return undefined;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
  /** A gauge set from the scrape's snapshot; while the database does not answer it keeps its last value (see eszl_ready). */
  const fromSnapshot = <T extends string>(name: string, help: string, set: (gauge: Gauge<T>, s: OperationsSnapshot) => void, labelNames: T[] = []) =>
    new Gauge<T>({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const s = await snapshot();
        if (s !== undefined) set(this, s);
      },
    });

  const httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the end of the response, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });

  new Gauge({
    name: 'eszl_db_pool_connections',
    help: 'Database connections of this instance by state (PostgreSQL pool: total, idle, waiting clients; the embedded database: total 1).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      const pool = database.pool;
      if (pool === undefined) {
        this.set({ state: 'total' }, 1);
        return;
      }
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });

  new Gauge({
    name: 'eszl_ready',
    help: '1 when the database answered this scrape (what /health/ready checks), else 0; the register gauges then keep their last values.',
    registers,
    async collect() {
      this.set((await snapshot()) === undefined ? 0 : 1);
    },
  });

  fromSnapshot('eszl_webhook_deliveries_pending', 'Webhook deliveries not yet delivered nor given up.', (g, s) => g.set(s.webhookDeliveriesPending));
  fromSnapshot('eszl_webhook_oldest_pending_seconds', 'Age of the oldest pending webhook delivery (0 when none).', (g, s) =>
    g.set(s.webhookOldestPendingSeconds),
  );
  // A counter read from the delivery log: webhook_attempts rows are only ever inserted, one per
  // attempt, in the transaction that records its outcome, so the count of failed ones never goes
  // down (a restore from an older backup is seen by Prometheus as a counter reset). It is the
  // database's total, the same on every instance: aggregate it with max(), not sum().
  new Counter({
    name: 'eszl_webhook_delivery_failures_total',
    help: 'Failed webhook delivery attempts recorded in the delivery log (the whole database, not this instance).',
    registers,
    async collect() {
      const s = await snapshot();
      if (s === undefined) return;
      this.reset();
      this.inc(s.webhookDeliveryFailures);
    },
  });
  fromSnapshot('eszl_audit_head_seq', 'Sequence number of the last event of the audit chain.', (g, s) => g.set(s.auditHeadSeq));
  fromSnapshot('eszl_audit_log_checkpoint_seq', 'Sequence number the latest signed checkpoint covers (0 before the first).', (g, s) =>
    g.set(s.checkpoint?.seq ?? 0),
  );
  fromSnapshot('eszl_audit_log_checkpoint_age_seconds', 'Seconds since the latest signed checkpoint was issued (NaN before the first).', (g, s) =>
    g.set(s.checkpoint?.ageSeconds ?? Number.NaN),
  );
  new Gauge({
    name: 'eszl_audit_log_checkpoint_interval_seconds',
    help: 'The configured longest interval between checkpoints while the audit head moves (AUDIT_CHECKPOINT_INTERVAL_S).',
    registers,
  }).set(options.checkpointIntervalS);
  fromSnapshot(
    'eszl_decisions',
    'Decisions by status.',
    (g, s) => {
      for (const status of DECISION_STATUSES) g.set({ status }, s.decisionsByStatus[status] ?? 0);
    },
    ['status'],
  );
  fromSnapshot('eszl_ratifications_overdue', 'Decisions still awaiting ratification after their due date.', (g, s) => g.set(s.ratificationsOverdue));

  return { registry, httpRequestDuration };
}
