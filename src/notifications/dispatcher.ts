import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { DEFAULT_EVENT_SOURCE, type CloudEventSettings } from '../domain/cloudevents.js';
import { rateSpacingMs } from '../domain/webhook-subscriptions.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/client.js';
import { inTransaction } from '../db/transaction.js';
import { withTimeout } from '../db/timeout.js';
import { assertCallbackAllowed } from './callback-url.js';
import { claimDeliveries, claimRateLimitedDeliveries, releaseDelivery, takeSendSlot, type ClaimedDelivery } from './delivery-claims.js';
import { deliveryRequest } from './delivery-request.js';
import { webhookRequestOrigin } from './handshake.js';
import { parseRetryAfter } from './retry-after.js';
import { retryDelayMs } from './signing.js';

/**
 * Delivers the outbox to webhook subscribers, at least once, with exponential back-off and
 * jitter for the whole retry window, in outbox order per decision and subscriber, in the format
 * each subscription chose (`eszl-v1` or `cloudevents`). Every instance may run one: fan-out is
 * serialised by an advisory lock, and deliveries are claimed with `FOR UPDATE SKIP LOCKED` plus
 * a lease, so instances share the work without double-sending in the normal case (a delivery is
 * sent twice only when an instance dies after sending and before recording it; receivers
 * deduplicate on the event id). What a receiver answers is honoured: 410 ends its subscription
 * (`onGone`), 429/503 with Retry-After hold everything to it until then, and the rate it allowed
 * in the handshake is never exceeded (see `takeSendSlot`).
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
  /** EVENT_SOURCE and the service's addresses; by default the default source and this machine's name. */
  cloudEvents?: CloudEventSettings;
  /** WebHook-Request-Origin of `cloudevents` deliveries; by default this machine's name. */
  requestOrigin?: string;
  /** Ends a subscription whose receiver answered 410 Gone (a use case: it writes the audit event). Without it, 410 is retried. */
  onGone?: (subscriptionId: string) => Promise<unknown>;
}

const FAN_OUT_LOCK = 0x77686b73;

type Outcome = 'delivered' | 'failed' | 'deferred';

export class WebhookDispatcher {
  private readonly options: Required<Omit<DispatcherOptions, 'onGone'>> & Pick<DispatcherOptions, 'onGone'>;

  constructor(options: DispatcherOptions) {
    const origin = options.requestOrigin ?? webhookRequestOrigin(undefined);
    // The lease outlives the slowest attempt (address check plus request), so no other instance
    // can claim a delivery that is still being sent.
    this.options = {
      batchSize: 20,
      leaseMs: 2 * options.timeoutMs + 30_000,
      random: Math.random,
      cloudEvents: { source: DEFAULT_EVENT_SOURCE, baseUrl: `http://${origin}` },
      requestOrigin: origin,
      ...options,
    };
  }

  /** One round: fan new outbox events out to subscriptions, then deliver what is due. */
  async runOnce(): Promise<{ fannedOut: number; attempted: number; delivered: number }> {
    const { database, batchSize, leaseMs } = this.options;
    const fannedOut = await this.fanOut();
    const claimed = [...(await claimDeliveries(database, batchSize, leaseMs)), ...(await claimRateLimitedDeliveries(database, batchSize, leaseMs))];
    const outcomes = await Promise.all(claimed.map((delivery) => this.deliver(delivery)));
    return {
      fannedOut,
      attempted: outcomes.filter((outcome) => outcome !== 'deferred').length,
      delivered: outcomes.filter((outcome) => outcome === 'delivered').length,
    };
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

  private async deliver(delivery: ClaimedDelivery): Promise<Outcome> {
    const { database, signingKey, allowedHosts, timeoutMs, logger, cloudEvents, requestOrigin } = this.options;
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    let retryAfter: Date | undefined;
    try {
      await withTimeout(assertCallbackAllowed(delivery.callback_url, allowedHosts), timeoutMs, `callback host did not resolve within ${timeoutMs} ms`);
      if (delivery.allowed_rate !== null && !(await takeSendSlot(database, delivery.subscription_id, rateSpacingMs(delivery.allowed_rate)))) {
        await releaseDelivery(database, delivery.id);
        return 'deferred';
      }
      const { body, headers } = deliveryRequest(delivery, { signingKey, cloudEvents, requestOrigin }, Math.floor(Date.now() / 1000));
      const response = await fetch(delivery.callback_url, { method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs), headers });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (statusCode < 200 || statusCode >= 300) error = `receiver answered ${statusCode}`;
      if (statusCode === 429 || statusCode === 503) retryAfter = parseRetryAfter(response.headers.get('retry-after'), new Date());
    } catch (cause) {
      error = cause instanceof Error ? cause.message.slice(0, 500) : 'delivery failed';
    }
    const ok = error === null;
    try {
      await this.record(delivery, ok, statusCode, Date.now() - started, error, retryAfter);
      if (statusCode === 410 && this.options.onGone !== undefined) await this.options.onGone(delivery.subscription_id);
    } catch (recordError) {
      logger.error({ err: recordError, deliveryId: delivery.id }, 'could not record a webhook attempt');
    }
    return ok ? 'delivered' : 'failed';
  }

  private async record(delivery: ClaimedDelivery, ok: boolean, statusCode: number | null, latencyMs: number, error: string | null, retryAfter: Date | undefined) {
    const { retryWindowMs, backoffBaseMs, backoffMaxMs, random } = this.options;
    const backoffMs = retryDelayMs(delivery.attempts + 1, backoffBaseMs, backoffMaxMs, random);
    // The receiver's Retry-After, counted from now on this clock: the next attempt is no earlier.
    const waitMs = retryAfter === undefined ? 0 : Math.max(0, retryAfter.getTime() - Date.now());
    const delayMs = Math.max(backoffMs, waitMs);
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
      if (waitMs > 0) {
        // Nothing at all goes to this receiver before then (CloudEvents Web Hooks 2.2: "refrain from sending further requests").
        await tx.execute(sql`
          update webhook_subscriptions
             set next_send_at = greatest(coalesce(next_send_at, now()), now() + make_interval(secs => ${waitMs / 1000}))
           where id = ${delivery.subscription_id}`);
      }
      // A wait that ends after the retry window fails the delivery now: no attempt is left within the
      // window. A delivery cancelled meanwhile (its subscription ended) stays cancelled.
      const [updated] = await queryRows<{ state: string }>(tx, sql`
        update webhook_deliveries
           set attempts = attempts + 1,
               first_attempt_at = coalesce(first_attempt_at, now()),
               lease_until = null,
               next_attempt_at = now() + make_interval(secs => ${delayMs / 1000}),
               state = case when now() - coalesce(first_attempt_at, now()) >= make_interval(secs => ${retryWindowMs / 1000})
                              or now() + make_interval(secs => ${waitMs / 1000})
                                 > coalesce(first_attempt_at, now()) + make_interval(secs => ${retryWindowMs / 1000})
                            then 'failed' else 'pending' end
         where id = ${delivery.id} and state = 'pending'
        returning state`);
      if (updated?.state === 'failed') {
        await tx.execute(sql`
          update webhook_subscriptions set failing_since = coalesce(failing_since, now()) where id = ${delivery.subscription_id}`);
      }
    });
  }
}
