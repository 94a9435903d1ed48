import { readFile } from 'node:fs/promises';
import t from 'tap';
import { Validator } from '@seriousme/openapi-schema-validator';
import { projectFile } from '../../../helpers/project-dir.js';

/**
 * What code generators need from the committed documents: both validate strictly (3.1 and the
 * 3.0.3 rendition), every amount in cents is a 64-bit integer, problem codes are an open set,
 * and a nullable date keeps its format in one schema.
 */
type Json = Record<string, any>;
const read = async (name: string): Promise<Json> => JSON.parse(await readFile(projectFile(`openapi/${name}`), 'utf8'));
const doc31 = await read('openapi.json');
const doc30 = await read('openapi-3.0.json');

/** Every [name, schema] of a property anywhere in the document. */
function properties(node: unknown, found: [string, Json][] = []): [string, Json][] {
  if (Array.isArray(node)) node.forEach((item) => properties(item, found));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && value !== null && typeof value === 'object') found.push(...(Object.entries(value) as [string, Json][]));
      properties(value, found);
    }
  }
  return found;
}

/** The integer schemas a property stands for: itself, or the members of its nullable form. */
function integerSchemas(schema: Json): Json[] {
  const members = [schema, ...((schema.anyOf ?? []) as Json[]), ...((schema.allOf ?? []) as Json[])];
  return members.filter((member) => member.type === 'integer' || (Array.isArray(member.type) && member.type.includes('integer')));
}

// The validator checks against the official JSON Schemas of OpenAPI 3.1 and 3.0, with Ajv in strict mode.
t.test('both documents validate strictly: OpenAPI 3.1 and the 3.0.3 rendition', async (t) => {
  const strict31 = new Validator();
  const result31 = await strict31.validate(doc31 as never);
  t.equal(strict31.version, '3.1');
  t.same(result31.errors ?? [], [], '3.1 without errors');
  t.ok(result31.valid);
  const strict30 = new Validator();
  const result30 = await strict30.validate(doc30 as never);
  t.equal(strict30.version, '3.0');
  t.same(result30.errors ?? [], [], '3.0.3 without errors');
  t.ok(result30.valid);
  const with31Construct = structuredClone(doc30);
  with31Construct.components.schemas.Problem.properties.detail = { type: ['string', 'null'] };
  t.notOk((await new Validator().validate(with31Construct as never)).valid, 'the 3.0 validator refuses a 3.1 type list');
});

t.test('every property named ...Cents is an int64 integer, in both documents', async (t) => {
  for (const [label, doc] of [['3.1', doc31], ['3.0', doc30]] as const) {
    const cents = properties(doc).filter(([name]) => /Cents$/.test(name));
    t.ok(cents.length >= 40, `${label}: ${cents.length} cents properties`);
    const wrong = cents.filter(([, schema]) => {
      const integers = integerSchemas(schema);
      return integers.length === 0 || integers.some((integer) => integer.format !== 'int64');
    });
    t.same(wrong.map(([name, schema]) => `${name}: ${JSON.stringify(schema)}`), [], `${label}: each is { type: integer, format: int64 }`);
  }
});

t.test('Problem.code is an open string listing the known codes, in both documents', async (t) => {
  for (const doc of [doc31, doc30]) {
    const code = doc.components.schemas.Problem.properties.code;
    t.equal(code.type, 'string');
    t.notOk('enum' in code);
    t.ok(code['x-extensible-enum'].includes('VALIDATION_FAILED'));
    t.match(code.description, /Known codes: VALIDATION_FAILED, /);
  }
});

t.test('a nullable date is one schema with its format: type [string, null] in 3.1, nullable in 3.0', async (t) => {
  const dueDate31 = doc31.components.schemas.Decision.properties.ratification.properties.dueDate;
  t.same(dueDate31.type, ['string', 'null']);
  t.equal(dueDate31.format, 'date');
  const dueDate30 = doc30.components.schemas.Decision.properties.ratification.properties.dueDate;
  t.equal(dueDate30.type, 'string');
  t.equal(dueDate30.nullable, true);
  t.equal(dueDate30.format, 'date');
});

t.test('the 3.0 rendition keeps every path, operation and webhook', async (t) => {
  t.equal(doc30.openapi, '3.0.3');
  t.same(Object.keys(doc30.paths), Object.keys(doc31.paths));
  t.same(Object.keys(doc30['x-webhooks']), Object.keys(doc31.webhooks), 'webhooks in x-webhooks');
  t.notOk('webhooks' in doc30);
  t.same(Object.keys(doc30.components.schemas), Object.keys(doc31.components.schemas));
  t.notMatch(JSON.stringify(doc30), /"const"|"type":\[/, 'no const, no type lists');
});
