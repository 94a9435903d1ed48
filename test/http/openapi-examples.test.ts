import t from 'tap';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { sample, withExamples } from '../../src/http/openapi-examples.js';
import { startTestApp } from '../helpers/app.js';

/**
 * Every operation of the generated document has an example of its request body and of its
 * success response, and every webhook body has one; the examples follow their schemas.
 */
type Json = Record<string, unknown>;

t.test('a sample follows references, formats, enumerations and bounds', async (t) => {
  const components = { Money: { type: 'object', properties: { amountCents: { type: 'integer', format: 'int64', minimum: 1 }, on: { type: 'string', format: 'date' } } } };
  t.same(sample({ $ref: '#/components/schemas/Money' }, components, 0, undefined), { amountCents: 14_000_000, on: '2026-01-20' });
  t.equal(sample({ type: 'string', enum: ['draft', 'adopted'] }, {}, 0, 'status'), 'draft');
  t.equal(sample({ type: ['string', 'null'], format: 'uuid' }, {}, 0, 'id'), '3fa85f64-5717-4562-b3fc-2c963f66afa6');
  t.same(sample({ type: 'array', items: { type: 'integer', minimum: 3 }, minItems: 2 }, {}, 0, undefined), [3, 3]);
  t.equal(sample({ type: 'string', minLength: 5 }, {}, 0, 'x'), 'xxxxx');
  t.equal(sample({ anyOf: [{ type: 'null' }, { type: 'boolean' }] }, {}, 0, undefined), false);
  const doc = withExamples({
    paths: { '/a': { post: { requestBody: { content: { 'application/json': { schema: { type: 'integer' }, example: 7 } } }, responses: { 201: { content: { 'application/json': { schema: { type: 'string', format: 'date' } } } } } } } },
  });
  const op = ((doc.paths as Json)['/a'] as Json).post as Json;
  t.equal((((op.requestBody as Json).content as Json)['application/json'] as Json).example, 7, 'an example written by hand stays');
  t.equal(((((op.responses as Json)[201] as Json).content as Json)['application/json'] as Json).example, '2026-01-20');
});

t.test('every operation and webhook of the served document has examples, and they follow their schemas', async (t) => {
  const ctx = await startTestApp(t);
  const document = ctx.app.swagger() as unknown as Json;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'https://eszl.example/openapi', components: document.components }, 'openapi');
  const localRefs = (node: unknown): unknown =>
    Array.isArray(node)
      ? node.map(localRefs)
      : node !== null && typeof node === 'object'
        ? Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? `https://eszl.example/openapi${v}` : localRefs(v)]))
        : node;

  const missing: string[] = [];
  const invalid: string[] = [];
  let checked = 0;
  const check = (where: string, content: unknown) => {
    for (const [mediaType, media] of Object.entries((content ?? {}) as Record<string, Json>)) {
      if (!/json/.test(mediaType) || media.schema === undefined) continue;
      if (!('example' in media)) {
        missing.push(`${where} ${mediaType}`);
        continue;
      }
      checked++;
      const validate = ajv.compile(localRefs(media.schema) as Json);
      if (!validate(media.example)) invalid.push(`${where}: ${ajv.errorsText(validate.errors)}`);
    }
  };
  const walk = (section: string, paths: Json) => {
    for (const [path, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, Json>)) {
        const where = `${section} ${method.toUpperCase()} ${path}`;
        const requestBody = operation.requestBody as Json | undefined;
        if (requestBody !== undefined) check(`${where} request`, requestBody.content);
        const responses = (operation.responses ?? {}) as Record<string, Json>;
        const success = Object.entries(responses).filter(([status]) => /^2/.test(status));
        if (section === 'paths' && success.length === 0) missing.push(`${where}: no success response`);
        for (const [status, response] of success) check(`${where} ${status}`, response.content);
      }
    }
  };
  walk('paths', document.paths as Json);
  walk('webhooks', document.webhooks as Json);
  t.same(missing, [], 'no request body or success response without an example');
  t.ok(checked > 80, `${checked} examples checked`);
  t.same(invalid, [], 'every example is valid against its schema');
  const security = ((document.components as Json).securitySchemes as Json).apiKey as { description: string };
  t.match(security.description, /POST \/api\/v1\/api-keys/, 'the security scheme says where keys come from');
  t.match(security.description, /npm run api-key/);
  t.match(security.description, /without Bearer/, 'and that the key is pasted without Bearer');
});
