import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import t, { type Test } from 'tap';
import type { Database } from '../../src/db/client.js';
import { healthRoutes } from '../../src/http/health.js';
import errorsPlugin from '../../src/http/plugins/errors.js';
import { problemOf } from '../helpers/assertions.js';
import { createTestDatabase } from '../helpers/database.js';
import { recordingLogger } from '../helpers/recording-logger.js';

/**
 * Liveness and readiness on their own: the health routes and the errors plugin in a small app.
 * Live answers whatever the database does; ready asks the database and answers 503 problem+json
 * with Retry-After when it does not answer, saying nothing of why (the log says it).
 */
async function appWith(t: Test, database: Database): Promise<{ app: FastifyInstance; logLines: () => Record<string, unknown>[] }> {
  const { logger, records } = recordingLogger();
  const app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  t.teardown(() => app.close());
  await app.register(errorsPlugin);
  await app.register(healthRoutes, { database });
  await app.ready();
  return { app, logLines: () => records() };
}

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });

const db = await createTestDatabase();
t.teardown(() => db.close());

t.test('with the database up, live and ready both answer 200 without a key', async (t) => {
  const { app } = await appWith(t, db.database);
  const live = await get(app, '/health/live');
  t.equal(live.statusCode, 200);
  t.match(String(live.headers['content-type']), /^application\/json/);
  t.same(live.json(), { status: 'ok' }, 'live says nothing of the database');
  const ready = await get(app, '/health/ready');
  t.equal(ready.statusCode, 200);
  t.same(ready.json(), { status: 'ok', database: 'up' });
});

t.test('ready asks the database within a second; a database that does not answer makes it 503 with Retry-After', async (t) => {
  const timeouts: (number | undefined)[] = [];
  const silent: Database = {
    ...db.database,
    ping: async (timeoutMs) => {
      timeouts.push(timeoutMs);
      throw new Error('no answer from db.internal.example:5432 within the timeout');
    },
  };
  const { app, logLines } = await appWith(t, silent);

  const ready = await get(app, '/health/ready');
  const body = problemOf(t, ready, 503, 'SERVICE_UNAVAILABLE');
  t.equal(body.detail, 'The database is not reachable.');
  t.equal(ready.headers['retry-after'], '5');
  t.notMatch(ready.body, /db\.internal|5432|timeout/, 'the cause stays out of the answer');
  t.equal(timeouts.length, 1, 'one ping per readiness check');
  t.ok(timeouts[0] !== undefined && timeouts[0] > 0 && timeouts[0] < 1_000, `bounded below the usual one-second probe timeout (${String(timeouts[0])} ms)`);

  const warning = logLines().find((line) => line.msg === 'readiness check failed');
  t.equal(warning?.level, 40, 'the failure is logged as a warning');
  t.match((warning?.err as { message?: string } | undefined)?.message, /db\.internal\.example/, 'with its cause');

  const live = await get(app, '/health/live');
  t.equal(live.statusCode, 200, 'live does not ask the database');
  t.same(live.json(), { status: 'ok' });
  t.equal(timeouts.length, 1, 'no ping for live');
});

t.test('a closed database makes ready answer 503 while live stays 200', async (t) => {
  const closing = await createTestDatabase();
  // The test closes the database itself; the teardown's second close must still drop a
  // throw-away PostgreSQL database, so closing twice closes once.
  const closeDatabase = closing.database.close.bind(closing.database);
  let closed: Promise<void> | undefined;
  closing.database.close = () => (closed ??= closeDatabase());
  t.teardown(() => closing.close());
  const { app } = await appWith(t, closing.database);
  t.equal((await get(app, '/health/ready')).statusCode, 200, 'ready while the database is open');

  await closing.database.close();
  problemOf(t, await get(app, '/health/ready'), 503, 'SERVICE_UNAVAILABLE');
  t.equal((await get(app, '/health/live')).statusCode, 200, 'still live');
});
