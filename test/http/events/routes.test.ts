import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import { createLogger } from '../../../src/logger.js';
import { WebhookDispatcher } from '../../../src/notifications/dispatcher.js';
import type { FeedItem, FeedPage } from '../../../src/use-cases/event-feed.js';
import { Webhook } from 'standardwebhooks';
import { cloudEventSettings, loadConfig } from '../../../src/config.js';
import type { CloudEvent } from '../../../src/domain/cloudevents.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { Receiver } from '../../helpers/webhook-receiver.js';
import { expectStatus, okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, fundTheRegister } from '../../helpers/factories.js';

/**
 * The event feed over HTTP: the published events in seq order with the webhook body of each,
 * continuing with afterSeq=lastSeq past whatever the filters skip, filters like the webhook
 * filters, and long polling (waitSeconds) that only a matching event ends.
 */
const SIGNING_KEY = 'event-feed-test-signing-key-0123456789abcdef';
const ctx = await startTestApp(t, {
  clock: fixedClock('2026-03-01T12:00:00Z'),
  env: { WEBHOOK_SIGNING_KEY: SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
});
const { admin, app } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, heerlen.id);
const [wtmr, amkb] = [await createProgramme(admin), await createProgramme(admin)];
const reader = ctx.as((await createKey(admin, 'reader')).key);

