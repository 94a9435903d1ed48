import { randomUUID } from 'node:crypto';
import { assertActsFor, municipalityScope, type Principal } from '../domain/access.js';
import { DomainError, notFound } from '../domain/errors.js';
import type { EventType } from '../domain/events.js';
import type { Delivery, Subscription } from '../domain/records.js';
import { findOrganisation } from '../db/organisations-repository.js';
import { findProgrammeIds } from '../db/programmes-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
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
import { handshakeFailed, webhookHandshake } from '../notifications/handshake.js';
import { encryptAuthorization } from '../notifications/receiver-authorization.js';
import { subscriptionSecret } from '../notifications/signing.js';
import { standardWebhooksSecret } from '../notifications/standard-webhooks.js';
import { DEFAULT_WEBHOOK_FORMAT, type WebhookFormat } from '../domain/webhook-subscriptions.js';
import type { Executor } from '../db/client.js';
import type { ServiceContext } from './context.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export type { Delivery, Subscription } from '../domain/records.js';

export interface WebhookSettings {
  signingKey: string | undefined;
  allowedHosts: readonly string[];
  /** `WebHook-Request-Origin` of the handshake: the host of PUBLIC_BASE_URL, else this machine's name. */
  requestOrigin: string;
  /** How long the handshake waits for the receiver (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
}

export interface SubscriptionInput {
  callbackUrl: string;
  eventTypes: EventType[];
  programmeId?: string | null | undefined;
  municipalityId?: string | null | undefined;
  format?: WebhookFormat | undefined;
  /** Sent as the Authorization header of every delivery; stored encrypted, never shown. */
  authorization?: string | undefined;
}

export function toSubscription(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    callbackUrl: row.callbackUrl,
    eventTypes: row.eventTypes as EventType[],
    programmeId: row.programmeId,
    municipalityId: row.municipalityId,
    active: row.active,
    failingSince: row.failingSince?.toISOString() ?? null,
    format: row.format,
    hasAuthorization: row.authorizationEncrypted !== null,
    endedReason: row.endedReason ?? null,
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
  caller: Caller,
  input: SubscriptionInput,
): Promise<Subscription & { secret: string }> {
  // A college key subscribes its own municipality's system: to that municipality's events only.
  const municipalityId = input.municipalityId ?? municipalityScope(caller.principal) ?? null;
  if (municipalityId !== null) assertActsFor(caller.principal, municipalityId);
  const signingKey = signingKeyOf(settings);
  const format = input.format ?? DEFAULT_WEBHOOK_FORMAT;
  await assertCallbackAllowed(input.callbackUrl, settings.allowedHosts);
  // A cloudevents receiver first agrees to receive (CloudEvents HTTP Web Hooks, section 4); the
  // request goes out before the transaction, so no lock waits on a receiver.
  let allowedRate: number | null = null;
  if (format === 'cloudevents') {
    const { requestOrigin, allowedHosts, timeoutMs } = settings;
    const handshake = await webhookHandshake(input.callbackUrl, requestOrigin, { allowedHosts, timeoutMs });
    if (!handshake.ok) throw handshakeFailed(input.callbackUrl, requestOrigin, handshake.answer);
    allowedRate = handshake.allowedRate;
  }
  // The id is chosen here: the encrypted Authorization is bound to it.
  const id = randomUUID();
  const authorizationEncrypted = input.authorization === undefined ? null : encryptAuthorization(signingKey, id, input.authorization);
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    const errors = [];
    if (input.programmeId && !(await findProgrammeIds(tx, [input.programmeId])).has(input.programmeId)) {
      errors.push({ path: '/programmeId', message: `programme ${input.programmeId} does not exist` });
    }
    if (municipalityId !== null) {
      const organisation = await findOrganisation(tx, municipalityId);
      if (organisation === undefined) {
        errors.push({ path: '/municipalityId', message: `organisation ${municipalityId} does not exist` });
      } else if (organisation.kind !== 'municipality') {
        throw new DomainError('VALIDATION_FAILED', 'The municipality filter must name a municipality.', [
          { path: '/municipalityId', message: `organisation ${municipalityId} is not a municipality` },
        ]);
      }
    }
    if (errors.length > 0) throw new DomainError('REFERENCED_RESOURCE_NOT_FOUND', 'The filter refers to resources that do not exist.', errors);
    const row = await insertSubscription(tx, {
      id,
      callbackUrl: input.callbackUrl,
      eventTypes: [...new Set(input.eventTypes)],
      programmeId: input.programmeId ?? null,
      municipalityId,
      format,
      authorizationEncrypted,
      allowedRate,
    });
    const subscription = toSubscription(row);
    uow.emit('webhook.subscribed', { subscription });
    // The same 32 bytes either way; a cloudevents receiver gets them in the Standard Webhooks spelling its library reads.
    const secret = format === 'cloudevents' ? standardWebhooksSecret(signingKey, row.id) : subscriptionSecret(signingKey, row.id);
    return { ...subscription, secret };
  });
}

