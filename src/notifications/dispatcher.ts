import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/client.js';
import { inTransaction } from '../db/transaction.js';
import { withTimeout } from '../db/timeout.js';
import { assertCallbackAllowed } from './callback-url.js';
import { retryDelayMs, SIGNATURE_HEADER, signatureHeader, subscriptionSecret } from './signing.js';

/**
 * Delivers the outbox to webhook subscribers, at least once, with exponential back-off and
 * jitter for the whole retry window, in outbox order per decision and subscriber. Every instance
 * may run one: fan-out is serialised by an advisory lock, and deliveries are claimed with
 * `FOR UPDATE SKIP LOCKED` plus a lease, so instances share the work without double-sending in
 * the normal case (a delivery is sent twice only when an instance dies after sending and before
 * recording it; receivers deduplicate on the event id).
 */
export interface DispatcherOptions {
  database: Database;
  signingKey: string;
  allowedHosts: readonly string[];
  logger: Logger;
  retryWindowMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  timeoutMs: number;
  batchSize?: number;
  leaseMs?: number;
  random?: () => number;
}

interface ClaimedDelivery {
  id: string;
  subscription_id: string;
  callback_url: string;
  payload: unknown;
  event_id: string;
  event_type: string;
  attempts: number;
}

const FAN_OUT_LOCK = 0x77686b73;


export class WebhookDispatcher {
  private readonly options: Required<Omit<DispatcherOptions, 'random'>> & { random: () => number };

  constructor(options: DispatcherOptions) {
    // The lease outlives the slowest attempt (address check plus request), so no other instance
    // can claim a delivery that is still being sent.
    this.options = { batchSize: 20, leaseMs: 2 * options.timeoutMs + 30_000, random: Math.random, ...options };
  }

  /** One round: fan new outbox events out to subscriptions, then deliver what is due. */
  async runOnce(): Promise<{ fannedOut: number; attempted: number; delivered: number }> {
    const fannedOut = await this.fanOut();
    const claimed = await this.claim();
    const results = await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return { fannedOut, attempted: claimed.length, delivered: results.filter(Boolean).length };
  }

  private async fanOut(): Promise<number> {
    return inTransaction(this.options.database, async (tx) => {
      const [lock] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${FAN_OUT_LOCK}) as locked`);
      if (!lock?.locked) return 0;
      const pending = await queryRows<{ seq: string | number }>(
        tx,
        sql`select seq from outbox_events where fanned_out_at is null order by seq limit 500`,
      );
      const seqs = pending.map((row) => Number(row.seq));
      if (seqs.length === 0) return 0;
      const list = sql.join(seqs.map((seq) => sql`${seq}`), sql`, `);
      await tx.execute(sql`
        insert into webhook_deliveries (subscription_id, outbox_seq, ordering_key)
        select s.id, o.seq, o.ordering_key
        from outbox_events o
        join webhook_subscriptions s
          on s.active
         and o.event_type = any(s.event_types)
         and (s.programme_id is null or s.programme_id = any(o.programme_ids))
         and (s.municipality_id is null or s.municipality_id = any(o.municipality_ids))
         and s.created_at <= o.created_at
        where o.seq in (${list})
        order by o.seq
        on conflict do nothing`);
      await tx.execute(sql`update outbox_events set fanned_out_at = now() where seq in (${list})`);
      return seqs.length;
    });
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    const { database, batchSize, leaseMs } = this.options;
    return queryRows<ClaimedDelivery>(database.db, sql`
      with claimed as (
        update webhook_deliveries
           set lease_until = now() + make_interval(secs => ${leaseMs / 1000})
         where id in (
           select d.id
             from webhook_deliveries d
             join webhook_subscriptions s on s.id = d.subscription_id and s.active
            where d.state = 'pending'
              and d.next_attempt_at <= now()
              and (d.lease_until is null or d.lease_until < now())
              and not exists (
                select 1 from webhook_deliveries e
                 where e.subscription_id = d.subscription_id
                   and e.ordering_key = d.ordering_key
                   and e.state = 'pending'
                   and e.outbox_seq < d.outbox_seq)
            order by d.outbox_seq
            limit ${batchSize}
            for update of d skip locked)
        returning id, subscription_id, outbox_seq, attempts)
      select c.id, c.subscription_id, c.attempts, s.callback_url, o.payload, o.event_id, o.event_type
        from claimed c
        join webhook_subscriptions s on s.id = c.subscription_id
        join outbox_events o on o.seq = c.outbox_seq
       order by c.outbox_seq`);
  }

  private async deliver(delivery: ClaimedDelivery): Promise<boolean> {
    const { signingKey, allowedHosts, timeoutMs, logger } = this.options;
    const body = JSON.stringify(delivery.payload);
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      await withTimeout(assertCallbackAllowed(delivery.callback_url, allowedHosts), timeoutMs, `callback host did not resolve within ${timeoutMs} ms`);
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(delivery.callback_url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'eszl-decisions-webhooks/1',
          'ESZL-Event-Id': delivery.event_id,
          'ESZL-Event-Type': delivery.event_type,
          [SIGNATURE_HEADER]: signatureHeader(subscriptionSecret(signingKey, delivery.subscription_id), timestamp, body),
        },
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
    } catch (cause) {
      error = cause instanceof Error ? cause.message.slice(0, 500) : 'delivery failed';
    }
    const ok = error === null;
    await this.record(delivery, ok, statusCode, Date.now() - started, error).catch((recordError: unknown) =>
      logger.error({ err: recordError, deliveryId: delivery.id }, 'could not record a webhook attempt'),
    );
    return ok;
  }

  private async record(delivery: ClaimedDelivery, ok: boolean, statusCode: number | null, latencyMs: number, error: string | null) {
    const { retryWindowMs, backoffBaseMs, backoffMaxMs, random } = this.options;
    const delayMs = retryDelayMs(delivery.attempts + 1, backoffBaseMs, backoffMaxMs, random);
    await inTransaction(this.options.database, async (tx) => {
      await tx.execute(sql`
        insert into webhook_attempts (delivery_id, status_code, latency_ms, error)
        values (${delivery.id}, ${statusCode}, ${latencyMs}, ${error})`);
      if (ok) {
        await tx.execute(sql`
          update webhook_deliveries
             set state = 'delivered', attempts = attempts + 1, delivered_at = now(), lease_until = null,
                 first_attempt_at = coalesce(first_attempt_at, now())
           where id = ${delivery.id}`);
        await tx.execute(sql`update webhook_subscriptions set failing_since = null where id = ${delivery.subscription_id}`);
        return;
      }
      const [updated] = await queryRows<{ state: string }>(tx, sql`
        update webhook_deliveries
           set attempts = attempts + 1,
               first_attempt_at = coalesce(first_attempt_at, now()),
               lease_until = null,
               next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}),
               state = case when now() - coalesce(first_attempt_at, now()) >= make_interval(secs => ${retryWindowMs / 1000})
                            then 'failed' else 'pending' end
         where id = ${delivery.id}
        returning state`);
      if (updated?.state === 'failed') {
        await tx.execute(sql`
          update webhook_subscriptions set failing_since = coalesce(failing_since, now()) where id = ${delivery.subscription_id}`);
      }
    });
  }
}
