import t from 'tap';
import { Value } from 'typebox/value';
import { EVENT_CATALOGUE, EVENT_TYPES, PUBLISHED_EVENT_TYPES } from '../../../src/domain/events.js';
import { componentsByName } from '../../../src/http/components.js';
import { deliveryBody, EVENT_PAYLOAD_SCHEMAS } from '../../../src/http/events/payloads.js';
import { generateOpenapiText } from '../../../scripts/openapi-document.js';

/**
 * The event catalogue in the contract: a payload schema for every type, and the OpenAPI
 * document's webhooks section naming exactly the published types with those schemas.
 * (test/http/audit/routes/trail.test.ts checks every schema against the events the service
 * really emits, every type among them.)
 */
interface Webhook {
  post: {
    operationId: string;
    summary: string;
    tags: string[];
    parameters: { name: string; in: string; schema: { const?: string } }[];
    requestBody: { content: { 'application/json': { schema: { properties: { type: { const: string }; data: unknown } } } } };
  };
}
const document = JSON.parse(await generateOpenapiText()) as {
  webhooks: Record<string, Webhook>;
  components: { schemas: Record<string, unknown> };
};
const schemas = componentsByName();

t.test('every catalogue type has a payload schema, and only catalogue types do', async (t) => {
  t.same(Object.keys(EVENT_PAYLOAD_SCHEMAS).sort(), [...EVENT_TYPES].sort());
});

t.test('the webhooks section names exactly the published types, each with its summary and body', async (t) => {
  t.same(Object.keys(document.webhooks), [...PUBLISHED_EVENT_TYPES], 'in catalogue order');
  t.ok(PUBLISHED_EVENT_TYPES.length < EVENT_TYPES.length, 'audit-only types are left out');
  const operationIds = new Set<string>();
  for (const type of PUBLISHED_EVENT_TYPES) {
    const { post } = document.webhooks[type] as Webhook;
    operationIds.add(post.operationId);
    t.equal(post.summary, EVENT_CATALOGUE[type].summary, `${type}: the catalogue's summary`);
    t.same(post.tags, ['webhooks']);
    t.same(
      post.parameters.filter((p) => p.in === 'header').map((p) => p.name),
      ['ESZL-Signature', 'ESZL-Event-Id', 'ESZL-Event-Type'],
      `${type}: the headers a delivery carries`,
    );
    const body = post.requestBody.content['application/json'].schema;
    t.equal(body.properties.type.const, type, `${type}: the body names its type`);
    const refs = JSON.stringify(body).match(/"\$ref":"[^"]*"/g) ?? [];
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)"/.exec(ref)?.[1];
      t.ok(name !== undefined && name in document.components.schemas, `${type}: ${ref} names a component of the document`);
    }
  }
  t.equal(operationIds.size, PUBLISHED_EVENT_TYPES.length, 'operationIds are unique');
});

t.test('a payload schema refuses a body that is not its type', async (t) => {
  const organisation = { id: '6f1c3f9e-3f52-4b8f-9a55-1c2b3d4e5f60', name: 'X', kind: 'applicant' };
  t.notOk(Value.Check(schemas, EVENT_PAYLOAD_SCHEMAS['decision.adopted'], { organisation }), 'a decision event needs data.decision');
  t.notOk(Value.Check(schemas, EVENT_PAYLOAD_SCHEMAS['decision.adopted'], { decision: { id: 'x' } }), 'and a whole decision');
  t.notOk(
    Value.Check(schemas, deliveryBody('decision.adopted'), { id: organisation.id, type: 'decision.ratified', occurredAt: '2026-03-01T12:00:00Z', decisionId: null, auditSeq: 1, data: {} }),
    'a body of another type is refused',
  );
});
