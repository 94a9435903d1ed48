import { sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import t from 'tap';
import { openDatabase, queryRows, type Executor } from '../../src/db/client.js';
import { answersInOrder } from '../../src/db/pipeline.js';
import { constraintName, errorChain, inClosingTransaction, inReadOnlySnapshot, inTransaction, sqlState } from '../../src/db/transaction.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

/**
 * Transactions: on PostgreSQL pipelined (BEGIN goes out with the work's first statement, the
 * closing statements with COMMIT, COMMIT's answer checked), on PGlite one statement after the
 * other; on both, the first failure is the error reported, and serialization failures and
 * deadlocks are retried. What travels on the wire, a real conflict between two connections and
 * a dead connection are PostgreSQL's alone (PGlite has no network and one connection).
 */
const onPostgres = testDatabaseUrl() !== undefined;
const POSTGRES_ONLY = onPostgres ? false : 'needs PostgreSQL (DATABASE_URL): PGlite has no wire and one connection';

const owner = await createTestDatabase();
t.teardown(() => owner.close());
const database = owner.database;
await database.db.execute(sql`create table tx_probe (id integer primary key, note text not null constraint tx_probe_note_short check (length(note) < 10))`);
const probe = pgTable('tx_probe', { id: integer('id').primaryKey(), note: text('note').notNull() });

const ids = async (ex: Executor = database.db) => (await queryRows<{ id: number }>(ex, sql`select id from tx_probe order by id`)).map((row) => row.id);
const clear = () => database.db.execute(sql`delete from tx_probe`);
/** Raises a real error with this SQLSTATE in the server, as PostgreSQL's own checks would. */
const raise = (tx: Executor, state: string) => tx.execute(sql.raw(`do $$ begin raise exception 'raised %', '${state}' using errcode = '${state}'; end $$`));

/** The statements the pool's connections send, each with the round trip it went out in (counted from 1 after `reset`). */
function recordStatements(pool: pg.Pool): { log: { sql: string; trip: number }[]; reset(): void } {
  const log: { sql: string; trip: number }[] = [];
  let trip = 0;
  const recorded = new WeakSet<pg.PoolClient>();
  pool.on('acquire', (client) => {
    if (recorded.has(client)) return;
    recorded.add(client);
    let inFlight = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (inFlight === 0) trip++;
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
      log.push({ sql: text.replace(/\s+/g, ' ').trim(), trip });
      inFlight++;
      const settled = () => void inFlight--;
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (...result: unknown[]) => {
          settled();
          (callback as (...r: unknown[]) => void)(...result);
        };
        return query(...args);
      }
      const answer = query(...args);
      answer.then(settled, settled);
      return answer;
    };
  });
  return {
    log,
    reset: () => {
      log.length = 0;
      trip = 0;
    },
  };
}
const recorder = database.pool === undefined ? undefined : recordStatements(database.pool);
const wire = recorder?.log ?? [];

t.beforeEach(async () => {
  await clear();
  recorder?.reset();
});

t.test('the work, its closing statements and COMMIT land together, and the work returns its result', async (t) => {
  const result = await inClosingTransaction(
    database,
    async (tx) => {
      await tx.insert(probe).values({ id: 1, note: 'work' });
      return { result: await ids(tx), closing: [tx.insert(probe).values({ id: 2, note: 'close a' }), tx.insert(probe).values({ id: 3, note: 'close b' })] };
    },
    'repeatable read',
  );
  t.same(result, [1], 'the work saw its own write');
  t.same(await ids(), [1, 2, 3], 'the work and both closing statements committed');
});

t.test('on PostgreSQL: BEGIN goes out with the first statement, the closing statements with COMMIT', { skip: POSTGRES_ONLY }, async (t) => {
  await inClosingTransaction(
    database,
    async (tx) => {
      await tx.insert(probe).values({ id: 1, note: 'work' });
      await ids(tx);
      return { result: undefined, closing: [tx.insert(probe).values({ id: 2, note: 'close a' }), tx.insert(probe).values({ id: 3, note: 'close b' })] };
    },
    'serializable',
  );
  t.same(wire, [
    { sql: 'begin isolation level serializable', trip: 1 },
    { sql: 'insert into "tx_probe" ("id", "note") values ($1, $2)', trip: 1 },
    { sql: 'select id from tx_probe order by id', trip: 2 },
    { sql: 'insert into "tx_probe" ("id", "note") values ($1, $2)', trip: 3 },
    { sql: 'insert into "tx_probe" ("id", "note") values ($1, $2)', trip: 3 },
    { sql: 'commit', trip: 3 },
  ]);
  t.equal(database.pool!.idleCount, database.pool!.totalCount, 'the connection went back to the pool');
});

