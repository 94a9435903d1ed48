import { randomUUID } from 'node:crypto';
import t from 'tap';
import type { Database } from '../../../src/db/client.js';
import { fixedClock } from '../../../src/domain/clock.js';
import { createLogger } from '../../../src/logger.js';
import { WebhookDispatcher } from '../../../src/notifications/dispatcher.js';
import { createServiceMetrics } from '../../../src/observability/metrics.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme } from '../../helpers/factories.js';
import { createTestDatabase } from '../../helpers/database.js';
import { samples, valueOf } from '../../helpers/prometheus-text.js';
import { Receiver } from '../../helpers/webhook-receiver.js';

/**
 * The metrics of an instance: requests timed by route template (never a raw id), the register's
 * gauges read with one statement per scrape and following what happens (decisions by status,
 * overdue ratifications, the webhook backlog while a receiver is down, the audit head and its
 * checkpoint), and a scrape that still answers when the database does not.
 */
const ADOPTION_DAY = fixedClock('2026-03-01T12:00:00Z');
const AFTER_THE_DEADLINE = fixedClock('2026-03-20T12:00:00Z');
const WEBHOOK_SIGNING_KEY = 'metrics-webhook-signing-key-0123456789abcdef';

const metricsOf = (database: Database, clock = ADOPTION_DAY) => createServiceMetrics({ database, clock, checkpointIntervalS: 60 });
const db = await createTestDatabase();
t.teardown(() => db.close());
const metrics = metricsOf(db.database);
const ctx = await startTestApp(t, {
  clock: ADOPTION_DAY,
  database: db,
  metrics,
  env: { WEBHOOK_SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
});
const { admin } = ctx;
const scrape = async (registry = metrics.registry) => samples(await registry.metrics());

t.test('requests are timed by method, route template and status; an id or an unknown path is never a label', async (t) => {
  const id = randomUUID();
  t.equal((await admin.get(`/api/v1/decisions/${id}`)).statusCode, 404);
  t.equal((await admin.get(`/api/v1/decisions/${id}`)).statusCode, 404);
  t.equal((await admin.get(`/no/such/${id}`)).statusCode, 404);
  t.equal((await admin.get('/api/v1/organisations')).statusCode, 200);
  const text = await metrics.registry.metrics();
  const all = samples(text);
  t.equal(valueOf(all, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/decisions/{id}', status_code: '404' }), 2);
  t.equal(valueOf(all, 'http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/organisations', status_code: '200' }), 1);
  t.equal(valueOf(all, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' }), 1);
  t.notOk(text.includes(id), 'the id appears in no label');
  const routes = new Set(all.filter((s) => s.name === 'http_request_duration_seconds_count').map((s) => s.labels.route));
  t.notOk([...routes].some((route) => route?.includes(':')), `routes are written as templates: ${[...routes].join(', ')}`);
});

t.test("Node's process and event-loop metrics and the pool are there", async (t) => {
  const names = new Set((await scrape()).map((s) => s.name));
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
    t.ok(names.has(name), name);
  }
  const pool = (await scrape()).filter((s) => s.name === 'eszl_db_pool_connections');
  if (db.database.kind === 'postgres') {
    t.same(pool.map((s) => s.labels.state).sort(), ['idle', 'total', 'waiting'], 'PostgreSQL: total, idle and waiting');
    t.ok(pool.find((s) => s.labels.state === 'total')!.value >= 1, 'the pool holds a connection');
  } else {
    t.same(pool, [{ name: 'eszl_db_pool_connections', labels: { state: 'total' }, value: 1 }], 'embedded: its one connection');
  }
});

t.test('the gauges follow the register: decisions by status, overdue ratifications, the audit head and its checkpoint', async (t) => {
  const before = await scrape();
  t.equal(valueOf(before, 'eszl_ready'), 1);
  t.equal(valueOf(before, 'eszl_audit_log_checkpoint_seq'), 0, 'no checkpoint yet');
  t.ok(Number.isNaN(valueOf(before, 'eszl_audit_log_checkpoint_age_seconds')), 'and so no age');
  t.equal(valueOf(before, 'eszl_audit_log_checkpoint_interval_seconds'), 60);

  await createCentreMunicipalities(admin);
  const programme = await createProgramme(admin);
  okJson(
    t,
    await admin.post('/api/v1/statute-rules', {
      effectiveFrom: '2026-03-01',
      thresholdCents: 10_000_000,
      splitting: { scope: 'applicant_year', action: 'flag' },
      ratificationPeriodDays: 10,
      reference: 'Statuten ESZL: the colleges decide within 10 days',
    }),
    201,
  );
  const decide = (amountCents: number) =>
    createDecision(admin, {
      reference: `MET-${randomUUID()}`,
      title: 'Measured',
      boardMeetingDate: '2026-03-01',
      commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
    });
  await decide(1_000_000);
  await adopt(admin, (await decide(2_000_000)).id, 'adopted');
  await adopt(admin, (await decide(14_000_000)).id, 'pending_ratification');

  const after = await scrape();
  t.equal(valueOf(after, 'eszl_decisions', { status: 'draft' }), 1);
  t.equal(valueOf(after, 'eszl_decisions', { status: 'adopted' }), 1);
  t.equal(valueOf(after, 'eszl_decisions', { status: 'pending_ratification' }), 1);
  t.equal(valueOf(after, 'eszl_decisions', { status: 'ratified' }), 0, 'every status is reported, also at 0');
  t.equal(valueOf(after, 'eszl_ratifications_overdue'), 0, 'within the ratification period nothing is overdue');
  t.equal(valueOf(await scrape(metricsOf(db.database, AFTER_THE_DEADLINE).registry), 'eszl_ratifications_overdue'), 1, 'after it, the pending one is');

  const head = okJson<{ items: { seq: number }[] }>(t, await admin.get('/api/v1/audit-events?limit=200')).items.at(-1)!.seq;
  t.equal(valueOf(after, 'eszl_audit_head_seq'), head, 'the head is the last event of the trail');
  const checkpoint = await ctx.app.auditCheckpoints.issue();
  t.ok(checkpoint, 'a checkpoint is issued');
  const signed = await scrape();
  t.equal(valueOf(signed, 'eszl_audit_log_checkpoint_seq'), head, 'the checkpoint covers the head');
  const age = valueOf(signed, 'eszl_audit_log_checkpoint_age_seconds');
  t.ok(age >= 0 && age < 60, `its age is counted from its issue (${age} s)`);
});

t.test('the webhook backlog rises while a receiver is down and the failures are counted, never going back', async (t) => {
  const receiver = await Receiver.start(t);
  receiver.answer = () => 503;
  okJson(t, await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['decision.adopted'] }), 201);
  const dispatcher = new WebhookDispatcher({
    database: db.database,
    signingKey: WEBHOOK_SIGNING_KEY,
    allowedHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: 86_400_000,
    backoffBaseMs: 1,
    backoffMaxMs: 1,
    timeoutMs: 5_000,
  });
  const programme = await createProgramme(admin);
  const adoptOne = async () => {
    const draft = await createDecision(admin, {
      reference: `WH-${randomUUID()}`,
      title: 'Announced',
      boardMeetingDate: '2026-02-20',
      commitments: [{ programmeId: programme.id, year: 2026, amountCents: 500_000 }],
    });
    await adopt(admin, draft.id, 'adopted');
  };
  const refused = () => receiver.hits.filter((hit) => hit.status === 503).length;

  await adoptOne();
  await dispatcher.runOnce();
  const one = await scrape();
  t.equal(valueOf(one, 'eszl_webhook_deliveries_pending'), 1, 'one delivery waits');
  t.equal(valueOf(one, 'eszl_webhook_delivery_failures_total'), 1, 'its failed attempt is counted');
  t.ok(valueOf(one, 'eszl_webhook_oldest_pending_seconds') >= 0);

  await adoptOne();
  await dispatcher.runOnce();
  const two = await scrape();
  t.equal(valueOf(two, 'eszl_webhook_deliveries_pending'), 2, 'the backlog rises');
  t.equal(valueOf(two, 'eszl_webhook_delivery_failures_total'), refused(), 'every refused attempt is a failure');
  t.ok(refused() >= 2);

  receiver.answer = () => 200;
  for (let round = 0; round < 20 && receiver.accepted.length < 2; round++) await dispatcher.runOnce();
  const drained = await scrape();
  t.equal(receiver.accepted.length, 2, 'the receiver back, both arrive');
  t.equal(valueOf(drained, 'eszl_webhook_deliveries_pending'), 0, 'and the backlog drains');
  t.equal(valueOf(drained, 'eszl_webhook_oldest_pending_seconds'), 0);
  t.equal(valueOf(drained, 'eszl_webhook_delivery_failures_total'), refused(), 'the failures stay counted');
});

t.test('a scrape reads the register with one statement, whatever the number of gauges', async (t) => {
  let statements = 0;
  const counted: Database = {
    ...db.database,
    db: new Proxy(db.database.db, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (property !== 'execute' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          statements++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }),
  };
  const text = await metricsOf(counted).registry.metrics();
  t.match(text, /eszl_decisions\{status="draft"\}/);
  t.equal(statements, 1, 'one statement for every gauge of the register');
});

t.test('a database that does not answer: the scrape still answers, with eszl_ready 0', async (t) => {
  let failing = false;
  const flaky: Database = {
    ...db.database,
    db: new Proxy(db.database.db, {
      get(target, property, receiver) {
        if (property === 'execute' && failing) return () => Promise.reject(new Error('connect ECONNREFUSED'));
        return Reflect.get(target, property, receiver) as unknown;
      },
    }),
  };
  const errors: unknown[] = [];
  const own = createServiceMetrics({ database: flaky, clock: ADOPTION_DAY, checkpointIntervalS: 60, onQueryError: (error) => errors.push(error) });
  const up = samples(await own.registry.metrics());
  t.equal(valueOf(up, 'eszl_ready'), 1);
  failing = true;
  const down = samples(await own.registry.metrics());
  t.equal(valueOf(down, 'eszl_ready'), 0, 'not ready');
  t.equal(valueOf(down, 'eszl_decisions', { status: 'draft' }), valueOf(up, 'eszl_decisions', { status: 'draft' }), 'the gauges keep their last values');
  t.ok(down.some((s) => s.name === 'process_cpu_seconds_total'), 'the process metrics are there');
  t.equal(errors.length, 1, 'the failure is reported once');
});
