import t from 'tap';
import { openDatabase } from '../../../../src/db/client.js';
import { startTestApp } from '../../../helpers/app.js';
import { createTestDatabase, testDatabaseUrl } from '../../../helpers/database.js';
import { startTcpProxy } from '../../../helpers/tcp-proxy.js';

/**
 * When PostgreSQL becomes unreachable the service answers 503 problem+json with Retry-After
 * (readiness included) instead of hanging or leaking errors, and recovers without a restart
 * once the database is back. The outage is played with a TCP proxy in front of the server.
 */
const onPostgres = testDatabaseUrl() !== undefined;

t.test('a database outage answers 503 and the service recovers on its own', { skip: !onPostgres && 'needs PostgreSQL (DATABASE_URL)' }, async (t) => {
  const owner = await createTestDatabase();
  t.teardown(() => owner.close());
  const target = new URL(owner.url!);
  const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  t.teardown(() => proxy.close());
  const viaProxy = new URL(owner.url!);
  viaProxy.host = `127.0.0.1:${proxy.port}`;
  const database = await openDatabase({
    databaseUrl: viaProxy.toString(),
    dataDir: 'unused',
    poolSize: 4,
    statementTimeoutMs: 1_000,
    connectTimeoutMs: 2_000,
  });
  const ctx = await startTestApp(t, { database: { database, url: viaProxy.toString(), close: () => database.close() } });
  t.teardown(() => database.close());

  t.equal((await ctx.admin.get('/api/v1/organisations')).statusCode, 200, 'works before the outage');

  for (const fault of ['cut', 'stall'] as const) {
    proxy[fault]();
    const readyStarted = Date.now();
    const ready = await ctx.app.inject({ method: 'GET', url: '/health/ready' });
    t.comment(`${fault}: /health/ready answered ${ready.statusCode} after ${Date.now() - readyStarted} ms`);
    t.equal(ready.statusCode, 503, `${fault}: readiness answers 503`);
    t.match(ready.headers['content-type'], /^application\/problem\+json/);

    const started = Date.now();
    const res = await ctx.admin.get('/api/v1/organisations');
    t.comment(`${fault}: an API call answered ${res.statusCode} after ${Date.now() - started} ms`);
    t.equal(res.statusCode, 503, `${fault}: an API call answers 503`);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    t.equal(res.headers['retry-after'], '5', `${fault}: with Retry-After`);
    t.equal(res.json().code, 'SERVICE_UNAVAILABLE');
    t.notMatch(res.body, /\n\s+at |Error:|SELECT|postgres/i, `${fault}: no stack, SQL or driver detail`);

    const write = await ctx.admin.post('/api/v1/organisations', { name: 'During the outage', kind: 'other' });
    t.equal(write.statusCode, 503, `${fault}: a write answers 503 too`);

    proxy.restore();
    const restored = Date.now();
    let recovered = false;
    for (let attempt = 0; attempt < 100 && !recovered; attempt++) {
      recovered = (await ctx.app.inject({ method: 'GET', url: '/health/ready' })).statusCode === 200;
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    t.ok(recovered, `${fault}: readiness recovers without a restart`);
    t.comment(`${fault}: recovered ${Date.now() - restored} ms after the database came back`);
    t.equal((await ctx.admin.get('/api/v1/organisations')).statusCode, 200, `${fault}: API calls work again`);
    const after = await ctx.admin.post('/api/v1/organisations', { name: `After the ${fault}`, kind: 'other' });
    t.equal(after.statusCode, 201, `${fault}: writes work again`);
  }

  const list = (await ctx.admin.get('/api/v1/organisations?limit=200')).json().items as { name: string }[];
  t.notOk(list.some((o) => o.name === 'During the outage'), 'nothing half-written during the outage');
  t.equal((await ctx.admin.get('/api/v1/audit-events/verify')).json().valid, true, 'the audit chain stayed intact');
});
