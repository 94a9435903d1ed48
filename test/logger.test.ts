import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import t from 'tap';
import { insertApiKey } from '../src/db/api-keys-repository.js';
import errorsPlugin from '../src/http/plugins/errors.js';
import { createLogger, loggableError, requestLogger, withoutQueryValues } from '../src/logger.js';
import { createTestDatabase } from './helpers/database.js';
import { recordingLogger } from './helpers/recording-logger.js';

/**
 * The service's logger: secrets in requests and configuration are redacted, and no error ever
 * carries a query's values into the log (a failed query's parameters can be an API key's hash).
 * The failing queries run on the test database, PGlite or PostgreSQL, whose errors differ.
 */

const db = await createTestDatabase();
t.teardown(() => db.close());

/** What an API key's hash looks like in the database: 64 hex characters. */
const secretHash = () => createHash('sha256').update(randomBytes(32)).digest('hex');

async function failure(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the query did not fail');
}

t.test('a failed query is logged with its SQL and error code, never its parameters', async (t) => {
  const hash = secretHash();
  const { logger, lines } = recordingLogger();
  const error = await failure(() => db.database.db.execute(sql`select id from no_such_table where key_hash = ${hash}`));
  t.match(`${error.message} ${String((error.cause as Error | undefined)?.message)} ${JSON.stringify(error)}`, hash, 'the error itself carries the parameter');
  logger.error({ err: error }, 'unhandled error');
  t.equal(lines.length, 1);
  t.notMatch(lines[0]!, hash, 'the log line does not');
  const logged = JSON.parse(lines[0]!) as { err: { message: string; stack: string; query?: string; params?: unknown } };
  t.match(logged.err.message, /Failed query: select id from no_such_table where key_hash = \$1/, 'the SQL text stays');
  t.match(logged.err.message, /relation "no_such_table" does not exist/, 'and what the database said');
  t.notMatch(logged.err.message, /params:/);
  t.equal(logged.err.params, undefined);
  t.match(logged.err.stack, /\n {4}at /, 'the stack stays');
  t.notMatch(logged.err.stack, /params:/);
});

t.test('a value the database echoes in its message or detail is left out too', async (t) => {
  const hash = secretHash();
  const { logger, lines } = recordingLogger();
  const cast = await failure(() => db.database.db.execute(sql`select ${hash}::uuid as id`));
  logger.error({ err: cast }, 'unhandled error');
  t.notMatch(lines[0]!, hash, 'invalid input syntax: the value is gone');
  t.match(lines[0]!, /invalid input syntax for type uuid: \\"\[redacted\]\\"/);
  t.match(lines[0]!, /"code":"22P02"/, 'the SQLSTATE stays');

  await insertApiKey(db.database.db, { name: 'first', role: 'admin', keyHash: hash });
  const duplicate = await failure(() => insertApiKey(db.database.db, { name: 'second', role: 'admin', keyHash: hash }));
  logger.error({ err: duplicate }, 'unhandled error');
  t.notMatch(lines[1]!, hash, 'a unique violation: neither its parameters nor its detail');
  t.match(lines[1]!, /"code":"23505"/);
  t.match(lines[1]!, /api_keys_key_hash_key/, 'the constraint stays');
  t.match(lines[1]!, 'insert into \\"api_keys\\"', 'and the SQL');
});

t.test('through the error handler of the app: the 500 and its log line hold no parameter', async (t) => {
  const hash = secretHash();
  const { logger, lines } = recordingLogger();
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  t.teardown(() => app.close());
  await app.register(errorsPlugin);
  app.get('/fails', async () => db.database.db.execute(sql`select id from no_such_table where key_hash = ${hash}`));
  const response = await app.inject({ method: 'GET', url: '/fails' });
  t.equal(response.statusCode, 500);
  t.notMatch(response.body, hash);
  const logged = lines.filter((line) => line.includes('unhandled error'));
  t.equal(logged.length, 1, 'the error handler logged it');
  t.match(logged[0]!, /no_such_table/);
  t.notMatch(lines.join('\n'), hash, 'no line of the request holds the hash');
});

t.test('loggableError keeps the type, the SQL and the error code; it copies and never changes the error', async (t) => {
  const cause = Object.assign(new Error('duplicate key value violates unique constraint "api_keys_key_hash_key"'), {
    code: '23505',
    constraint: 'api_keys_key_hash_key',
    detail: 'Key (key_hash)=(abc) already exists.',
    where: "unnamed portal parameter $1 = 'abc'",
  });
  class QueryError extends Error {
    constructor(readonly query: string, readonly params: unknown[], cause: Error) {
      super(`Failed query: ${query}\nparams: ${params.join(',')}`, { cause });
    }
  }
  const error = new QueryError('insert into api_keys values ($1)', ['abc'], cause);
  const copy = loggableError(error) as QueryError & { cause: typeof cause };
  t.ok(copy instanceof QueryError, 'the same type');
  t.equal(copy.message, 'Failed query: insert into api_keys values ($1)');
  t.equal(copy.query, 'insert into api_keys values ($1)');
  t.equal(copy.params, undefined);
  t.match(copy.cause, { code: '23505', constraint: 'api_keys_key_hash_key', detail: undefined, where: undefined });
  t.equal(error.params[0], 'abc', 'the error thrown is unchanged');
  t.equal(cause.detail, 'Key (key_hash)=(abc) already exists.');

  const circular = new Error('one') as Error & { other?: Error };
  circular.other = circular;
  t.equal((loggableError(circular) as typeof circular).other, undefined, 'a cycle ends');
  const inner = new AggregateError([new Error('Failed query: select 1\nparams: secret')], 'connect failed');
  const { logger, lines } = recordingLogger();
  logger.error({ err: inner }, 'failed');
  t.notMatch(lines[0]!, 'secret', 'inner errors too');
  t.match(lines[0]!, 'select 1');
});

