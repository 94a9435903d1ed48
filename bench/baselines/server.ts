import Fastify from 'fastify';
import pg from 'pg';

/**
 * Baselines for the benches, each the least a route of its kind can do on this stack:
 *   hello  GET  /hello          a small JSON, no database                                  (B_hello)
 *   doc    GET  /decisions/:id  the stored JSON of one decision, the very bytes the service
 *                              answers, by ONE primary-key SELECT of bench_decision_json    (B_doc)
 *   page   GET  /decisions      50 stored documents by keyset (?after=<id>), joined into the
 *                              service's page shape {"items":[...],"nextCursor":...}        (B_page)
 *   read   GET  /decisions/:id  ONE primary-key SELECT of the small decisions row: the first
 *                              round's B_read, kept to show the old ratios                 (B_read)
 *   write  POST /rows           ONE INSERT into a scratch table                            (B_write)
 * Same pool size as the service (10). Usage: node --import tsx bench/baselines/server.ts <mode>
 */
const MODES = ['hello', 'doc', 'page', 'read', 'write'] as const;
const mode = process.argv[2] as (typeof MODES)[number];
if (!MODES.includes(mode)) {
  process.stderr.write(`usage: server.ts ${MODES.join('|')}\n`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 3100);

const app = Fastify({ logger: false });
const pool = mode === 'hello' ? undefined : new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
pool?.on('error', () => undefined);

app.get('/ready', async () => {
  if (pool) await pool.query('SELECT 1');
  return { ready: true };
});

if (mode === 'hello') {
  app.get('/hello', async () => ({ hello: 'world' }));
}

if (mode === 'doc') {
  app.get<{ Params: { id: string } }>('/decisions/:id', async (request, reply) => {
    const { rows } = await pool!.query<{ body: string }>('SELECT body FROM bench_decision_json WHERE id = $1', [request.params.id]);
    if (rows.length === 0) return reply.code(404).send({ status: 404 });
    return reply.type('application/json; charset=utf-8').send(rows[0]!.body);
  });
}

if (mode === 'page') {
  const first = '00000000-0000-0000-0000-000000000000';
  app.get<{ Querystring: { after?: string } }>('/decisions', async (request, reply) => {
    const { rows } = await pool!.query<{ id: string; body: string }>('SELECT id, body FROM bench_decision_json WHERE id > $1 ORDER BY id LIMIT 51', [
      request.query.after ?? first,
    ]);
    const page = rows.slice(0, 50);
    const nextCursor = rows.length > 50 ? JSON.stringify(page.at(-1)!.id) : 'null';
    return reply.type('application/json; charset=utf-8').send(`{"items":[${page.map((row) => row.body).join(',')}],"nextCursor":${nextCursor}}`);
  });
}

if (mode === 'read') {
  app.get<{ Params: { id: string } }>('/decisions/:id', async (request, reply) => {
    const { rows } = await pool!.query('SELECT * FROM decisions WHERE id = $1', [request.params.id]);
    if (rows.length === 0) return reply.code(404).send({ status: 404 });
    return rows[0];
  });
}

if (mode === 'write') {
  await pool!.query(
    'CREATE TABLE IF NOT EXISTS bench_scratch (id bigserial PRIMARY KEY, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())',
  );
  app.post('/rows', async (request, reply) => {
    const { rows } = await pool!.query('INSERT INTO bench_scratch (payload) VALUES ($1) RETURNING id, created_at', [JSON.stringify(request.body)]);
    return reply.code(201).send(rows[0]);
  });
}

const close = async () => {
  await app.close();
  await pool?.end();
  process.exit(0);
};
process.on('SIGTERM', () => void close());
process.on('SIGINT', () => void close());

await app.listen({ port, host: '127.0.0.1' });
