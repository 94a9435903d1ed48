import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { RecordedStatement } from '../lib/statement-recorder.js';

/** The recorded writes (`bench/run.ts` writes the file) and the values each request replaces. */
interface WriteScripts {
  vote: { statements: RecordedStatement[]; decisionId: string; municipalityId: string };
  create: { statements: RecordedStatement[]; reference: string };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const IS_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A replay of recorded statements on one pipelined connection, round trip by round trip as they
 * were sent. Each request's own values replace the recorded ones (in parameters and inside the
 * JSON of the audit events alike); an id the database generated (a new row's, returned) is
 * replaced by the one it generates now, learnt from the answer of the round trip that returned it.
 * A statement that fails rolls the transaction back and fails the request.
 */
function replayer(statements: RecordedStatement[]) {
  const trips: RecordedStatement[][] = [];
  for (const statement of statements) (trips[statement.roundTrip] ??= []).push(statement);
  const substitute = (value: unknown, map: Map<string, string>): unknown => {
    if (typeof value !== 'string') return value;
    let out = value.replace(UUID, (id) => map.get(id) ?? id);
    for (const [from, to] of map) if (!IS_UUID.test(from) && out.includes(from)) out = out.split(from).join(to);
    return out;
  };
  const learn = (recorded: unknown, actual: unknown, map: Map<string, string>): void => {
    if (typeof recorded === 'string' && typeof actual === 'string') {
      if (recorded !== actual && IS_UUID.test(recorded)) map.set(recorded, actual);
    } else if (Array.isArray(recorded) && Array.isArray(actual)) {
      recorded.forEach((item, i) => learn(item, actual[i], map));
    } else if (recorded !== null && actual !== null && typeof recorded === 'object' && typeof actual === 'object') {
      for (const key of Object.keys(recorded)) learn((recorded as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], map);
    }
  };
  return async (map: Map<string, string>): Promise<void> => {
    const client = await pool!.connect();
    let broken = false;
    try {
      for (const trip of trips) {
        const sent = trip.map((statement) =>
          client.query({
            text: statement.text,
            values: statement.values.map((value) => substitute(value, map)),
            ...(statement.name !== undefined && { name: statement.name }),
            ...(statement.rowMode !== undefined && { rowMode: statement.rowMode as 'array' }),
          }),
        );
        const answers = await Promise.allSettled(sent);
        const failed = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
        if (failed !== undefined) throw failed.reason;
        trip.forEach((statement, i) => learn(statement.rows, (answers[i] as PromiseFulfilledResult<pg.QueryResult>).value.rows, map));
      }
    } catch (error) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

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
 *   same   POST /votes          exactly the statements the service sent for one vote, and
 *          POST /decisions      for one create (recorded by bench/lib/statement-recorder.ts,
 *                              file in BENCH_SCRIPT), in one transaction, in the same
 *                              pipelined round trips, firing the same seal trigger at COMMIT,
 *                              with nothing else: no validation, no domain rule, no
 *                              rendering (B_same_vote, B_same_create)
 * Same pool size as the service (10), pipelined as the service's is (`same`).
 * Usage: node --import tsx bench/baselines/server.ts <mode>
 */
const MODES = ['hello', 'doc', 'page', 'read', 'write', 'same'] as const;
const mode = process.argv[2] as (typeof MODES)[number];
if (!MODES.includes(mode)) {
  process.stderr.write(`usage: server.ts ${MODES.join('|')}\n`);
  process.exit(2);
}
const port = Number(process.env.PORT ?? 3100);

const app = Fastify({ logger: false });
const pool = mode === 'hello' ? undefined : new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10, ...(mode === 'same' && { pipeline: true }) } as pg.PoolConfig);
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

if (mode === 'same') {
  const script = JSON.parse(readFileSync(process.env.BENCH_SCRIPT!, 'utf8')) as WriteScripts;
  const vote = replayer(script.vote.statements);
  const create = replayer(script.create.statements);
  app.post<{ Body: { decisionId: string; municipalityId: string } }>('/votes', async (request, reply) => {
    const { decisionId, municipalityId } = request.body;
    await vote(
      new Map([
        [script.vote.decisionId, decisionId],
        [script.vote.municipalityId, municipalityId],
      ]),
    );
    return reply.code(201).send({ ok: true });
  });
  app.post<{ Body: { reference: string } }>('/decisions', async (request, reply) => {
    await create(new Map([[script.create.reference, request.body.reference]]));
    return reply.code(201).send({ ok: true });
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
