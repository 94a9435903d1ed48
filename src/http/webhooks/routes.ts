import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import {
  getSubscription,
  listDeliveriesPage,
  listSubscriptionsPage,
  redeliver,
  subscribe,
  unsubscribe,
  type WebhookSettings,
} from '../../use-cases/webhooks.js';
import { PUBLISHED_EVENT_TYPES } from '../../domain/events.js';
import { AUTHORIZATION_MAX_LENGTH, DEFAULT_WEBHOOK_FORMAT, SUBSCRIPTION_END_REASONS, WEBHOOK_FORMATS } from '../../domain/webhook-subscriptions.js';
import {
  IdempotencyHeaders,
  IdParams,
  jsonResponse,
  noContentResponse,
  Nullable,
  Page,
  PageQuery,
  problems,
  Ref,
  StringEnum,
  Timestamp,
  Uuid,
} from '../schemas.js';

const EventType = StringEnum(PUBLISHED_EVENT_TYPES, { description: 'Kind of event' });

const subscriptionFields = {
  id: Uuid,
  callbackUrl: Type.String({ format: 'uri' }),
  eventTypes: Type.Array(EventType),
  programmeId: Nullable(Uuid),
  municipalityId: Nullable(Uuid),
  active: Type.Boolean({ description: 'false once unsubscribed, or ended by the service (endedReason)' }),
  failingSince: Nullable(Timestamp),
  format: StringEnum(WEBHOOK_FORMATS, {
    description: 'eszl-v1: the JSON body and ESZL-Signature of the first releases; cloudevents: one CloudEvent (NL GOV profile) signed as Standard Webhooks',
  }),
  hasAuthorization: Type.Boolean({ description: 'Whether deliveries carry the Authorization value given on create (the value is never shown)' }),
  endedReason: Nullable(StringEnum(SUBSCRIPTION_END_REASONS, { description: 'Why the service ended the subscription; gone: the receiver answered 410 Gone' })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

export const WebhookSubscription = Type.Object(subscriptionFields, { $id: 'WebhookSubscription', additionalProperties: false });
export const CreatedWebhookSubscription = Type.Object(
  {
    ...subscriptionFields,
    secret: Type.String({
      description:
        'The signing secret, shown only in this response: eszl-v1, the HMAC key of ESZL-Signature (the whole whsec_ string); ' +
        'cloudevents, a Standard Webhooks secret (whsec_ and the standard base64 of the key) for the Standard Webhooks library of any language.',
    }),
  },
  { $id: 'CreatedWebhookSubscription', additionalProperties: false },
);
export const WebhookDelivery = Type.Object(
  {
    id: Uuid,
    subscriptionId: Uuid,
    eventId: Uuid,
    eventType: Type.String(),
    decisionId: Nullable(Uuid),
    state: StringEnum(['pending', 'delivered', 'failed'] as const),
    attempts: Type.Integer(),
    nextAttemptAt: Nullable(Timestamp),
    firstAttemptAt: Nullable(Timestamp),
    deliveredAt: Nullable(Timestamp),
    createdAt: Timestamp,
    attemptLog: Type.Array(
      Type.Object(
        { attemptedAt: Timestamp, statusCode: Nullable(Type.Integer()), latencyMs: Type.Integer(), error: Nullable(Type.String()) },
        { additionalProperties: false },
      ),
      { description: 'The latest attempts, newest first' },
    ),
  },
  { $id: 'WebhookDelivery', additionalProperties: false },
);
const WebhookSubscriptionPage = Page(WebhookSubscription, 'WebhookSubscriptionPage');
const WebhookDeliveryPage = Page(WebhookDelivery, 'WebhookDeliveryPage');

export const webhookComponents = [
  WebhookSubscription,
  CreatedWebhookSubscription,
  WebhookDelivery,
  WebhookSubscriptionPage,
  WebhookDeliveryPage,
];

const CreateBody = Type.Object(
  {
    callbackUrl: Type.String({ format: 'uri', minLength: 8, maxLength: 2048 }),
    eventTypes: Type.Array(EventType, { minItems: 1, maxItems: PUBLISHED_EVENT_TYPES.length, uniqueItems: true }),
    programmeId: Type.Optional(Nullable(Uuid)),
    municipalityId: Type.Optional(Nullable(Uuid)),
    format: Type.Optional(
      StringEnum(WEBHOOK_FORMATS, { description: `How deliveries are shaped and signed (default ${DEFAULT_WEBHOOK_FORMAT}); cloudevents is recommended for new integrations` }),
    ),
    authorization: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: AUTHORIZATION_MAX_LENGTH,
        // A header value: visible ASCII and inner spaces, so no delivery can fail on it.
        pattern: '^[!-~]([ -~]*[!-~])?$',
        description: 'Sent as the Authorization header of every delivery (e.g. Bearer <token>); stored encrypted, never returned',
      }),
    ),
  },
  { additionalProperties: false },
);

