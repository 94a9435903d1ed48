import t from 'tap';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { EVENT_TYPES, PUBLISHED_EVENT_TYPES } from '../../../src/domain/events.js';
import { ROLES } from '../../../src/domain/access.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, fundTheRegister } from '../../helpers/factories.js';

/**
 * `GET /event-types` for every role, and each type's JSON Schema without an API key: what a
 * CloudEvent's `dataschema` names, served at exactly that URL, and checking real event data.
 */
const PUBLIC_BASE_URL = 'https://besluiten.eszl.example';
const ctx = await startTestApp(t, { env: { PUBLIC_BASE_URL } });
const { admin } = ctx;
const { heerlen } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, heerlen.id);

interface Description {
  type: string;
  cloudEventType: string;
  summary: string;
  published: boolean;
  resource: string;
  schemaUrl: string;
}

function strictAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addKeyword('x-extensible-enum');
  return ajv;
}

t.test('every role lists every event type of the catalogue, with its CloudEvents type and the URL of its schema', async (t) => {
  for (const role of ROLES) {
    const client = role === 'admin' ? admin : ctx.as((await createKey(admin, role, role === 'college' ? heerlen.id : undefined)).key);
    const { items } = okJson<{ items: Description[] }>(t, await client.get('/api/v1/event-types'));
    t.same(items.map((item) => item.type), EVENT_TYPES, `${role}: every type, in catalogue order`);
  }
  const { items } = (await admin.get('/api/v1/event-types')).json<{ items: Description[] }>();
  t.same(items.find((item) => item.type === 'vote.cast'), {
    type: 'vote.cast',
    cloudEventType: 'nl.funding-decisions.vote.cast',
    summary: items.find((item) => item.type === 'vote.cast')!.summary,
    published: true,
    resource: 'decision',
    schemaUrl: `${PUBLIC_BASE_URL}/api/v1/event-types/vote.cast/schema`,
  });
  t.ok(items.every((item) => item.summary.length > 0), 'every type says what it means');
  t.same(items.filter((item) => item.published).map((item) => item.type), PUBLISHED_EVENT_TYPES, 'published as the catalogue says');
  t.match(items.find((item) => item.type === 'apikey.created'), { published: false, resource: 'apikey' });
  problemOf(t, await ctx.as(undefined).get('/api/v1/event-types'), 401, 'UNAUTHENTICATED');
  problemOf(t, await admin.get('/api/v1/event-types?type=vote.cast'), 400, 'VALIDATION_FAILED');
});

t.test('each schema is served without an API key at its schemaUrl, stands alone, and checks real data', async (t) => {
  const { items } = (await admin.get('/api/v1/event-types')).json<{ items: Description[] }>();
  const anonymous = ctx.as(undefined);
  const schemas = new Map<string, Record<string, unknown>>();
  for (const item of items) {
    const path = new URL(item.schemaUrl).pathname;
    const res = await anonymous.get(path);
    t.equal(res.statusCode, 200, `${item.type}: served without an API key`);
    t.match(res.headers['content-type'], /^application\/schema\+json/);
    const schema = res.json<Record<string, unknown>>();
    t.equal(schema.$id, item.schemaUrl, `${item.type}: its $id is where it is served`);
    t.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    schemas.set(item.type, schema);
  }
  const programme = await createProgramme(admin);
  const draft = await createDecision(admin, {
    reference: 'ET-1',
    title: 'Event types',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 500_000 }],
  });
  await adopt(admin, draft.id, 'adopted');
  const feed = (await admin.get('/api/v1/events?types=decision.adopted&limit=200')).json<{ items: { type: string; data: unknown }[] }>();
  const adopted = feed.items.at(-1)!;
  const validate = strictAjv().compile(schemas.get('decision.adopted')!);
  t.ok(validate(adopted.data), `the data of a real decision.adopted event is valid: ${JSON.stringify(validate.errors)}`);
  t.notOk(validate({ ...(adopted.data as object), extra: 1 }), 'and changed data is not');
});

t.test('an unknown type is 404 problem+json, an impossible one 400', async (t) => {
  const anonymous = ctx.as(undefined);
  problemOf(t, await anonymous.get('/api/v1/event-types/vote.cancelled/schema'), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await anonymous.get(`/api/v1/event-types/${'x'.repeat(101)}/schema`), 400, 'VALIDATION_FAILED');
  problemOf(t, await anonymous.get('/api/v1/event-types/vote.cast/schema?pretty=1'), 400, 'VALIDATION_FAILED');
  t.equal((await anonymous.get('/api/v1/event-types/vote.cast/schema')).statusCode, 200);
});
