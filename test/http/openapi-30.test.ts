import t from 'tap';
import { toOpenapi30 } from '../../src/http/openapi-30.js';

/** Each 3.1 construct of the service's document and its 3.0.3 form. */
const schemaOf = (schema: unknown) =>
  (toOpenapi30({ openapi: '3.1.0', info: { title: 'x', version: '1.0.0' }, paths: {}, components: { schemas: { S: schema } } }) as any).components.schemas.S;

t.test('a type list with null becomes nullable, keeping the format', async (t) => {
  t.same(schemaOf({ type: ['string', 'null'], format: 'date' }), { type: 'string', format: 'date', nullable: true });
  t.same(schemaOf({ type: ['integer', 'null'], format: 'int64' }), { type: 'integer', format: 'int64', nullable: true });
  t.same(schemaOf({ type: ['string', 'integer'] }), { anyOf: [{ type: 'string' }, { type: 'integer' }] });
});

t.test('anyOf with null becomes nullable; a nullable reference stands in allOf', async (t) => {
  t.same(schemaOf({ anyOf: [{ $ref: '#/components/schemas/Decision' }, { type: 'null' }] }), {
    allOf: [{ $ref: '#/components/schemas/Decision' }],
    nullable: true,
  });
  const withComponents = toOpenapi30({
    openapi: '3.1.0',
    info: { title: 'x', version: '1.0.0' },
    paths: {},
    components: { schemas: { Vote: { type: 'object', properties: {} }, S: { anyOf: [{ $ref: '#/components/schemas/Vote' }, { type: 'null' }] } } },
  }) as any;
  t.same(
    withComponents.components.schemas.S,
    { type: 'object', allOf: [{ $ref: '#/components/schemas/Vote' }], nullable: true },
    'with the type of the component it names, as 3.0 allows nullable only beside a type',
  );
  t.same(schemaOf({ anyOf: [{ type: 'string', enum: ['a', 'b'] }, { type: 'null' }], description: 'd' }), {
    type: 'string',
    enum: ['a', 'b', null],
    description: 'd',
    nullable: true,
  });
  t.same(schemaOf({ anyOf: [{ type: 'string' }, { type: 'integer' }, { type: 'null' }] }), { anyOf: [{ type: 'string' }, { type: 'integer' }], nullable: true });
});

t.test('const, numeric exclusive bounds and examples take their 3.0 forms, deep inside', async (t) => {
  t.same(schemaOf({ type: 'object', properties: { kind: { type: 'string', const: 'x' }, n: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 } } }), {
    type: 'object',
    properties: { kind: { type: 'string', enum: ['x'] }, n: { type: 'integer', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true } },
  });
  t.same(schemaOf({ type: 'array', items: { type: 'string', examples: ['a', 'b'] } }), { type: 'array', items: { type: 'string', example: 'a' } });
  t.same(schemaOf({ $id: 'S', type: 'string' }), { type: 'string' }, '$id goes');
});

t.test('webhooks move to x-webhooks, schemas inside converted; the licence loses identifier and gains its URL', async (t) => {
  const doc = toOpenapi30({
    openapi: '3.1.0',
    info: { title: 'x', version: '1.0.0', license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' } },
    paths: { '/a': { get: { parameters: [{ name: 'q', in: 'query', schema: { type: ['string', 'null'] } }] } } },
    webhooks: { 'vote.cast': { post: { requestBody: { content: { 'application/json': { schema: { type: 'string', const: 'vote.cast' } } } } } } },
  }) as any;
  t.equal(doc.openapi, '3.0.3');
  t.notOk('webhooks' in doc);
  t.same(doc['x-webhooks']['vote.cast'].post.requestBody.content['application/json'].schema, { type: 'string', enum: ['vote.cast'] });
  t.same(doc.paths['/a'].get.parameters[0].schema, { type: 'string', nullable: true });
  t.same(doc.info.license, { name: 'EUPL-1.2', url: 'https://interoperable-europe.ec.europa.eu/collection/eupl/eupl-text-eupl-12' });
});
