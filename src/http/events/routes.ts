import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import { parseEventTypes } from '../../domain/event-feed.js';
import { PUBLISHED_EVENT_TYPES } from '../../domain/events.js';
import { WEBHOOK_FORMATS } from '../../domain/webhook-subscriptions.js';
import type { EventFeed } from '../../use-cases/event-feed.js';
import { jsonResponse, Nullable, problems, Ref, StringEnum, Timestamp, Uuid } from '../schemas.js';

export const FeedEvent = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'The event\'s audit seq: continue after it with afterSeq' }),
    id: Uuid,
    type: StringEnum(PUBLISHED_EVENT_TYPES, { description: 'Kind of event' }),
    occurredAt: Timestamp,
    decisionId: Nullable(Uuid),
    auditSeq: Type.Integer({ minimum: 1 }),
    data: Type.Object({}, {
      additionalProperties: true,
      description: 'What the event is about, per type as the webhooks section of this document defines it; events about a decision carry it whole in data.decision',
    }),
  },
  { $id: 'FeedEvent', additionalProperties: false, description: 'The body a webhook delivery of this event carries, plus seq' },
);
const FeedPage = Type.Object(
  {
    items: Type.Array(Type.Ref('FeedEvent')),
    lastSeq: Type.Integer({ minimum: 0, description: 'Continue from here (afterSeq), also when the filters skipped events' }),
  },
  { $id: 'FeedPage', additionalProperties: false },
);

/** A CloudEvent of the NL GOV profile in the JSON event format, as `cloudevents` deliveries and the feed's `format=cloudevents` carry it. */
export const CloudEvent = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: Type.String({ format: 'uuid', description: 'The event id: the same as in the eszl-v1 body and the event feed' }),
    source: Type.String({ format: 'uri', description: 'EVENT_SOURCE of the service: a URN in the nld namespace' }),
    type: Type.String({ pattern: '^nl\\.funding-decisions\\.[a-z_.]+$', description: 'nl.funding-decisions. followed by the event type (GET /event-types)' }),
    time: Timestamp,
    subject: Type.String({ format: 'uuid', description: 'The id of the resource the event is about (the decision for decision events)' }),
    datacontenttype: Type.Literal('application/json'),
    dataschema: Type.String({ format: 'uri', description: 'The JSON Schema of data: GET /event-types/{type}/schema' }),
    dataref: Type.Optional(Type.String({ format: 'uri', description: 'The subject resource; present when the service has PUBLIC_BASE_URL' })),
    sequence: Type.String({ pattern: '^-?[0-9]{1,10}$', description: 'The audit seq as a decimal string (sequencetype Integer)' }),
    sequencetype: Type.Literal('Integer'),
    traceparent: Type.Optional(Type.String({ description: 'W3C Trace Context of the request that caused the event, when the service traces' })),
    data: Type.Unknown({ description: 'The same data as the eszl-v1 body, per type as its dataschema defines it' }),
  },
  { $id: 'CloudEvent', additionalProperties: false, description: 'One event as a CloudEvent 1.0 (NL GOV profile), structured JSON mode' },
);
const CloudEventFeedPage = Type.Object(
  {
    items: Type.Array(Type.Ref('CloudEvent')),
    lastSeq: Type.Integer({ minimum: 0, description: 'Continue from here (afterSeq), also when the filters skipped events' }),
  },
  { $id: 'CloudEventFeedPage', additionalProperties: false },
);

export const eventFeedComponents = [FeedEvent, FeedPage, CloudEvent, CloudEventFeedPage];

const FeedQuery = Type.Object(
  {
    afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Only events with a greater seq (default 0)' })),
    types: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: `Comma-separated event types, of: ${PUBLISHED_EVENT_TYPES.join(', ')}` }),
    ),
    programmeId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'Only events of decisions that fund this programme' })),
    municipalityId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'Only events of decisions that require this municipality' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size, 1..200' })),
    format: Type.Optional(
      StringEnum(WEBHOOK_FORMATS, {
        description: 'eszl-v1 (default): each item is the eszl-v1 webhook body plus seq; cloudevents: each item is exactly the CloudEvent a cloudevents subscription receives',
      }),
    ),
    waitSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30, default: 0, description: 'With nothing new, wait up to this long for a matching event (long poll)' }),
    ),
  },
  { additionalProperties: false },
);

export async function eventFeedRoutes(app: FastifyInstance, { feed }: { feed: EventFeed }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/events',
    {
      config: { access: { roles: ACCESS.anyKey } },
      schema: {
        operationId: 'listEvents',
        summary: 'The event feed: published events after afterSeq, in seq order (long poll with waitSeconds)',
        description:
          'Each item is the body a webhook delivery of the event carries (same id, type, occurredAt, data) plus seq, the event\'s ' +
          'audit seq. Continue with afterSeq=lastSeq. With waitSeconds and nothing new that matches, the request waits until a ' +
          'matching event commits or the time is up (then items is empty). programmeId and municipalityId select like the ' +
          'webhook filters. With format=cloudevents the items are the CloudEvents a cloudevents subscription receives (same id; ' +
          'sequence is the seq); lastSeq is the same in both formats. An afterSeq beyond the audit head is 400, naming the head in detail.',
        tags: ['events'],
        querystring: FeedQuery,
        response: {
          200: jsonResponse(Type.Union([Ref(FeedPage), Ref(CloudEventFeedPage)]), 'The events (FeedPage, or CloudEventFeedPage with format=cloudevents) and the position to continue from'),
          ...problems({ raises: [] }),
        },
      },
    },
    async (request, reply) => {
      const { afterSeq = 0, types, programmeId, municipalityId, limit = 50, waitSeconds = 0, format } = request.query;
      // A client that hangs up stops waiting: its place among the waiters is given up at once.
      const hangUp = new AbortController();
      reply.raw.once('close', () => hangUp.abort());
      const filter = { types: parseEventTypes(types), programmeId, municipalityId };
      return feed.read({ afterSeq, filter, limit, waitSeconds, format }, hangUp.signal);
    },
  );
}
