import { randomUUID } from 'node:crypto';
import t from 'tap';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { ADMIN_KEY, startTestApp } from '../../helpers/app.js';
import { seededRng } from '../../helpers/concurrency.js';
import { problemOf } from '../../helpers/assertions.js';
import { ValueGenerator, type Json } from '../../reliability/support/generator.js';
import { fetchOpenApi, fillPath, operationsOf, type JsonSchema } from '../../reliability/support/openapi.js';

/**
 * An unknown query parameter answers 400 on every route of the API, before any lookup (so also
 * for an id that does not exist), never silently ignored. Walks every operation of the OpenAPI
 * document the app serves, so a route added later is checked too: each gets a made-up parameter,
 * random ids in its path and, when it takes a body, a body valid against its schema (the body is
 * validated before the query, and must not be what fails).
 */
const ctx = await startTestApp(t);
const doc = await fetchOpenApi(ctx.app);
const operations = operationsOf(doc);
const rng = seededRng(20260301);
// Made-up ids throughout: nothing needs to exist, the request must fail before any lookup.
const madeUp = [randomUUID()];
const generator = new ValueGenerator(rng, 20260301, { organisations: madeUp, centreMunicipalities: madeUp, programmes: madeUp, decisions: madeUp });
const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv, { mode: 'full' });

/** NUL and lone surrogates, which the service refuses in any text before validating (JSON.stringify escapes them). */
const UNSTORABLE = /\\u0000|\\ud[89a-f]/i;

/** A body valid against the operation's schema (the generator can miss a pattern or pick exotic text: try again). */
function validBody(schema: JsonSchema): Json {
  const validate = ajv.compile(schema);
  for (let attempt = 0; attempt < 50; attempt++) {
    const body = generator.valid(schema);
    if (validate(body) && !UNSTORABLE.test(JSON.stringify(body))) return body;
  }
  throw new Error(`no valid body for ${JSON.stringify(schema).slice(0, 200)}`);
}

t.test('the walk covers every operation of the document', async (t) => {
  t.ok(operations.length >= 30, `${operations.length} operations`);
});

for (const operation of operations) {
  t.test(`${operation.method} ${operation.path} answers 400 to an unknown query parameter, before any lookup`, async (t) => {
    // A made-up id for an id, a valid value of its schema for anything else (an audit seq).
    const pathValue = (schema: JsonSchema) => ((schema as { format?: string }).format === 'uuid' ? randomUUID() : String(generator.valid(schema)));
    const pathValues = Object.fromEntries(operation.parameters.filter((p) => p.in === 'path').map((p) => [p.name, pathValue(p.schema)]));
    const required = operation.parameters.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${String(generator.valid(p.schema))}`);
    const url = `${fillPath(operation.path, pathValues)}?${[...required, 'madeUpParameter=1'].join('&')}`;
    const body = operation.body === undefined ? undefined : validBody(operation.body);
    const res = await ctx.app.inject({
      method: operation.method,
      url,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { payload: JSON.stringify(body) }),
    });
    const problem = problemOf(t, res, 400, 'VALIDATION_FAILED');
    t.same(problem.paths, ['query.madeUpParameter'], 'names the parameter');
  });
}

t.test('the public OpenAPI document refuses unknown parameters too', async (t) => {
  problemOf(t, await ctx.app.inject({ method: 'GET', url: '/api/v1/openapi.json?madeUpParameter=1' }), 400, 'VALIDATION_FAILED');
});
