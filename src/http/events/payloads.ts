import { Type, type TSchema } from 'typebox';
import { EVENT_CATALOGUE, PUBLISHED_EVENT_TYPES, type EventType } from '../../domain/events.js';
import { IndicatorReport } from '../indicators/schemas.js';
import { Nullable, Text, Timestamp, Uuid } from '../schemas.js';

/**
 * The `data` of every event type of the catalogue (src/domain/events.ts), as the audit trail,
 * the event feed and webhook deliveries carry it. The mapped type makes a catalogue entry
 * without a schema a compile error; test/http/events/payloads.test.ts checks every schema
 * against events the service really emits.
 */
function payload(properties: Record<string, TSchema>): TSchema {
  return Type.Object(properties, { additionalProperties: false });
}

const decision = Type.Ref('Decision');
const withDecision = (properties: Record<string, TSchema> = {}) => payload({ decision, ...properties });

export const EVENT_PAYLOAD_SCHEMAS: { readonly [K in EventType]: TSchema } = {
  'organisation.created': payload({ organisation: Type.Ref('Organisation') }),
  'organisation.updated': payload({ before: Type.Ref('Organisation'), organisation: Type.Ref('Organisation') }),
  'programme.created': payload({ programme: Type.Ref('Programme') }),
  'programme.updated': payload({ before: Type.Ref('Programme'), programme: Type.Ref('Programme') }),
  'decision.created': withDecision(),
  'decision.updated': withDecision({ before: decision }),
  'decision.adopted': withDecision(),
  'decision.withdrawn': withDecision({ reason: Text(2000) }),
  'decision.ratified': withDecision(),
  'decision.rejected': withDecision(),
  'vote.cast': withDecision({ vote: Type.Ref('Vote') }),
  'condition.fulfilled': withDecision({ condition: Type.Ref('Condition') }),
  'condition.overdue': withDecision({ condition: Type.Ref('Condition') }),
  'decision.splitting_suspected': withDecision(),
  'decision.fund_insufficient': withDecision(),
  'ratification.overdue': withDecision(),
  'decision.document_added': withDecision({ documents: Type.Array(Type.Ref('DocumentRef'), { minItems: 1 }) }),
  'condition.added': withDecision({ condition: Type.Ref('Condition') }),
  'disbursement.recorded': withDecision({ disbursement: Type.Ref('Disbursement') }),
  'decision.amended': withDecision(),
  'decision.superseded': withDecision({ supersededBy: Uuid }),
  'decision.settled': withDecision(),
  'indicator.defined': withDecision({ indicator: Type.Ref('Indicator') }),
  'indicator.reported': withDecision({ indicator: Type.Ref('Indicator'), report: IndicatorReport }),
  'college_decision.recorded': payload({ collegeDecision: Type.Ref('CollegeDecision'), decisions: Type.Array(decision, { minItems: 1 }) }),
  'statute_rule.created': payload({ statuteRule: Type.Ref('StatuteRule') }),
  'fund.contribution_recorded': payload({ contribution: Type.Ref('FundContribution') }),
  'co_financing.recorded': payload({ coFinancing: Type.Ref('CoFinancing') }),
  'apikey.created': payload({ apiKey: Type.Ref('ApiKey') }),
  'apikey.revoked': payload({ apiKey: Type.Ref('ApiKey') }),
  'webhook.subscribed': payload({ subscription: Type.Ref('WebhookSubscription') }),
  'webhook.unsubscribed': payload({ subscription: Type.Ref('WebhookSubscription') }),
  'webhook.redelivered': payload({ delivery: Type.Ref('WebhookDelivery') }),
};

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
