import t from 'tap';
import Fastify from 'fastify';
import { Type } from 'typebox';
import type { Test } from 'tap';
import { schemaCompilers } from '../../../src/http/plugins/compilers.js';
import { startTestApp } from '../../helpers/app.js';

/** A small app on the compilers, with one route whose body and response have schemas. */
async function tinyApp(t: Test) {
  const compilers = schemaCompilers();
  const app = Fastify({ schemaController: { compilersFactory: compilers.factory as never } });
  app.post(
    '/echo',
    {
      schema: {
        body: Type.Object({ name: Type.String({ maxLength: 5 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ name: Type.String(), length: Type.Integer() }, { additionalProperties: false }) },
      },
    },
    async (request) => {
      const { name } = request.body as { name: string };
      // `secret` is not in the response schema: the serialiser must leave it out.
      return { name, length: name.length, secret: 'not serialised' };
    },
  );
  await app.ready();
  t.teardown(() => app.close());
  return { app, compilers };
}

t.test('a route compiles its schemas on first use and then validates and serialises as declared', async (t) => {
  const { app, compilers } = await tinyApp(t);
  const ok = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'Ada' } });
  t.equal(ok.statusCode, 200);
  t.same(JSON.parse(ok.body), { name: 'Ada', length: 3 }, 'the response schema decides what is sent');

  const invalid = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'Ada Lovelace' } });
  t.equal(invalid.statusCode, 400, 'a body against its schema is refused');
  t.match(invalid.body, /must NOT have more than 5 characters/, "the validator's errors reach the error handler");
  const again = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'Bob' } });
  t.same(JSON.parse(again.body), { name: 'Bob', length: 3 }, 'after a failed validation the next one passes again');

  t.equal(compilers.compileAll(), 0, 'nothing left to compile once the route has served (body and response)');
});

t.test('compileAll compiles every schema not yet used, once', async (t) => {
  const { app, compilers } = await tinyApp(t);
  t.ok(compilers.compileAll() >= 2, 'the body validator and the 200 serialiser (at least)');
  t.equal(compilers.compileAll(), 0, 'a second call finds nothing pending');
  const ok = await app.inject({ method: 'POST', url: '/echo', payload: { name: 'Ada' } });
  t.same(JSON.parse(ok.body), { name: 'Ada', length: 3 }, 'and the compiled route serves as before');
});

t.test('a schema that cannot compile fails compileAll, as it failed the start before', async (t) => {
  const compilers = schemaCompilers();
  const app = Fastify({ schemaController: { compilersFactory: compilers.factory as never } });
  app.get('/broken', { schema: { response: { 200: { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } } } } }, async () => ({ a: 1 }));
  await app.ready();
  t.teardown(() => app.close());
  t.throws(() => compilers.compileAll(), 'the unresolvable $ref is reported');
});

t.test("the service's app: every route schema compiles, and a lazily compiled answer has the same bytes", async (t) => {
  const lazy = await startTestApp(t);
  const eager = await startTestApp(t, { database: lazy.db });
  const compiled = eager.app.compileSchemas();
  t.ok(compiled > 100, `every validator and serialiser of the service compiles (${compiled})`);
  t.equal(eager.app.compileSchemas(), 0, 'none left after');

  await lazy.admin.post('/api/v1/organisations', { name: 'Gemeente Heerlen', kind: 'municipality' });
  for (const url of ['/api/v1/organisations', '/api/v1/programmes?limit=1', '/api/v1/organisations?limit=0', '/api/v1/statute-rules']) {
    const [a, b] = [await lazy.admin.get(url), await eager.admin.get(url)];
    t.equal(a.statusCode, b.statusCode, `${url}: same status`);
    t.equal(a.body, b.body, `${url}: same bytes`);
  }
});
