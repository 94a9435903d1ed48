import type { Principal } from '../domain/access.js';
import { DomainError, notFound } from '../domain/errors.js';
import { appendAuditEvents } from '../audit/trail.js';
import { findOrganisation } from '../db/organisations-repository.js';
import { findProgrammeIds } from '../db/programmes-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import { inTransaction } from '../db/transaction.js';
import {
  cancelPendingDeliveries,
  deactivateSubscription,
  findDelivery,
  findSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  recentAttempts,
  scheduleRedelivery,
  type AttemptRow,
  type DeliveryRow,
  type SubscriptionRow,
} from '../db/webhooks-repository.js';
import { assertCallbackAllowed } from '../notifications/callback-url.js';
import type { WebhookEventType } from '../notifications/outbox.js';
import { subscriptionSecret } from '../notifications/signing.js';
import type { ServiceContext } from './context.js';

export interface WebhookSettings {
  signingKey: string | undefined;
  allowedHosts: readonly string[];
}

export interface Subscription {
  id: string;
  callbackUrl: string;
  eventTypes: WebhookEventType[];
  programmeId: string | null;
  municipalityId: string | null;
  active: boolean;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionInput {
  callbackUrl: string;
  eventTypes: WebhookEventType[];
  programmeId?: string | null | undefined;
  municipalityId?: string | null | undefined;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  decisionId: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  firstAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: { attemptedAt: string; statusCode: number | null; latencyMs: number; error: string | null }[];
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    callbackUrl: row.callbackUrl,
    eventTypes: row.eventTypes as WebhookEventType[],
    programmeId: row.programmeId,
    municipalityId: row.municipalityId,
    active: row.active,
    failingSince: row.failingSince?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function toDelivery(row: DeliveryRow, attempts: AttemptRow[]): Delivery {
  return {
    id: row.id,
    subscriptionId: row.subscriptionId,
    eventId: row.eventId,
    eventType: row.eventType,
    decisionId: row.decisionId,
    state: row.state as Delivery['state'],
    attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? row.nextAttemptAt.toISOString() : null,
    firstAttemptAt: row.firstAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    attemptLog: attempts.map((a) => ({
      attemptedAt: a.attemptedAt.toISOString(),
      statusCode: a.statusCode,
      latencyMs: a.latencyMs,
      error: a.error,
    })),
  };
}

function signingKeyOf(settings: WebhookSettings): string {
  if (settings.signingKey === undefined) {
    throw new DomainError('WEBHOOKS_NOT_CONFIGURED', 'Set WEBHOOK_SIGNING_KEY (at least 32 characters) to use webhooks.');
  }
  return settings.signingKey;
}

export async function subscribe(
  ctx: ServiceContext,
  settings: WebhookSettings,
  actor: Principal,
  input: SubscriptionInput,
): Promise<Subscription & { secret: string }> {
  const signingKey = signingKeyOf(settings);
  await assertCallbackAllowed(input.callbackUrl, settings.allowedHosts);
  return inTransaction(ctx.database, async (tx) => {
    const errors = [];
    if (input.programmeId && !(await findProgrammeIds(tx, [input.programmeId])).has(input.programmeId)) {
      errors.push({ path: '/programmeId', message: `programme ${input.programmeId} does not exist` });
    }
    if (input.municipalityId) {
      const organisation = await findOrganisation(tx, input.municipalityId);
      if (organisation === undefined) {
        errors.push({ path: '/municipalityId', message: `organisation ${input.municipalityId} does not exist` });
      } else if (organisation.kind !== 'municipality') {
        throw new DomainError('VALIDATION_FAILED', 'The municipality filter must name a municipality.', [
          { path: '/municipalityId', message: `organisation ${input.municipalityId} is not a municipality` },
        ]);
      }
    }
    if (errors.length > 0) throw new DomainError('REFERENCED_RESOURCE_NOT_FOUND', 'The filter refers to resources that do not exist.', errors);
    const row = await insertSubscription(tx, {
      callbackUrl: input.callbackUrl,
      eventTypes: [...new Set(input.eventTypes)],
      programmeId: input.programmeId ?? null,
      municipalityId: input.municipalityId ?? null,
    });
    const subscription = toSubscription(row);
    await appendAuditEvents(tx, actor, [
      { action: 'webhook.subscribed', resourceType: 'webhook-subscription', resourceId: row.id, data: { subscription } },
    ]);
    return { ...subscription, secret: subscriptionSecret(signingKey, row.id) };
  });
}

export async function getSubscription(ctx: ServiceContext, id: string): Promise<Subscription> {
  const row = await findSubscription(ctx.database.db, id);
  if (row === undefined) throw notFound('Webhook subscription', id);
  return toSubscription(row);
}

export async function listSubscriptionsPage(ctx: ServiceContext, cursor: string | undefined, limit: number): Promise<Page<Subscription>> {
  const rows = await listSubscriptions(ctx.database.db, decodeCursor(cursor), limit);
  return toPage(rows, limit, toSubscription);
}

/** Unsubscribing stops deliveries at once; the delivery log stays readable. Idempotent. */
export async function unsubscribe(ctx: ServiceContext, actor: Principal, id: string): Promise<void> {
  await inTransaction(ctx.database, async (tx) => {
    const current = await findSubscription(tx, id, true);
    if (current === undefined) throw notFound('Webhook subscription', id);
    if (!current.active) return;
    const subscription = toSubscription(await deactivateSubscription(tx, id));
    await cancelPendingDeliveries(tx, id);
    await appendAuditEvents(tx, actor, [
      { action: 'webhook.unsubscribed', resourceType: 'webhook-subscription', resourceId: id, data: { subscription } },
    ]);
  });
}

export async function listDeliveriesPage(
  ctx: ServiceContext,
  subscriptionId: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Delivery>> {
  const ex = ctx.database.db;
  if ((await findSubscription(ex, subscriptionId)) === undefined) throw notFound('Webhook subscription', subscriptionId);
  const page = toPage(await listDeliveries(ex, subscriptionId, decodeCursor(cursor), limit), limit, (row) => row);
  const attempts = await recentAttempts(ex, page.items.map((row) => row.id));
  return { items: page.items.map((row) => toDelivery(row, attempts.get(row.id) ?? [])), nextCursor: page.nextCursor };
}

export async function redeliver(ctx: ServiceContext, actor: Principal, subscriptionId: string, deliveryId: string): Promise<Delivery> {
  return inTransaction(ctx.database, async (tx) => {
    const subscription = await findSubscription(tx, subscriptionId, true);
    if (subscription === undefined) throw notFound('Webhook subscription', subscriptionId);
    if (!subscription.active) throw new DomainError('CONFLICT', 'This subscription was cancelled; nothing is delivered to it.');
    const current = await findDelivery(tx, subscriptionId, deliveryId);
    if (current === undefined) throw notFound('Delivery', deliveryId);
    await scheduleRedelivery(tx, deliveryId);
    const attempts = await recentAttempts(tx, [deliveryId]);
    const delivery = toDelivery((await findDelivery(tx, subscriptionId, deliveryId))!, attempts.get(deliveryId) ?? []);
    await appendAuditEvents(tx, actor, [
      { action: 'webhook.redelivered', resourceType: 'webhook-subscription', resourceId: subscriptionId, data: { delivery } },
    ]);
    return delivery;
  });
}
