import t from 'tap';
import { sql } from 'drizzle-orm';
import type { KeyPrincipal } from '../../src/domain/access.js';
import { queryRows } from '../../src/db/client.js';
import { PrincipalCache } from '../../src/use-cases/principal-cache.js';
import { startTestApp, type Client, type TestApp } from '../helpers/app.js';
import { createKey } from '../helpers/factories.js';

/**
 * Every instance caches the principals of the keys it authenticated; a trigger on api_keys
 * notifies all instances of any change, and each forgets what it cached. These tests show the
 * cache is really used (with the trigger switched off a revoked key still works on an instance
 * that cached it) and that it never outlives a change (with the trigger on, every instance
 * refuses the key, whoever revoked it and how).
 */
const env = { MAX_EVENT_LOOP_DELAY_MS: '0' };
const READ = '/api/v1/programmes?limit=1';
const reader: KeyPrincipal = {
  keyId: '00000000-0000-4000-8000-00000000000a',
  role: 'reader',
  organisationId: null,
  name: 'reader key',
  createdAt: new Date('2026-01-01T00:00:00Z'),
};

t.test('PrincipalCache: serves only while live, forgets on invalidate, refuses answers older than the last change', async (t) => {
  let now = 1_000;
  const cache = new PrincipalCache({ ttlMs: 100, maxEntries: 3, now: () => now });

  cache.set('a', reader, cache.generation);
  t.equal(cache.get('a'), undefined, 'nothing is cached before the notification channel is ready');

  cache.ready();
  cache.set('a', reader, cache.generation);
  t.same(cache.get('a'), reader, 'cached once live');

  now += 100;
  t.equal(cache.get('a'), undefined, 'an entry expires after ttlMs');

  cache.set('a', reader, cache.generation);
  cache.invalidate();
  t.equal(cache.get('a'), undefined, 'invalidate forgets');

  const before = cache.generation;
  cache.invalidate(); // a change committed while a lookup was under way
  cache.set('a', reader, before);
  t.equal(cache.get('a'), undefined, 'a lookup that started before a change is not stored');

  for (const hash of ['a', 'b', 'c']) cache.set(hash, reader, cache.generation);
  t.equal(cache.size, 3);
  cache.set('d', reader, cache.generation);
  t.equal(cache.size, 1, 'a full cache starts over instead of growing');
  t.same(cache.get('d'), reader);

  cache.lost();
  t.equal(cache.get('d'), undefined, 'nothing is served while notifications cannot arrive');
  cache.set('d', reader, cache.generation);
  t.equal(cache.size, 0, 'and nothing is stored');

  const off = new PrincipalCache({ ttlMs: 0, maxEntries: 3 });
  off.ready();
  off.set('a', reader, off.generation);
  t.equal(off.get('a'), undefined, 'ttlMs 0 switches the cache off');
});

