import { Type, type TSchema } from 'typebox';
import { EVENT_CATALOGUE, EVENT_PAYLOAD_SCHEMAS, PUBLISHED_EVENT_TYPES, type EventType } from '../../domain/events.js';
import { Nullable, Timestamp, Uuid } from '../schemas.js';

/** The `data` of every event type is the domain's schema (`domain/events.ts`), where the payload types come from. */
export { EVENT_PAYLOAD_SCHEMAS } from '../../domain/events.js';

/** The body of a webhook delivery of one event type (the event feed's items add `seq`). */
export function deliveryBody(type: EventType): TSchema {
  return Type.Object(
    {
      id: Uuid,
      type: Type.Literal(type),
      occurredAt: Timestamp,
      decisionId: Nullable(Uuid),
      auditSeq: Type.Integer({ minimum: 1, description: 'The seq of the event in the audit trail' }),
      data: EVENT_PAYLOAD_SCHEMAS[type],
    },
    { additionalProperties: false },
  );
}

/** `Type.Ref('Decision')` names a component; the OpenAPI document needs `#/components/schemas/Decision`. */
function documentRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(documentRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) =>
      key === '$ref' && typeof value === 'string' && !value.startsWith('#') ? [key, `#/components/schemas/${value}`] : [key, documentRefs(value)],
    ),
  );
}

/**
 * The OpenAPI 3.1 `webhooks` section: one entry per published event type, the request the
 * service sends to a subscription's callbackUrl.
 */
export function webhooksSection(): Record<string, unknown> {
  return Object.fromEntries(
    PUBLISHED_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace(/[._]/g, '_')}`,
          summary: EVENT_CATALOGUE[type].summary,
          description:
            'Sent to the callbackUrl of every active subscription whose eventTypes include this type and whose programmeId and ' +
            'municipalityId filters match. Deliveries about one decision arrive in order. Verify ESZL-Signature ' +
            '(t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the subscription secret>) before trusting the body.',
          tags: ['webhooks'],
          parameters: [
            { name: 'ESZL-Signature', in: 'header', required: true, schema: { type: 'string' }, description: 't=<unix seconds>,v1=<hex>' },
            { name: 'ESZL-Event-Id', in: 'header', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'ESZL-Event-Type', in: 'header', required: true, schema: { type: 'string', const: type } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: documentRefs(deliveryBody(type)) } } },
          responses: {
            '2XX': { description: 'Received: the delivery is done' },
            default: { description: 'Anything else (or no answer within the timeout) is retried with backoff' },
          },
        },
      },
    ]),
  );
}
