import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/client.js';
import type { DeliveryToSend } from './delivery-request.js';

export interface ClaimedDelivery extends DeliveryToSend {
  id: string;
  callback_url: string;
  attempts: number;
  allowed_rate: number | null;
}

/** What both claims return about a delivery, its subscription and its event. */
const claimedColumns = sql`
  c.id, c.subscription_id, c.attempts, s.callback_url, s.format, s.authorization_encrypted, s.allowed_rate,
  o.payload, o.event_id, o.event_type, o.audit_seq, o.resource_type, o.resource_id, o.traceparent`;

/** Pending, due, not leased, and not behind an earlier pending delivery with the same ordering key. */
const dueDelivery = sql`
  d.state = 'pending'
  and d.next_attempt_at <= now()
  and (d.lease_until is null or d.lease_until < now())
  and not exists (
    select 1 from webhook_deliveries e
     where e.subscription_id = d.subscription_id
       and e.ordering_key = d.ordering_key
       and e.state = 'pending'
       and e.outbox_seq < d.outbox_seq)`;

/** The receiver has not asked us to wait (Retry-After) and its rate, if any, gives a slot now. */
const mayReceive = sql`(s.next_send_at is null or s.next_send_at <= now())`;

/**
 * Deliveries to receivers without an allowed rate: up to `limit`, in outbox order, leased so no
 * other instance claims them meanwhile.
 */
export async function claimDeliveries(database: Database, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  return queryRows<ClaimedDelivery>(database.db, sql`
    with claimed as (
      update webhook_deliveries
         set lease_until = now() + make_interval(secs => ${leaseMs / 1000})
       where id in (
         select d.id
           from webhook_deliveries d
           join webhook_subscriptions s on s.id = d.subscription_id and s.active and s.allowed_rate is null and ${mayReceive}
          where ${dueDelivery}
          order by d.outbox_seq
          limit ${limit}
          for update of d skip locked)
      returning id, subscription_id, outbox_seq, attempts)
    select ${claimedColumns}
      from claimed c
      join webhook_subscriptions s on s.id = c.subscription_id
      join outbox_events o on o.seq = c.outbox_seq
     order by c.outbox_seq`);
}

/**
 * Deliveries to receivers with an allowed rate: at most one per subscription whose next slot has
 * come. The subscription rows are locked (SKIP LOCKED) while the statement picks, so two
 * instances never pick for the same subscription at once; the slot itself is taken just before
 * the request is sent (`takeSendSlot`).
 */
export async function claimRateLimitedDeliveries(database: Database, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  return queryRows<ClaimedDelivery>(database.db, sql`
    with ready as (
      select s.id
        from webhook_subscriptions s
       where s.active and s.allowed_rate is not null and ${mayReceive}
         and exists (select 1 from webhook_deliveries d where d.subscription_id = s.id and ${dueDelivery})
       order by s.next_send_at nulls first, s.id
       limit ${limit}
       for update of s skip locked),
    picked as (
      select distinct on (d.subscription_id) d.id
        from webhook_deliveries d
        join ready r on r.id = d.subscription_id
       where ${dueDelivery}
       order by d.subscription_id, d.outbox_seq),
    claimed as (
      update webhook_deliveries d
         set lease_until = now() + make_interval(secs => ${leaseMs / 1000})
        from picked
       where d.id = picked.id
      returning d.id, d.subscription_id, d.outbox_seq, d.attempts)
    select ${claimedColumns}
      from claimed c
      join webhook_subscriptions s on s.id = c.subscription_id
      join outbox_events o on o.seq = c.outbox_seq
     order by c.outbox_seq`);
}

/**
 * Takes the receiver's next send slot, right before the request goes out: one statement that
 * succeeds only when the slot has come, and moves it `spacingMs` on. Under the row lock of the
 * UPDATE, a concurrent taker on another instance re-reads the moved slot and gets nothing, so
 * requests to one receiver leave at least `spacingMs` apart whatever the number of instances.
 */
export async function takeSendSlot(database: Database, subscriptionId: string, spacingMs: number): Promise<boolean> {
  const rows = await queryRows<{ id: string }>(database.db, sql`
    update webhook_subscriptions
       set next_send_at = now() + make_interval(secs => ${spacingMs / 1000})
     where id = ${subscriptionId} and (next_send_at is null or next_send_at <= now())
    returning id`);
  return rows.length === 1;
}

/** A claimed delivery that could not be sent now goes back, as if never claimed. */
export async function releaseDelivery(database: Database, deliveryId: string): Promise<void> {
  await database.db.execute(sql`update webhook_deliveries set lease_until = null where id = ${deliveryId}`);
}