async function pending(programmeId: string): Promise<string> {
  const draft = await createDecision(admin, {
    reference: `PB-${randomBytes(5).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId, year: 2026, amountCents: 20_000_000 }],
  });
  return (await adopt(admin, draft.id, 'pending_ratification')).id;
}

async function vote(decisionId: string, municipalityId: string, outcome = 'approve'): Promise<void> {
  expectStatus(await admin.post(`/api/v1/decisions/${decisionId}/votes`, { municipalityId, outcome, decidedOn: '2026-02-20' }), 201, 'vote');
}

const feed = async (client: Client, query: string): Promise<FeedPage> => okJson<FeedPage>(t, await client.get(`/api/v1/events?${query}`));

async function head(): Promise<number> {
  return (await feed(admin, 'afterSeq=0&limit=1&types=condition.overdue')).lastSeq;
}

/** Resolves once `n` requests wait in the feed of this instance. */
async function waiters(n: number): Promise<void> {
  while (app.eventFeed.waiting !== n) await new Promise((resolve) => setTimeout(resolve, 5));
}

t.test('items are the webhook bodies of the published events, in seq order, each with its audit seq', async (t) => {
  const bodies: { id: string; body: Record<string, unknown> }[] = [];
  const receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      bodies.push({ id: String(request.headers['eszl-event-id']), body: JSON.parse(text) as Record<string, unknown> });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  expectStatus(await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: url, eventTypes: ['decision.adopted', 'vote.cast'] }), 201, 'subscribe');

  const start = await head();
  const decisionId = await pending(wtmr.id);
  await vote(decisionId, heerlen.id);
  const page = await feed(reader, `afterSeq=${start}`);
  t.same(page.items.map((item) => item.type), ['decision.adopted', 'vote.cast'], 'the published events only (not decision.created)');
  t.ok(page.items.every((item, i) => item.seq > start && (i === 0 || item.seq > page.items[i - 1]!.seq)), 'in seq order, after afterSeq');
  t.ok(page.items.every((item) => item.auditSeq === item.seq), 'seq is the audit seq');
  t.equal(page.lastSeq, page.items.at(-1)!.seq, 'lastSeq is the head: the last event');

  const audit = okJson<{ items: { seq: number; action: string }[] }>(t, await admin.get(`/api/v1/audit-events?afterSeq=${start}`));
  t.same(page.items.map((item) => [item.seq, item.type]), audit.items.filter((e) => e.action !== 'decision.created').map((e) => [e.seq, e.action]));

  const dispatcher = new WebhookDispatcher({
    database: ctx.db.database,
    signingKey: SIGNING_KEY,
    allowedHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: 60_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 10_000,
    timeoutMs: 5_000,
  });
  // Deliveries of one decision go out one after the other: a round per event.
  for (let round = 0; round < 10 && bodies.length < page.items.length; round++) await dispatcher.runOnce();
  t.same(
    page.items.map(({ seq: _seq, ...body }) => ({ id: body.id, body })),
    bodies.map(({ id, body }) => ({ id, body })),
    'same id and the same body as the webhook deliveries (the feed adds seq)',
  );
});

t.test('afterSeq=lastSeq continues without gaps or repeats, also when the filters skip events', async (t) => {
  const start = await head();
  const a = await pending(wtmr.id);
  const b = await pending(amkb.id);
  await vote(a, heerlen.id);
  await vote(b, maastricht.id);
  const all = (await feed(admin, `afterSeq=${start}`)).items;

  const seen: FeedItem[] = [];
  let after = start;
  for (let i = 0; i < 10; i++) {
    const page = await feed(admin, `afterSeq=${after}&limit=1`);
    seen.push(...page.items);
    t.ok(page.lastSeq >= after, 'lastSeq never goes back');
    if (page.items.length === 0) break;
    after = page.lastSeq;
  }
  t.same(seen.map((item) => item.seq), all.map((item) => item.seq), 'page by page: every event once');

  const onlyAmkb = await feed(admin, `afterSeq=${start}&programmeId=${amkb.id}`);
  t.same(onlyAmkb.items.map((item) => item.decisionId), [b, b], 'programmeId selects the events of decisions that fund it');
  t.equal(onlyAmkb.lastSeq, all.at(-1)!.seq, 'lastSeq is past the skipped events');
  t.same((await feed(admin, `afterSeq=${onlyAmkb.lastSeq}&programmeId=${amkb.id}`)).items, [], 'nothing new after lastSeq');

  const votes = await feed(admin, `afterSeq=${start}&types=vote.cast,decision.ratified`);
  t.same(votes.items.map((item) => item.type), ['vote.cast', 'vote.cast']);
  const some = await feed(admin, `afterSeq=${start}&municipalityId=${maastricht.id}&types=vote.cast`);
  t.same(some.items.length, 2, 'municipalityId selects events of decisions that require it (both require Maastricht)');
  t.same((await feed(admin, `afterSeq=${start}&municipalityId=${randomUUID()}`)).items, [], 'an unknown municipality: nothing');
});

t.test('invalid queries answer 400, naming the parameter', async (t) => {
  const cases: [string, string][] = [
    ['types=decision.exploded', 'query.types'],
    ['types=decision.created', 'query.types'],
    ['types=vote.cast,,decision.ratified', 'query.types'],
    ['waitSeconds=31', 'query.waitSeconds'],
    ['waitSeconds=-1', 'query.waitSeconds'],
    ['afterSeq=-1', 'query.afterSeq'],
    ['limit=201', 'query.limit'],
    ['programmeId=WTMR', 'query.programmeId'],
    ['since=3', 'query.since'],
  ];
  for (const [query, path] of cases) t.same(problemOf(t, await admin.get(`/api/v1/events?${query}`), 400).paths, [path], query);
  problemOf(t, await ctx.as(undefined).get('/api/v1/events'), 401);
});

t.test('a waiting request is answered by the first matching event, not by others', async (t) => {
  const decisionId = await pending(wtmr.id);
  const start = await head();
  const waiting = feed(reader, `afterSeq=${start}&types=decision.ratified&waitSeconds=30`);
  await waiters(1);
  await vote(decisionId, heerlen.id);
  await vote(decisionId, sittardGeleen.id);
  t.equal(app.eventFeed.waiting, 1, 'two vote.cast events did not end the wait');
  await vote(decisionId, maastricht.id);
  const page = await waiting;
  t.same(page.items.map((item) => [item.type, item.decisionId]), [['decision.ratified', decisionId]], 'answered with the ratification');
  t.equal(page.lastSeq, page.items[0]!.seq, 'and continues after it');
});

t.test('a wait that sees nothing matching ends empty when the time is up, past the events it skipped', async (t) => {
  const start = await head();
  const waiting = feed(reader, `afterSeq=${start}&types=decision.withdrawn&waitSeconds=1`);
  await waiters(1);
  await pending(amkb.id);
  const page = await waiting;
  t.same(page.items, [], 'items: []');
  t.equal(page.lastSeq, await head(), 'lastSeq moved past the decision.adopted it skipped');
});

t.test('a waiting request holds no database connection', async (t) => {
  const pool = ctx.db.database.pool;
  if (pool === undefined) {
    t.comment('embedded PGlite has no pool; the connection count is checked on PostgreSQL');
    return;
  }
  const start = await head();
  const waiting = Promise.all(Array.from({ length: 25 }, () => feed(reader, `afterSeq=${start}&waitSeconds=30`)));
  await waiters(25);
  t.equal(pool.totalCount - pool.idleCount, 0, 'no connection is checked out while 25 requests wait');
  await pending(wtmr.id);
  t.ok((await waiting).every((page) => page.items[0]?.type === 'decision.adopted'), 'each is answered by the next event');
});

t.test('an afterSeq beyond the audit head is 400, naming the head', async (t) => {
  // A filter that matches nothing looks at everything up to the head: lastSeq is the head.
  const headSeq = (await feed(admin, `afterSeq=0&programmeId=${randomUUID()}`)).lastSeq;
  t.ok(headSeq > 0);
  const atHead = await admin.get(`/api/v1/events?afterSeq=${headSeq}`);
  t.equal(atHead.statusCode, 200, 'the head itself is a position');
  const problem = problemOf(t, await admin.get(`/api/v1/events?afterSeq=${headSeq + 1000}`), 400, 'VALIDATION_FAILED');
  t.match(problem.detail, `(seq ${headSeq})`, 'the detail names the head');
  t.same(problem.paths, ['query.afterSeq']);
});

t.test('format=cloudevents: the items are exactly the CloudEvents a cloudevents subscription receives, lastSeq as before', async (t) => {
  const receiver = await Receiver.start(t);
  const programme = await createProgramme(admin);
  const subscribed = await admin.post('/api/v1/webhook-subscriptions', {
    callbackUrl: receiver.url,
    eventTypes: ['decision.adopted', 'vote.cast'],
    programmeId: programme.id,
    format: 'cloudevents',
  });
  expectStatus(subscribed, 201, 'subscribe');
  const secret = subscribed.json<{ secret: string }>().secret;
  const start = await head();
  const decisionId = await pending(programme.id);
  await vote(decisionId, heerlen.id);

  const query = `afterSeq=${start}&programmeId=${programme.id}`;
  const plain = await feed(reader, query);
  const res = await reader.get(`/api/v1/events?${query}&format=cloudevents`);
  const cloud = okJson<{ items: (CloudEvent & { data: unknown })[]; lastSeq: number }>(t, res);
  t.equal(cloud.lastSeq, plain.lastSeq, 'lastSeq is the same in both formats');
  t.same(cloud.items.map((item) => item.id), plain.items.map((item) => item.id), 'the same events, with the same ids');
  t.same(cloud.items.map((item) => item.sequence), plain.items.map((item) => String(item.seq)), 'sequence is the seq');
  t.same(cloud.items.map((item) => item.data), plain.items.map((item) => item.data), 'and the same data');
  t.same(cloud.items.map((item) => item.type), ['nl.funding-decisions.decision.adopted', 'nl.funding-decisions.vote.cast']);
  t.ok(cloud.items.every((item) => item.subject === decisionId && item.source === 'urn:nld:stichting-eszl.besluitenregister'));

  const config = loadConfig({ WEBHOOK_SIGNING_KEY: SIGNING_KEY });
  const dispatcher = new WebhookDispatcher({
    database: ctx.db.database,
    signingKey: SIGNING_KEY,
    allowedHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: 60_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 10_000,
    timeoutMs: 5_000,
    cloudEvents: cloudEventSettings(config),
  });
  for (let round = 0; round < 10 && receiver.accepted.length < cloud.items.length; round++) await dispatcher.runOnce();
  const delivered = receiver.accepted.map((hit) => new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>));
  t.same(cloud.items, delivered, 'each item is the CloudEvent a delivery carried, attribute for attribute');

  problemOf(t, await reader.get('/api/v1/events?format=json'), 400, 'VALIDATION_FAILED');
  const waiting = reader.get(`/api/v1/events?afterSeq=${cloud.lastSeq}&format=cloudevents&waitSeconds=10&programmeId=${programme.id}`);
  await waiters(1);
  await vote(decisionId, sittardGeleen.id);
  const woken = okJson<{ items: CloudEvent[] }>(t, await waiting);
  t.same(woken.items.map((item) => [item.specversion, item.type]), [['1.0', 'nl.funding-decisions.vote.cast']], 'a waiting reader gets its format too');
});
