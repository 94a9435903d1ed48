import type { SubscriptionEndReason } from '../domain/webhook-subscriptions.js';
import { cancelPendingDeliveries, findSubscription, markSubscriptionEnded } from '../db/webhooks-repository.js';
import type { ServiceContext } from './context.js';
import { runUnitOfWork, SYSTEM_CALLER } from './unit-of-work.js';
import { toSubscription } from './webhooks.js';

/**
 * A receiver answered 410 Gone: its subscription ends (`active: false`, `endedReason`), its
 * pending deliveries are cancelled, and `webhook_subscription.ended` is audited, all in one
 * transaction. The row lock makes a second 410 (another instance, another delivery) a no-op.
 * Returns whether this call ended it.
 */
export async function endSubscription(ctx: ServiceContext, subscriptionId: string, reason: SubscriptionEndReason): Promise<boolean> {
  return runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
    const current = await findSubscription(uow.tx, subscriptionId, true);
    if (current === undefined || !current.active) return false;
    const ended = await markSubscriptionEnded(uow.tx, subscriptionId, reason);
    await cancelPendingDeliveries(uow.tx, subscriptionId);
    uow.emit('webhook_subscription.ended', { subscription: toSubscription(ended), endedReason: reason, endedAt: ended.endedAt!.toISOString() });
    return true;
  });
}
