import t from 'tap';
import { Value } from 'typebox/value';
import { EVENT_CATALOGUE, EVENT_TYPES, PUBLISHED_EVENT_TYPES } from '../../../src/domain/events.js';
import { componentsByName } from '../../../src/http/components.js';
import { deliveryBody, EVENT_PAYLOAD_SCHEMAS } from '../../../src/http/events/payloads.js';
import { generateOpenapiText } from '../../../scripts/openapi-document.js';
import { asc } from 'drizzle-orm';
import { outboxEvents } from '../../../src/db/schema.js';
import { startTestApp } from '../../helpers/app.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme } from '../../helpers/factories.js';
import { expectJson } from '../../helpers/assertions.js';

/**
 * The event catalogue in the contract: a payload schema for every type, and the OpenAPI
 * document's webhooks section naming exactly the published types with those schemas.
 * (test/http/audit/routes/trail-mutations.test.ts checks every schema against the events the service
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

t.test("the trigger's envelope is the TypeBox delivery body: every outbox row the database wrote validates", async (t) => {
  // On the database the suite runs on (PGlite, or PostgreSQL with DATABASE_URL): the outbox rows
  // are written by the sealing trigger of the migrations, not by TypeScript.
  const { admin, db } = await startTestApp(t);
  const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
  const programme = await createProgramme(admin);
  const body = (reference: string, amountCents: number) => ({
    reference,
    title: 'Principebesluit',
    boardMeetingDate: '2026-01-22',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
  });
  await adopt(admin, (await createDecision(admin, body('PB-ENV-1', 1_000_000))).id, 'adopted');
  const pending = await createDecision(admin, body('PB-ENV-2', 12_000_000));
  await adopt(admin, pending.id, 'pending_ratification');
  for (const [i, municipality] of [heerlen, sittardGeleen, maastricht].entries()) {
    expectJson(
      await admin.post('/api/v1/college-decisions', {
        municipalityId: municipality.id,
        decidedOn: '2026-01-23',
        reference: `CB-ENV-${i}`,
        votes: [{ decisionId: pending.id, outcome: 'approve' }],
      }),
      201,
      'college decision',
    );
  }
  const rows = await db.database.db.select().from(outboxEvents).orderBy(asc(outboxEvents.auditSeq));
  const types = new Set(rows.map((row) => row.eventType));
  for (const type of ['decision.adopted', 'vote.cast', 'decision.ratified', 'college_decision.recorded']) t.ok(types.has(type), `the outbox holds ${type}`);
  t.ok(rows.some((row) => (row.payload as { decisionId: unknown }).decisionId === null), 'and an event about no decision (decisionId null)');
  for (const row of rows) {
    const envelope = row.payload;
    const schema = deliveryBody(row.eventType as (typeof PUBLISHED_EVENT_TYPES)[number]);
    const errors = [...Value.Errors(schemas, schema, envelope)].map((e) => `${e.instancePath} ${e.message}`);
    t.same(errors, [], `${row.eventType} (audit seq ${row.auditSeq}): the delivery body schema accepts the trigger's envelope`);
    t.same(Object.keys(envelope as object).sort(), Object.keys((schema as { properties: object }).properties).sort(), `${row.eventType}: the same fields`);
  }
});