t.test('withoutQueryValues', async (t) => {
  t.equal(withoutQueryValues('Failed query: select $1\nparams: a,b'), 'Failed query: select $1');
  t.equal(withoutQueryValues('invalid input syntax for type uuid: "x"y"'), 'invalid input syntax for type uuid: "[redacted]"');
  t.equal(withoutQueryValues('relation "x" does not exist'), 'relation "x" does not exist', 'identifiers stay');
  t.equal(withoutQueryValues('duplicate key value violates unique constraint "k"'), 'duplicate key value violates unique constraint "k"');
});

t.test('secrets in requests and configuration are redacted', async (t) => {
  const { logger, lines } = recordingLogger();
  logger.info({ req: { id: '1', method: 'GET', url: '/x', headers: { authorization: 'Bearer sekrit-key', 'idempotency-key': 'idem-1', accept: 'text/plain' } } }, 'request');
  logger.info({ key: 'sekrit-2', config: { DATABASE_URL: 'postgres://u:sekrit-3@h/db', ADMIN_API_KEY: 'sekrit-4' }, secret: 'sekrit-5' }, 'config');
  t.equal(lines.length, 2);
  t.notMatch(lines.join('\n'), /sekrit|idem-1/);
  t.match(JSON.parse(lines[0]!), { req: { method: 'GET', url: '/x', headers: { authorization: '[redacted]', accept: 'text/plain' } } });
  t.match(JSON.parse(lines[1]!), { key: '[redacted]', config: { DATABASE_URL: '[redacted]', ADMIN_API_KEY: '[redacted]' } });
});

t.test("a request's log lines carry its id, with its secrets redacted, as with pino's own child", async (t) => {
  const { logger, records } = recordingLogger();
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger, childLoggerFactory: requestLogger, genReqId: (request) => String(request.headers['x-request-id']) });
  t.teardown(() => app.close());
  app.get('/quiet', { logLevel: 'warn' }, async (request) => {
    request.log.info('not written: the route logs warnings only');
    request.log.warn({ key: 'sekrit-route' }, 'route level');
    return {};
  });
  app.get('/plain', async (request) => {
    request.log.info({ authorization: 'Bearer sekrit-plain', nested: { key: 'sekrit-nested' } }, 'handler line');
    return {};
  });
  await app.inject({ method: 'GET', url: '/plain', headers: { 'x-request-id': 'req-1', authorization: 'Bearer sekrit-header' } });
  await app.inject({ method: 'GET', url: '/quiet', headers: { 'x-request-id': 'req-"2"' } });
  const lines = records<{ reqId?: string; msg?: string; req?: { headers?: Record<string, string> }; key?: string; authorization?: string; nested?: { key?: string } }>();
  const first = lines.filter((line) => line.reqId === 'req-1');
  t.same(first.map((line) => line.msg), ['incoming request', 'handler line', 'request completed'], 'every line of the request names it');
  t.equal(first[0]!.req?.headers?.authorization, '[redacted]', 'the Authorization header is redacted');
  t.equal(first[1]!.authorization, '[redacted]');
  t.equal(first[1]!.nested?.key, '[redacted]');
  const second = lines.filter((line) => line.reqId === 'req-"2"');
  t.same(second.map((line) => line.msg), ['route level'], "a route's own level still applies, and a quote in the id stays JSON");
  t.equal(second[0]!.key, '[redacted]');
  t.notMatch(JSON.stringify(lines), /sekrit/, 'no secret in any line');

  // The same lines as pino's own child writes them, apart from the time.
  const own = recordingLogger();
  const direct = requestLogger(own.logger as FastifyBaseLogger, { reqId: 'req-3' }, {}, undefined);
  const viaPino = own.logger.child({ reqId: 'req-3' });
  direct.info({ a: 1 }, 'same');
  viaPino.info({ a: 1 }, 'same');
  const [mine, pinos] = own.records<Record<string, unknown>>().map(({ time: _time, ...rest }) => rest);
  t.same(mine, pinos, 'the same fields as pino would write');
  t.equal(JSON.stringify(Object.keys(mine!)), JSON.stringify(Object.keys(pinos!)), 'in the same order');
});

t.test('trace ids join a line only with tracing on and a span active', async (t) => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _e, callback) => (lines.push(String(chunk)), callback()) });
  createLogger('info', sink, { traceIds: true }).info('outside any span');
  t.notMatch(lines[0]!, /trace_id/, 'no span, no trace id');
  t.match(lines[0]!, /"time":"\d{4}-\d\d-\d\dT/, 'ISO timestamps');
});
