import t from 'tap';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describeEventTypes } from '../../../src/domain/cloudevents.js';
import { EVENT_TYPES } from '../../../src/domain/events.js';
import { COMPONENT_SCHEMAS } from '../../../src/http/components.js';
import { EVENT_PAYLOAD_SCHEMAS } from '../../../src/http/events/payloads.js';
import { eventDataSchemaDocument } from '../../../src/http/event-types/schema-document.js';
import { startTestApp } from '../../helpers/app.js';
import { expectStatus } from '../../helpers/assertions.js';
import { createProgramme } from '../../helpers/factories.js';

/** Every event type's data schema stands alone: a JSON Schema 2020-12 library compiles it and checks real data with it. */
const BASE = 'https://besluiten.eszl.nl';
const descriptions = new Map(describeEventTypes(BASE).map((item) => [item.type, item]));

function documentOf(type: (typeof EVENT_TYPES)[number]) {
  const { cloudEventType, summary, schemaUrl } = descriptions.get(type)!;
  return eventDataSchemaDocument({ cloudEventType, summary, schemaUrl, payload: EVENT_PAYLOAD_SCHEMAS[type], components: COMPONENT_SCHEMAS });
}

function strictAjv() {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addKeyword('x-extensible-enum');
  return ajv;
}

t.test('every type\'s document compiles on its own, strictly, with its $id the URL it is served at', async (t) => {
  for (const type of EVENT_TYPES) {
    const document = documentOf(type);
    t.equal(document.$id, `${BASE}/api/v1/event-types/${type}/schema`);
    t.notMatch(JSON.stringify(document), /"\$ref":"(?!#\/\$defs\/)/, `${type}: every reference is local`);
    t.doesNotThrow(() => strictAjv().compile(document), type);
  }
});

t.test('the decision.adopted schema accepts a real decision and refuses a changed one', async (t) => {
  const ctx = await startTestApp(t);
  const programme = await createProgramme(ctx.admin);
  const res = await ctx.admin.post('/api/v1/decisions', {
    reference: 'SCHEMA-1',
    title: 'Schema check',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 2_500_000_000 }],
  });
  expectStatus(res, 201, 'create decision');
  const decision = res.json<Record<string, unknown>>();
  const validate = strictAjv().compile(documentOf('decision.adopted'));
  t.ok(validate({ decision }), JSON.stringify(validate.errors));
  t.notOk(validate({ decision: { ...decision, totalAmountCents: '2500000000' } }), 'an amount as a string');
  t.notOk(validate({ decision, extra: true }), 'an unknown property');
});
