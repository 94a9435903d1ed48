import t from 'tap';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../src/domain/clock.js';
import { EventFeed, type FeedPage } from '../../src/use-cases/event-feed.js';
import { startTestApp } from '../helpers/app.js';
import { expectStatus } from '../helpers/assertions.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme } from '../helpers/factories.js';

/**
 * Waiting readers of the event feed hold no database connection: 500 of them wait on one
 * instance whose pool has 10 connections, one vote wakes every one of them, and
 * the pool is never exhausted (on PostgreSQL, where there is a pool: its queue stays empty and it
 * never opens more than 10 connections, from the first request to the last answer). On PGlite
 * the same 500 wait and wake (notifications are in-process there); the pool checks need PostgreSQL.
 */
const WAITERS = 500;
const POOL_SIZE = 10;

const database = await createTestDatabase({ poolSize: POOL_SIZE });
t.teardown(() => database.close());

t.test(`${WAITERS} waiting requests on a pool of ${POOL_SIZE}: one vote wakes all, and the pool is never exhausted`, async (t) => {
  const ctx = await startTestApp(t, { database, clock: fixedClock('2026-03-01T12:00:00Z'), env: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' } });
  const { admin, app } = ctx;
  const { heerlen } = await createCentreMunicipalities(admin);
  const programme = await createProgramme(admin);
  const draft = await createDecision(admin, {
    reference: `PB-${randomBytes(4).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }],
  });
  const decision = await adopt(admin, draft.id, 'pending_ratification');
  const reader = ctx.as((await createKey(admin, 'reader')).key);
  const start = (await reader.get('/api/v1/events?types=decision.withdrawn')).json<FeedPage>().lastSeq;

  const pool = database.database.pool;
  const sampled = { maxWaiting: 0, maxTotal: 0, maxCheckedOut: 0, samples: 0 };
  const sampler = setInterval(() => {
    if (pool === undefined) return;
    sampled.samples++;
    sampled.maxWaiting = Math.max(sampled.maxWaiting, pool.waitingCount);
    sampled.maxTotal = Math.max(sampled.maxTotal, pool.totalCount);
    sampled.maxCheckedOut = Math.max(sampled.maxCheckedOut, pool.totalCount - pool.idleCount);
  }, 1);
  t.teardown(() => clearInterval(sampler));

  // Requests arrive ten at a time, each wave once the previous one waits: if a waiting request
  // held a connection, the second wave would already find the pool exhausted.
  const answers: Promise<LightMyRequestResponse>[] = [];
  for (let wave = 0; wave < WAITERS / POOL_SIZE; wave++) {
    for (let i = 0; i < POOL_SIZE; i++) answers.push(reader.get(`/api/v1/events?afterSeq=${start}&waitSeconds=30`));
    while (app.eventFeed.waiting < answers.length) await new Promise((resolve) => setImmediate(resolve));
  }
  t.equal(app.eventFeed.waiting, WAITERS, `${WAITERS} requests wait`);
  if (pool !== undefined) t.equal(pool.totalCount - pool.idleCount, 0, `while ${WAITERS} requests wait, no connection is checked out`);

  const vote = await admin.post(`/api/v1/decisions/${decision.id}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: '2026-02-20' });
  const committed = performance.now();
  expectStatus(vote, 201, 'vote');
  const pages = await Promise.all(answers);
  const wokenAfterMs = performance.now() - committed;
  clearInterval(sampler);

  t.ok(pages.every((res) => res.statusCode === 200), 'every waiting request answered 200');
  t.ok(
    pages.every((res) => res.json<FeedPage>().items[0]?.type === 'vote.cast'),
    'each with the vote.cast of the vote',
  );
  // How fast is measured by bench/event-feed.ts (1,000 clients over HTTP), not asserted here.
  t.comment(`all ${WAITERS} answered ${wokenAfterMs.toFixed(0)} ms after the vote committed`);

  if (pool === undefined) {
    t.comment('embedded PGlite: no pool to watch; the pool checks run on PostgreSQL');
    if (testDatabaseUrl() !== undefined) t.fail('on PostgreSQL the test database must have a pool');
    return;
  }
  t.comment(`pool over ${sampled.samples} samples: at most ${sampled.maxTotal} connections, ${sampled.maxCheckedOut} checked out, ${sampled.maxWaiting} queued`);
  t.ok(sampled.samples > 0, 'the pool was watched');
  t.equal(sampled.maxWaiting, 0, 'no request ever queued for a connection: the pool was never exhausted');
  t.ok(sampled.maxTotal <= POOL_SIZE, `never more than ${POOL_SIZE} connections`);
});

t.test('a waiter that gives up (its client hung up) or a feed that closes answers at once, empty, and waits no more', async (t) => {
  const feed = new EventFeed(database.database);
  feed.ready();
  // At the head: nothing after it, so a read waits.
  let head = 0;
  for (let page = await feed.read({ afterSeq: 0, filter: {}, limit: 500, waitSeconds: 0 }); page.items.length > 0; ) {
    head = page.lastSeq;
    page = await feed.read({ afterSeq: head, filter: {}, limit: 500, waitSeconds: 0 });
  }
  const query = { afterSeq: head, filter: {}, limit: 50, waitSeconds: 30 };

  const hangUp = new AbortController();
  const abandoned = feed.read(query, hangUp.signal);
  while (feed.waiting < 1) await new Promise((resolve) => setImmediate(resolve));
  hangUp.abort();
  t.same(await abandoned, { items: [], lastSeq: head }, 'the abandoned wait ends empty');
  t.equal(feed.waiting, 0, 'and is no longer waiting');

  const closing = feed.read(query);
  while (feed.waiting < 1) await new Promise((resolve) => setImmediate(resolve));
  feed.close();
  t.same(await closing, { items: [], lastSeq: head }, 'closing the feed answers its waiters');
  t.same(await feed.read(query), { items: [], lastSeq: head }, 'a closed feed does not wait');
});