/** Polls until `client` gets `status` on a read, up to `ms`; the status seen last. */
async function statusWithin(client: Client, status: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const seen = (await client.get(READ)).statusCode;
    if (seen === status || Date.now() > until) return seen;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function setTriggers(app: TestApp, enabled: boolean): Promise<void> {
  const verb = enabled ? sql.raw('ENABLE') : sql.raw('DISABLE');
  await app.db.database.db.execute(sql`ALTER TABLE api_keys ${verb} TRIGGER api_keys_changed`);
}

async function revokeInSql(app: TestApp, keyId: string): Promise<void> {
  await app.db.database.db.execute(sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${keyId}`);
}

// Two instances of the service on one database, as in production: each with its own cache.
const a = await startTestApp(t, { env });
const b = await startTestApp(t, { env, database: a.db });

t.test('the cache is used: with the change trigger off, an instance that cached a key still accepts it after a revoke in SQL', async (t) => {
  const key = await createKey(a.admin, 'reader');
  t.equal((await b.as(key.key).get(READ)).statusCode, 200, 'instance B authenticates the key (and caches it)');
  await setTriggers(a, false);
  t.teardown(() => setTriggers(a, true));
  await revokeInSql(a, key.id);
  t.equal((await b.as(key.key).get(READ)).statusCode, 200, 'B serves the key from its cache: nobody told it');
  t.equal((await a.as(key.key).get(READ)).statusCode, 401, 'A never cached it and asks the database');
});

t.test('a revocation through the API: the revoking instance refuses at once, the other within moments', async (t) => {
  const key = await createKey(a.admin, 'reader');
  t.equal((await a.as(key.key).get(READ)).statusCode, 200);
  t.equal((await b.as(key.key).get(READ)).statusCode, 200);
  t.equal((await a.admin.delete(`/api/v1/api-keys/${key.id}`)).statusCode, 204);
  t.equal((await a.as(key.key).get(READ)).statusCode, 401, 'A refuses the key in the very next request');
  const started = Date.now();
  t.equal(await statusWithin(b.as(key.key), 401, 5_000), 401, 'B refuses it once the notification arrived');
  t.comment(`B refused the revoked key after ${Date.now() - started} ms`);
  const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).as(key.key).get(READ)));
  t.same([...new Set(burst.map((res) => res.statusCode))], [401], 'and keeps refusing it on both instances');
});

t.test('a revocation by hand in SQL reaches every instance', async (t) => {
  const key = await createKey(a.admin, 'auditor');
  t.equal((await a.as(key.key).get(READ)).statusCode, 200);
  t.equal((await b.as(key.key).get(READ)).statusCode, 200);
  await revokeInSql(a, key.id);
  t.equal(await statusWithin(a.as(key.key), 401, 5_000), 401, 'A refuses it');
  t.equal(await statusWithin(b.as(key.key), 401, 5_000), 401, 'B refuses it');
});

t.test('requests in flight during a revocation leave nothing stale behind', async (t) => {
  const key = await createKey(a.admin, 'reader');
  const client = b.as(key.key);
  t.equal((await client.get(READ)).statusCode, 200);
  const storm = Array.from({ length: 60 }, () => client.get(READ));
  const revoked = a.admin.delete(`/api/v1/api-keys/${key.id}`);
  await Promise.all(storm);
  t.equal((await revoked).statusCode, 204);
  t.equal(await statusWithin(client, 401, 5_000), 401, 'B refuses it once notified');
  const after = await Promise.all(Array.from({ length: 60 }, () => client.get(READ)));
  t.same([...new Set(after.map((res) => res.statusCode))], [401], 'no lookup that raced the revocation re-cached the key');
});

t.test('AUTH_CACHE_TTL_MS=0 looks every key up: a revoke unseen by any trigger still acts at once', async (t) => {
  const uncached = await startTestApp(t, { env: { ...env, AUTH_CACHE_TTL_MS: '0' }, database: a.db });
  const key = await createKey(a.admin, 'reader');
  t.equal((await uncached.as(key.key).get(READ)).statusCode, 200);
  await setTriggers(a, false);
  t.teardown(() => setTriggers(a, true));
  await revokeInSql(a, key.id);
  t.equal((await uncached.as(key.key).get(READ)).statusCode, 401);
});

t.test('PostgreSQL: when the notification connection drops, the cache is emptied and only refilled once it listens again', { skip: a.db.url === undefined && 'needs PostgreSQL' }, async (t) => {
  const key = await createKey(a.admin, 'reader');
  t.equal((await b.as(key.key).get(READ)).statusCode, 200, 'B caches the key');
  const listeners = async () =>
    (
      await queryRows<{ pid: number }>(
        a.db.database.db,
        sql`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'eszl-decisions-listen'`,
      )
    ).map((row) => row.pid);
  const before = await listeners();
  t.ok(before.length >= 2, `both instances listen (${before.length} listening connections)`);
  await setTriggers(a, false);
  t.teardown(() => setTriggers(a, true));
  await a.db.database.db.execute(
    sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'eszl-decisions-listen'`,
  );
  // Wait for the instances to listen again, on new connections.
  const until = Date.now() + 10_000;
  let after: number[] = [];
  while (Date.now() < until) {
    after = await listeners();
    if (after.length >= before.length && after.every((pid) => !before.includes(pid))) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.ok(after.length >= before.length && after.every((pid) => !before.includes(pid)), 'the listening connections were re-established');
  // Revoked with the trigger off: no notification at all. B must not answer from what it cached before the drop.
  await revokeInSql(a, key.id);
  t.equal((await b.as(key.key).get(READ)).statusCode, 401, 'B forgot everything when its connection dropped');
});