export async function webhookRoutes(
  app: FastifyInstance,
  { ctx, settings }: { ctx: ServiceContext; settings: WebhookSettings },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  // An admin manages every subscription; a college key those of its own municipality (the use
  // cases hold it to that; a body naming another municipality is refused here already, 403 before 400).
  const access = { roles: ACCESS.subscribeWebhooks };
  const tags = ['webhooks'];

  r.post(
    '/webhook-subscriptions',
    {
      config: {
        access: { ...access, municipalityOf: (request) => (request.body as { municipalityId?: unknown } | undefined)?.municipalityId },
        idempotency: 'noBody',
      },
      schema: {
        operationId: 'createWebhookSubscription',
        summary: 'Subscribe a callback URL to events',
        description:
          'format eszl-v1 (the default): messages are POSTed as JSON with ESZL-Event-Id, ESZL-Event-Type and ESZL-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body" with the secret>. ' +
          'format cloudevents (recommended for new integrations): each message is one CloudEvent of the NL GOV profile in structured JSON mode ' +
          '(application/cloudevents+json), signed as Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature), and the secret is a ' +
          'Standard Webhooks secret; before anything is stored the service sends OPTIONS to the callback URL with WebHook-Request-Origin, and the ' +
          'receiver must answer 2xx with WebHook-Allowed-Origin (that origin or *), else 422 WEBHOOK_HANDSHAKE_FAILED; a WebHook-Allowed-Rate it ' +
          'gives is never exceeded. authorization, when given, is sent as the Authorization header of every delivery and never shown again. ' +
          'Loopback, link-local and private addresses are refused unless the service allows the host. ' +
          'A college key subscribes for its own municipality: municipalityId is set to it when absent, and naming another answers 403.',
        tags,
        headers: IdempotencyHeaders,
        body: CreateBody,
        response: {
          201: jsonResponse(Ref(CreatedWebhookSubscription), 'The subscription, with its secret', 'idempotent'),
          ...problems({ raises: ['WEBHOOKS_NOT_CONFIGURED', 'REFERENCED_RESOURCE_NOT_FOUND', 'WEBHOOK_HANDSHAKE_FAILED'], idempotent: true }, 413, 415),
        },
      },
    },
    async (request, reply) => reply.code(201).send(await subscribe(ctx, settings, request.caller, request.body)),
  );

  r.get(
    '/webhook-subscriptions',
    {
      config: { access },
      schema: {
        operationId: 'listWebhookSubscriptions',
        summary: 'List webhook subscriptions (a college key: those of its own municipality)',
        tags,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: jsonResponse(Ref(WebhookSubscriptionPage), 'A page of subscriptions'), ...problems({ raises: [] }) },
      },
    },
    async (request) => listSubscriptionsPage(ctx, request.principal, request.query.cursor, request.query.limit ?? 50),
  );

  r.get(
    '/webhook-subscriptions/:id',
    {
      config: { access },
      schema: {
        operationId: 'getWebhookSubscription',
        summary: 'Get one webhook subscription (failingSince shows a subscription whose deliveries failed for the whole retry window)',
        tags,
        params: IdParams,
        response: { 200: jsonResponse(Ref(WebhookSubscription), 'The subscription'), ...problems({ raises: [] }, 404) },
      },
    },
    async (request) => getSubscription(ctx, request.principal, request.params.id),
  );

  r.delete(
    '/webhook-subscriptions/:id',
    {
      config: { access },
      schema: {
        operationId: 'deleteWebhookSubscription',
        summary: 'Unsubscribe; nothing more is delivered',
        tags,
        params: IdParams,
        response: { 204: noContentResponse('Unsubscribed'), ...problems({ raises: [] }, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      await unsubscribe(ctx, request.caller, request.params.id);
      return reply.code(204).send(null);
    },
  );

  r.get(
    '/webhook-subscriptions/:id/deliveries',
    {
      config: { access },
      schema: {
        operationId: 'listWebhookDeliveries',
        summary: 'The delivery log of a subscription: every event, its state and its attempts',
        tags,
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: jsonResponse(Ref(WebhookDeliveryPage), 'A page of deliveries'), ...problems({ raises: [] }, 404) },
      },
    },
    async (request) => listDeliveriesPage(ctx, request.principal, request.params.id, request.query.cursor, request.query.limit ?? 50),
  );

  r.post(
    '/webhook-subscriptions/:id/deliveries/:deliveryId/redeliver',
    {
      config: { access },
      schema: {
        operationId: 'redeliverWebhook',
        summary: 'Deliver an event again, with a new retry window',
        description: 'Takes no body: send none, or an empty one (also with Content-Type: application/json).',
        tags,
        params: Type.Object({ id: Uuid, deliveryId: Uuid }, { additionalProperties: false }),
        headers: IdempotencyHeaders,
        response: {
          200: jsonResponse(Ref(WebhookDelivery), 'The rescheduled delivery', 'idempotent'),
          ...problems({ raises: ['CONFLICT'], idempotent: true }, 404, 413, 415),
        },
      },
    },
    async (request) => redeliver(ctx, request.caller, request.params.id, request.params.deliveryId),
  );
}