/** A college key sees and manages only the subscriptions of its own municipality: another's is 403. */
function assertMayManage(principal: Principal, subscription: SubscriptionRow): void {
  const scope = municipalityScope(principal);
  if (scope !== undefined && subscription.municipalityId !== scope) {
    throw new DomainError('FORBIDDEN', "A college key may only manage its own municipality's webhook subscriptions.");
  }
}

async function subscriptionFor(ex: Executor, principal: Principal, id: string, forUpdate = false): Promise<SubscriptionRow> {
  const row = await findSubscription(ex, id, forUpdate);
  if (row === undefined) throw notFound('Webhook subscription', id);
  assertMayManage(principal, row);
  return row;
}

export async function getSubscription(ctx: ServiceContext, principal: Principal, id: string): Promise<Subscription> {
  return toSubscription(await subscriptionFor(ctx.database.db, principal, id));
}

/** Every subscription for an admin; for a college key, its own municipality's. */
export async function listSubscriptionsPage(
  ctx: ServiceContext,
  principal: Principal,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Subscription>> {
  const rows = await listSubscriptions(ctx.database.db, decodeCursor(cursor), limit, municipalityScope(principal));
  return toPage(rows, limit, toSubscription);
}

/** Unsubscribing stops deliveries at once; the delivery log stays readable. Idempotent. */
export async function unsubscribe(ctx: ServiceContext, caller: Caller, id: string): Promise<void> {
  await runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    const current = await subscriptionFor(tx, caller.principal, id, true);
    if (!current.active) return;
    const subscription = toSubscription(await deactivateSubscription(tx, id));
    await cancelPendingDeliveries(tx, id);
    uow.emit('webhook.unsubscribed', { subscription });
  });
}

export async function listDeliveriesPage(
  ctx: ServiceContext,
  principal: Principal,
  subscriptionId: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Delivery>> {
  const ex = ctx.database.db;
  await subscriptionFor(ex, principal, subscriptionId);
  const page = toPage(await listDeliveries(ex, subscriptionId, decodeCursor(cursor), limit), limit, (row) => row);
  const attempts = await recentAttempts(ex, page.items.map((row) => row.id));
  return { items: page.items.map((row) => toDelivery(row, attempts.get(row.id) ?? [])), nextCursor: page.nextCursor };
}

export async function redeliver(ctx: ServiceContext, caller: Caller, subscriptionId: string, deliveryId: string): Promise<Delivery> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    const subscription = await subscriptionFor(tx, caller.principal, subscriptionId, true);
    if (!subscription.active) throw new DomainError('CONFLICT', 'This subscription was cancelled; nothing is delivered to it.');
    const current = await findDelivery(tx, subscriptionId, deliveryId);
    if (current === undefined) throw notFound('Delivery', deliveryId);
    await scheduleRedelivery(tx, deliveryId);
    const attempts = await recentAttempts(tx, [deliveryId]);
    const delivery = toDelivery((await findDelivery(tx, subscriptionId, deliveryId))!, attempts.get(deliveryId) ?? []);
    uow.emit('webhook.redelivered', { delivery });
    return delivery;
  });
}
