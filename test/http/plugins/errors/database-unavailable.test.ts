import net from 'node:net';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import pg from 'pg';
import { isDatabaseUnavailable } from '../../../../src/use-cases/database-faults.js';
import { freePort } from '../../../helpers/server-process.js';

/**
 * Which errors mean "the database is away" (503 with Retry-After) rather than a bug (500): the
 * driver's own errors, made for real against a port nothing listens on and a peer that hangs up,
 * PostgreSQL's shutdown, start-up and connection-limit states, also wrapped the way drizzle
 * wraps them; a constraint violation or an ordinary error is not one.
 */
const databaseError = (code: string, message: string) => Object.assign(new pg.DatabaseError(message, message.length, 'error'), { code });
const wrapped = (cause: Error) => new Error('Failed query: select 1\nparams: ', { cause });

t.test("the driver's errors when nothing listens and when the peer hangs up", async (t) => {
  const refused = await new pg.Client({ host: '127.0.0.1', port: await freePort(), connectionTimeoutMillis: 2_000 }).connect().catch((error: Error) => error);
  t.match(refused, { code: 'ECONNREFUSED' });
  t.ok(isDatabaseUnavailable(refused), 'connection refused');
  t.ok(isDatabaseUnavailable(wrapped(refused as Error)), 'also wrapped');

  const hangUp = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve));
  t.teardown(() => hangUp.close());
  const client = new pg.Client({ host: '127.0.0.1', port: (hangUp.address() as AddressInfo).port });
  client.on('error', () => undefined);
  const terminated = await client.connect().catch((error: Error) => error);
  await client.end().catch(() => undefined);
  t.match(terminated, { message: /Connection terminated/ });
  t.ok(isDatabaseUnavailable(terminated), (terminated as Error).message);
});

t.test('a query on a connection that failed or was closed (the messages of pg/lib/client.js)', async (t) => {
  for (const message of ['Client has encountered a connection error and is not queryable', 'Client was closed and is not queryable']) {
    t.ok(isDatabaseUnavailable(wrapped(new Error(message))), message);
  }
  const client = new pg.Client({ host: '127.0.0.1', port: await freePort() });
  await client.end();
  const closed = await client.query('select 1').catch((error: Error) => error);
  t.ok(isDatabaseUnavailable(closed), `a query after end(): ${(closed as Error).message}`);
});

t.test("PostgreSQL's shutdown, start-up and connection-limit states, wrapped or not", async (t) => {
  for (const [code, message] of [
    ['57P01', 'terminating connection due to immediate shutdown command'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['57P03', 'the database system is in recovery mode'],
    ['53300', 'sorry, too many clients already'],
    ['57014', 'canceling statement due to statement timeout'],
  ] as const) {
    t.ok(isDatabaseUnavailable(databaseError(code, message)), `${code} ${message}`);
    t.ok(isDatabaseUnavailable(wrapped(databaseError(code, message))), `${code}, wrapped`);
  }
});

t.test('a constraint violation or an ordinary error is not an outage', async (t) => {
  t.notOk(isDatabaseUnavailable(databaseError('23505', 'duplicate key value violates unique constraint')));
  t.notOk(isDatabaseUnavailable(wrapped(databaseError('40001', 'could not serialize access'))));
  t.notOk(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')")));
});
