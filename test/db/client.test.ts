import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { openDatabase, queryRows, type Database, type ListenHandlers } from '../../src/db/client.js';
import { LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { dumpEmbedded } from '../../src/db/embedded-backup.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

/**
 * Opening the database: PostgreSQL when a URL is given (a pool in pipeline mode, LISTEN on a
 * connection of its own that comes back after an outage, a ping that gives up), the embedded
 * PGlite otherwise (in memory or on disk behind its lock). Each part runs in the suite's run for
 * that database: PGlite's when DATABASE_URL is unset, PostgreSQL's when it is set.
 */
const onPostgres = testDatabaseUrl() !== undefined;
const POSTGRES_RUN = onPostgres ? false : 'needs PostgreSQL (DATABASE_URL)';
const CHANNEL = 'eszl_client_test';

const until = async (what: string, done: () => boolean) => {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!done()) throw new Error(`gave up waiting: ${what}`);
};

/** Counts what a subscription reports. */
function listener(): ListenHandlers & { counts: { notify: number; ready: number; lost: number } } {
  const counts = { notify: 0, ready: 0, lost: 0 };
  return { counts, onNotify: () => counts.notify++, onReady: () => counts.ready++, onLost: () => counts.lost++ };
}

async function migratedTables(database: Database): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(database.db, sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_name in ('decisions', 'audit_events') order by 1`);
  return rows.map((row) => row.name);
}

// The embedded part runs in the PGlite run of the suite only (the PostgreSQL run skips nothing).
if (!onPostgres) t.test('without a URL, the embedded database: migrated, pinged, notifying in-process, locked while open, closed for good', async (t) => {
  // On disk rather than in memory, which adds the lock; opened twice, the second time to find its data.
  const dataDir = join(mkdtempSync(join(tmpdir(), 'eszl-client-')), 'data');
  t.teardown(() => rmSync(join(dataDir, '..'), { recursive: true, force: true }));
  const database = await openDatabase({ dataDir, holder: 'client test' });
  t.equal(database.kind, 'pglite');
  t.equal(database.pool, undefined);
  t.equal(database.dataDir, dataDir);
  t.same(await migratedTables(database), ['audit_events', 'decisions']);
  t.ok(existsSync(join(dataDir, LOCK_FILE)), 'the directory was created and locked');
  await t.rejects(openDatabase({ dataDir }), { message: /already open in this process/ });
  await database.ping();

  const handlers = listener();
  const stop = await database.listen(CHANNEL, handlers);
  t.same(handlers.counts, { notify: 0, ready: 1, lost: 0 }, 'ready at once');
  await database.db.execute(sql.raw(`notify ${CHANNEL}`));
  await until('the notification', () => handlers.counts.notify === 1);
  await stop();
  await database.db.execute(sql.raw(`notify ${CHANNEL}`));
  await t.rejects(database.listen('Robert"); drop table decisions; --', listener()), { message: /^invalid channel name/ });

  await database.db.execute(sql`insert into organisations (name, kind) values ('Gemeente Heerlen', 'municipality')`);
  await database.close();
  await stop();
  t.pass('stopping after close does nothing');
  await t.rejects(database.ping(), { message: 'embedded database is closed' });
  t.equal(handlers.counts.notify, 1, 'nothing arrived after the subscription ended');
  t.notOk(existsSync(join(dataDir, LOCK_FILE)), 'closing releases the lock');

  const again = await openDatabase({ dataDir });
  t.same(await queryRows(again.db, sql`select name from organisations`), [{ name: 'Gemeente Heerlen' }], 'the data is still there');
  await again.close();

  // initialData: an in-memory database started from that directory's dump holds its rows.
  const dump = await dumpEmbedded(dataDir, 'client test');
  const copy = await openDatabase({ dataDir: 'memory://', initialData: new Blob([new Uint8Array(dump)]) });
  t.same(await queryRows(copy.db, sql`select name from organisations`), [{ name: 'Gemeente Heerlen' }], 'started from the dump');
  await copy.db.execute(sql`insert into organisations (name, kind) values ('Gemeente Maastricht', 'municipality')`);
  await copy.close();
  const original = await openDatabase({ dataDir });
  t.same(await queryRows(original.db, sql`select name from organisations`), [{ name: 'Gemeente Heerlen' }], 'the copy writes to itself only');
  await original.close();
});

t.test('with a URL, PostgreSQL: a pool whose connections pipeline, migrated and pinged', { skip: POSTGRES_RUN }, async (t) => {
  const owner = await createTestDatabase();
  t.teardown(() => owner.close());
  const database = await openDatabase({ databaseUrl: owner.url!, dataDir: 'unused', poolSize: 3 });
  t.teardown(() => database.close());
  t.equal(database.kind, 'postgres');
  t.equal(database.dataDir, undefined);
  t.equal(database.pool!.options.max, 3);
  t.same(await migratedTables(database), ['audit_events', 'decisions'], 'migrating again is a no-op');
  await database.ping();
  const client = await database.pool!.connect();
  t.equal((client as unknown as { pipeline: boolean }).pipeline, true, 'pipeline mode');
  t.same((await client.query('show statement_timeout')).rows, [{ statement_timeout: '15s' }], 'statements time out after 15 s unless told');
  client.release();
  await t.rejects(database.listen('no-dashes', listener()), { message: /^invalid channel name/ });
});

t.test('on PostgreSQL a ping gives up on a database that does not answer, and succeeds again once it does', { skip: POSTGRES_RUN }, async (t) => {
  const owner = await createTestDatabase();
  t.teardown(() => owner.close());
  const proxy = await startTcpProxy('127.0.0.1', Number(new URL(owner.url!).port || 5432));
  t.teardown(() => proxy.close());
  const viaProxy = new URL(owner.url!);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const database = await openDatabase({ databaseUrl: viaProxy.toString(), dataDir: 'unused', poolSize: 2, onPoolError: () => undefined });
  t.teardown(() => database.close());
  await database.ping();
  proxy.stall();
  await t.rejects(database.ping(200), { message: 'database did not answer within 200 ms' }, 'a stalled connection');
  proxy.cut();
  await t.rejects(database.ping(200), 'no connection at all');
  proxy.restore();
  await database.ping(5_000);
  t.pass('answers again');
});

t.test('on PostgreSQL, LISTEN reports lost when its connection drops and ready again when it is back', { skip: POSTGRES_RUN }, async (t) => {
  const owner = await createTestDatabase();
  t.teardown(() => owner.close());
  const proxy = await startTcpProxy('127.0.0.1', Number(new URL(owner.url!).port || 5432));
  t.teardown(() => proxy.close());
  const viaProxy = new URL(owner.url!);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const database = await openDatabase({ databaseUrl: viaProxy.toString(), dataDir: 'unused', poolSize: 1, onPoolError: () => undefined });
  t.teardown(() => database.close());
  const notify = () => owner.database.db.execute(sql.raw(`notify ${CHANNEL}`));

  const handlers = listener();
  const stop = await database.listen(CHANNEL, handlers);
  t.same(handlers.counts, { notify: 0, ready: 1, lost: 0 });
  await notify();
  await until('the notification', () => handlers.counts.notify === 1);

  proxy.cut();
  await until('lost', () => handlers.counts.lost === 1);
  proxy.restore();
  await until('ready again', () => handlers.counts.ready === 2);
  await notify();
  await until('a notification after the reconnect', () => handlers.counts.notify === 2);

  await stop();
  await notify();
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.same(handlers.counts, { notify: 2, ready: 2, lost: 1 }, 'nothing after the subscription ended, and ending it is no loss');
});
