import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { queryRows } from '../src/db/client.js';
import { baseEnv, fetchReady, freePort, killGroup, serverDatabase, start, tempDataDir, waitUntilReady, within, type Started } from './helpers/server-process.js';

/**
 * The server's start-up as an operator meets it (the process from the TypeScript sources): a
 * wrong setting or an unreachable database stops it with one line and its exit code; on an empty
 * register it says what to do next (on PGlite: load the demo or create a key; on PostgreSQL here
 * with SEED_DEMO=true, it loads the demo itself); SIGTERM ends it with 0. Serving, draining and
 * the data directory's lock are test/e2e's.
 */
async function stopped(t: Test, server: Started): Promise<void> {
  server.child.kill('SIGTERM');
  const exit = await within(server.exited, 20_000);
  t.same(exit, { code: 0, signal: null }, 'SIGTERM ends it with 0');
  t.match(server.stdout(), /"msg":"stopped"/);
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

t.test('a wrong setting exits 78 and an unreachable database 1, each with one line on stderr', async (t) => {
  const env = { ...baseEnv(), PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  const misconfigured = start({ ...env, ADMIN_API_KEY: 'short' });
  t.teardown(() => killGroup(misconfigured));
  t.same(await within(misconfigured.exited, 30_000), { code: 78, signal: null }, 'EX_CONFIG');
  t.match(lines(misconfigured.stderr()), [/^Invalid configuration: ADMIN_API_KEY /]);
  t.equal(lines(misconfigured.stderr()).length, 1);

  const nowhere = `postgres://postgres@127.0.0.1:${await freePort()}/nothing_test`;
  const unreachable = start({ ...env, DATABASE_URL: nowhere, DB_CONNECT_TIMEOUT_MS: '1000' });
  t.teardown(() => killGroup(unreachable));
  t.same(await within(unreachable.exited, 30_000), { code: 1, signal: null });
  t.match(lines(unreachable.stderr()), [/^Cannot open the database: .*ECONNREFUSED/]);
  t.equal(lines(unreachable.stderr()).length, 1);
  t.match(unreachable.stdout(), /"level":60.*"msg":"cannot open the database"/, 'the log has it too, as fatal');
});

// The embedded database's start runs in the PGlite run of the suite only (the PostgreSQL run skips nothing).
if (!process.env.DATABASE_URL) t.test('on an empty embedded register it says how to load the demo and create the first key', async (t) => {
  const port = await freePort();
  const server = start({ ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: await tempDataDir(t, 'eszl-server-') });
  t.teardown(() => killGroup(server));
  await waitUntilReady(server, () => fetchReady(`http://127.0.0.1:${port}`), 60_000);
  t.match(server.stdout(), /"database":"pglite"/);
  t.match(server.stdout(), /the register is empty: run `npm run seed:demo` or start with SEED_DEMO=true/);
  t.match(server.stdout(), /no admin API key exists: stop the server and run `npm run api-key -- create --role admin/, 'PGlite: stop the server first');
  await stopped(t, server);
});

t.test('on PostgreSQL with SEED_DEMO=true it loads the demo into an empty register', { skip: process.env.DATABASE_URL ? false : 'needs PostgreSQL (DATABASE_URL)' }, async (t) => {
  const database = (await serverDatabase(t))!;
  const port = await freePort();
  const server = start({ ...baseEnv(), PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', DATABASE_URL: database.url!, SEED_DEMO: 'true' });
  t.teardown(() => killGroup(server));
  await waitUntilReady(server, () => fetchReady(`http://127.0.0.1:${port}`), 60_000);
  t.match(server.stdout(), /"database":"postgres"/);
  t.match(server.stdout(), /"msg":"demo data: /, 'it reports the demo as it loads');
  t.notMatch(server.stdout(), /the register is empty/);
  t.match(server.stdout(), /no admin API key exists: run `npm run api-key -- create --role admin --name <your name>` with the same DATABASE_URL/, 'PostgreSQL: no need to stop');
  const [organisations] = await queryRows<{ n: number }>(database.database.db, sql`select count(*)::int as n from organisations`);
  t.ok(organisations!.n > 0, `the demo's organisations are in the register (${organisations!.n})`);
  await stopped(t, server);
});
