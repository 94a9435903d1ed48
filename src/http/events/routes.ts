import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import { parseEventTypes } from '../../domain/event-feed.js';
import { PUBLISHED_EVENT_TYPES } from '../../domain/events.js';
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
    data: Type.Unknown({
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

export const eventFeedComponents = [FeedEvent, FeedPage];

const FeedQuery = Type.Object(
  {
    afterSeq: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Only events with a greater seq (default 0)' })),
    types: Type.Optional(
      Type.String({ minLength: 1, maxLength: 2000, description: `Comma-separated event types, of: ${PUBLISHED_EVENT_TYPES.join(', ')}` }),
    ),
    programmeId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'Only events of decisions that fund this programme' })),
    municipalityId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'Only events of decisions that require this municipality' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size, 1..200' })),
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
          'webhook filters.',
        tags: ['events'],
        querystring: FeedQuery,
        response: { 200: jsonResponse(Ref(FeedPage), 'The events and the position to continue from'), ...problems({ raises: [] }) },
      },
    },
    async (request, reply) => {
      const { afterSeq = 0, types, programmeId, municipalityId, limit = 50, waitSeconds = 0 } = request.query;
      // A client that hangs up stops waiting: its place among the waiters is given up at once.
      const hangUp = new AbortController();
      reply.raw.once('close', () => hangUp.abort());
      const filter = { types: parseEventTypes(types), programmeId, municipalityId };
      return feed.read({ afterSeq, filter, limit, waitSeconds }, hangUp.signal);
    },
  );
}
