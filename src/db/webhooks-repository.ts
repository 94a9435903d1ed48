import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { SubscriptionEndReason } from '../domain/webhook-subscriptions.js';
import type { Executor } from './client.js';
import { outboxEvents, webhookAttempts, webhookDeliveries, webhookSubscriptions } from './schema.js';
import { afterPosition, type KeysetPosition } from './pagination.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;
export interface DeliveryRow extends Omit<typeof webhookDeliveries.$inferSelect, 'leaseUntil'> {
  eventId: string;
  eventType: string;
  decisionId: string | null;
}

export async function insertSubscription(ex: Executor, values: typeof webhookSubscriptions.$inferInsert): Promise<SubscriptionRow> {
  const [row] = await ex.insert(webhookSubscriptions).values(values).returning();
  return row!;
}

export async function findSubscription(ex: Executor, id: string, forUpdate = false): Promise<SubscriptionRow | undefined> {
  const query = ex.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

/** A keyset page of subscriptions; with `municipalityId`, only the subscriptions filtered on that municipality. */
export async function listSubscriptions(
  ex: Executor,
  after: KeysetPosition | undefined,
  limit: number,
  municipalityId?: string,
): Promise<SubscriptionRow[]> {
  return ex
    .select()
    .from(webhookSubscriptions)
    .where(
      and(
        municipalityId === undefined ? undefined : eq(webhookSubscriptions.municipalityId, municipalityId),
        afterPosition(webhookSubscriptions.createdAt, webhookSubscriptions.id, after),
      ),
    )
    .orderBy(asc(webhookSubscriptions.createdAt), asc(webhookSubscriptions.id))
    .limit(limit + 1);
}

export async function deactivateSubscription(ex: Executor, id: string): Promise<SubscriptionRow> {
  const [row] = await ex
    .update(webhookSubscriptions)
    .set({ active: false, updatedAt: sql`now()` })
    .where(eq(webhookSubscriptions.id, id))
    .returning();
  return row!;
}

/** The receiver is gone: the subscription ends, saying why and when. */
export async function markSubscriptionEnded(ex: Executor, id: string, reason: SubscriptionEndReason): Promise<SubscriptionRow> {
  const [row] = await ex
    .update(webhookSubscriptions)
    .set({ active: false, endedReason: reason, endedAt: sql`now()`, updatedAt: sql`now()` })
    .where(eq(webhookSubscriptions.id, id))
    .returning();
  return row!;
}

const deliveryColumns = {
  id: webhookDeliveries.id,
  subscriptionId: webhookDeliveries.subscriptionId,
  outboxSeq: webhookDeliveries.outboxSeq,
  orderingKey: webhookDeliveries.orderingKey,
  state: webhookDeliveries.state,
  attempts: webhookDeliveries.attempts,
  nextAttemptAt: webhookDeliveries.nextAttemptAt,
  firstAttemptAt: webhookDeliveries.firstAttemptAt,
  deliveredAt: webhookDeliveries.deliveredAt,
  createdAt: webhookDeliveries.createdAt,
  eventId: outboxEvents.eventId,
  eventType: outboxEvents.eventType,
  decisionId: outboxEvents.decisionId,
};

export async function listDeliveries(
  ex: Executor,
  subscriptionId: string,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<DeliveryRow[]> {
  return ex
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(outboxEvents, eq(outboxEvents.seq, webhookDeliveries.outboxSeq))
    .where(
      and(
        eq(webhookDeliveries.subscriptionId, subscriptionId),
        afterPosition(webhookDeliveries.createdAt, webhookDeliveries.id, after),
      ),
    )
    .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id))
    .limit(limit + 1);
}

export async function findDelivery(ex: Executor, subscriptionId: string, deliveryId: string): Promise<DeliveryRow | undefined> {
  const [row] = await ex
    .select(deliveryColumns)
    .from(webhookDeliveries)
    .innerJoin(outboxEvents, eq(outboxEvents.seq, webhookDeliveries.outboxSeq))
    .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.subscriptionId, subscriptionId)));
  return row;
}

/** A new retry window starts now; the attempts so far stay in the log. */
export async function scheduleRedelivery(ex: Executor, deliveryId: string): Promise<void> {
  await ex
    .update(webhookDeliveries)
    .set({ state: 'pending', nextAttemptAt: sql`now()`, firstAttemptAt: null, leaseUntil: null, deliveredAt: null })
    .where(eq(webhookDeliveries.id, deliveryId));
}

/** Nothing more is sent to a cancelled subscription: its pending deliveries end as failed. */
export async function cancelPendingDeliveries(ex: Executor, subscriptionId: string): Promise<void> {
  await ex
    .update(webhookDeliveries)
    .set({ state: 'failed', leaseUntil: null })
    .where(and(eq(webhookDeliveries.subscriptionId, subscriptionId), eq(webhookDeliveries.state, 'pending')));
}

/**
 * The attempts of each delivery, newest first. The back-off caps one delivery at about 35
 * attempts in the default 24-hour window, so the bound of 200 shows every attempt in practice.
 */
export async function recentAttempts(ex: Executor, deliveryIds: readonly string[], perDelivery = 200): Promise<Map<string, AttemptRow[]>> {
  const byDelivery = new Map<string, AttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await ex
    .select()
    .from(webhookAttempts)
    .where(inArray(webhookAttempts.deliveryId, [...deliveryIds]))
    .orderBy(desc(webhookAttempts.attemptedAt), desc(webhookAttempts.id));
  for (const row of rows) {
    const list = byDelivery.get(row.deliveryId) ?? [];
    if (list.length < perDelivery) list.push(row);
    byDelivery.set(row.deliveryId, list);
  }
  return byDelivery;
}