t.test('a failing closing statement is the error reported, not the 25P02 of those behind it, and nothing commits', async (t) => {
  const error = await inClosingTransaction(database, async (tx) => {
    await tx.insert(probe).values({ id: 1, note: 'work' });
    return {
      result: undefined,
      closing: [tx.insert(probe).values({ id: 2, note: 'fine' }), tx.insert(probe).values({ id: 3, note: 'far too long' }), tx.insert(probe).values({ id: 4, note: 'fine' })],
    };
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(sqlState(error), '23514', 'the check violation');
  t.equal(constraintName(error), 'tx_probe_note_short');
  if (onPostgres) {
    t.same(
      wire.slice(-5).map((s) => s.sql.split(' ')[0]),
      ['insert', 'insert', 'insert', 'commit', 'rollback'],
      'COMMIT went out with the closing statements; ROLLBACK cleaned the connection after',
    );
    t.equal(database.pool!.idleCount, database.pool!.totalCount, 'which went back to the pool');
  }
  t.same(await ids(), [], 'neither the work nor any closing statement committed');
});

t.test('statements of the work sent together: the first failure is thrown, not the 25P02 it caused', async (t) => {
  const error = await inTransaction(database, (tx) =>
    // `execute()` sends each as it is called, as the repositories do.
    answersInOrder(
      tx.execute(sql`select 1`).execute(),
      tx.execute(sql`insert into tx_probe (id, note) values (1, 'far too long')`).execute(),
      tx.execute(sql`select 2`).execute(),
    ),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(sqlState(error), '23514');
  t.same(await ids(), []);
});

t.test("COMMIT's answer is checked: work that swallowed a failed statement does not pass for committed", async (t) => {
  await t.rejects(
    inTransaction(database, async (tx) => {
      await tx.insert(probe).values({ id: 1, note: 'lost' });
      await tx.execute(sql`select 1 / 0`).catch(() => undefined);
      return 'done';
    }),
    // Ours on PostgreSQL (COMMIT answered ROLLBACK); PGlite's driver makes the same check.
    { message: onPostgres ? 'the transaction did not commit: PostgreSQL answered ROLLBACK' : /rolled back instead of committed/ },
  );
  t.same(await ids(), []);
});

t.test('serialization failures and deadlocks are retried with a fresh transaction; the failed attempt leaves nothing', async (t) => {
  for (const state of ['40001', '40P01']) {
    await clear();
    let attempts = 0;
    const result = await inTransaction(database, async (tx) => {
      attempts++;
      await tx.insert(probe).values({ id: attempts, note: `attempt` });
      if (attempts === 1) await raise(tx, state);
      return attempts;
    });
    t.equal(result, 2, `${state}: the second attempt's result`);
    t.same(await ids(), [2], `${state}: only the second attempt's write`);
  }
});

t.test('retries stop after five attempts, with the last failure', async (t) => {
  let attempts = 0;
  const error = await inTransaction(database, async (tx) => {
    attempts++;
    await raise(tx, '40001');
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(attempts, 5);
  t.equal(sqlState(error), '40001');
});

t.test('any other failure is not retried', async (t) => {
  for (const failure of ['23505', '57014', 'plain'] as const) {
    let attempts = 0;
    await t.rejects(
      inTransaction(database, async (tx) => {
        attempts++;
        if (failure === 'plain') throw new Error('the work failed');
        await raise(tx, failure);
      }),
    );
    t.equal(attempts, 1, `${failure}: one attempt`);
  }
});

t.test('two serializable transactions in write skew: one is retried, and both end as if one ran after the other', { skip: POSTGRES_ONLY }, async (t) => {
  let reads = 0;
  let bothRead!: () => void;
  const barrier = new Promise<void>((resolve) => (bothRead = resolve));
  let attempts = 0;
  // Each counts the rows, waits (on its first attempt) until the other has counted too, and adds one.
  const worker = (id: number) =>
    inTransaction(
      database,
      async (tx) => {
        attempts++;
        const [row] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from tx_probe`);
        if (++reads === 2) bothRead();
        await barrier;
        await tx.insert(probe).values({ id, note: 'skew' });
        return row!.n;
      },
      'serializable',
    );
  const seen = await Promise.all([worker(1), worker(2)]);
  t.same([...seen].sort(), [0, 1], 'one saw the other’s row: a serial order');
  t.ok(attempts >= 3, `the loser ran again (${attempts} attempts)`);
  t.same(await ids(), [1, 2]);
});

t.test('a connection lost in the middle of a transaction is released and leaves the pool; the next transaction gets a new one', { skip: POSTGRES_ONLY }, async (t) => {
  const target = new URL(owner.url!);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  t.teardown(() => proxy.close());
  const viaProxy = new URL(owner.url!);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const remote = await openDatabase({ databaseUrl: viaProxy.toString(), dataDir: 'unused', poolSize: 2, connectTimeoutMs: 2_000, onPoolError: () => undefined });
  t.teardown(() => remote.close());

  await t.rejects(
    inTransaction(remote, async (tx) => {
      await tx.insert(probe).values({ id: 1, note: 'cut' });
      proxy.cut();
      await ids(tx);
    }),
  );
  t.equal(remote.pool!.totalCount, 0, 'the lost connection was released and left the pool');
  proxy.restore();
  t.equal(await inTransaction(remote, async (tx) => (await ids(tx)).length), 0, 'a new connection works, and the cut write never committed');
});

t.test('the SQLSTATE and constraint of an error are found through its causes, at most five deep', async (t) => {
  const driver = { message: 'duplicate key', code: '23505', constraint: 'organisations_name_key' };
  const wrap = (cause: unknown, depth: number): unknown => (depth === 0 ? cause : Object.assign(new Error(`wrapper ${depth}`), { cause: wrap(cause, depth - 1) }));
  t.equal(sqlState(driver), '23505');
  t.equal(sqlState(wrap(driver, 4)), '23505', 'the fifth in the chain');
  t.equal(sqlState(wrap(driver, 5)), undefined, 'the sixth is not looked at');
  t.equal(constraintName(wrap(driver, 2)), 'organisations_name_key');
  t.equal(constraintName(new Error('no constraint')), undefined);
  t.equal(sqlState(Object.assign(new Error('network'), { code: 'ECONNRESET' })), undefined, 'a system error code is no SQLSTATE');
  t.equal(sqlState({ code: 23505 }), undefined, 'nor is a number');
  t.equal(sqlState(undefined), undefined);
  t.same([...errorChain(wrap(driver, 1))].map((e) => e.message), ['wrapper 1', 'duplicate key']);

  const real = await database.db.execute(sql`insert into tx_probe (id, note) values (1, 'far too long')`).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.equal(sqlState(real), '23514', "the driver's error, as drizzle wraps it");
  t.equal(constraintName(real), 'tx_probe_note_short');
});

t.test('inReadOnlySnapshot reads in a read-only REPEATABLE READ transaction: a write inside fails with 25006', async (t) => {
  await clear();
  await database.db.insert(probe).values({ id: 1, note: 'seen' });
  const settings = await inReadOnlySnapshot(database, async (tx) => {
    const [row] = await queryRows<{ isolation: string; readOnly: string }>(
      tx,
      sql`select current_setting('transaction_isolation') as isolation, current_setting('transaction_read_only') as "readOnly"`,
    );
    return { ...row, ids: await ids(tx) };
  });
  t.same(settings, { isolation: 'repeatable read', readOnly: 'on', ids: [1] });
  const refused = await inReadOnlySnapshot(database, (tx) => tx.insert(probe).values({ id: 2, note: 'no' })).catch((error: unknown) => error);
  t.equal(sqlState(refused), '25006', 'read_only_sql_transaction');
  t.same(await ids(), [1], 'nothing was written');
});
