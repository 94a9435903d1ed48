import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { CloudEvent, HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { openDatabase, type Database } from '../../../src/db/client.js';
import { insertSubscription } from '../../../src/db/webhooks-repository.js';
import { createLogger } from '../../../src/logger.js';
import { takeSendSlot } from '../../../src/notifications/delivery-claims.js';
import { WebhookDispatcher } from '../../../src/notifications/dispatcher.js';
import { encryptAuthorization } from '../../../src/notifications/receiver-authorization.js';
import { subscriptionSecret } from '../../../src/notifications/signing.js';
import { standardWebhooksSecret } from '../../../src/notifications/standard-webhooks.js';
import { endSubscription } from '../../../src/use-cases/webhook-endings.js';
import { systemClock } from '../../../src/domain/clock.js';
import { startTestApp } from '../../helpers/app.js';
import { expectStatus } from '../../helpers/assertions.js';
import { testDatabaseUrl } from '../../helpers/database.js';
import { createCentreMunicipalities, createProgramme, fundTheRegister } from '../../helpers/factories.js';
import { Receiver, signedWith } from '../../helpers/webhook-receiver.js';

/**
 * The dispatcher in both formats, against real receivers on 127.0.0.1: `eszl-v1` byte for byte
 * as before, `cloudevents` as the contract writes it, and what receivers answer (410, 429/503
 * with Retry-After, the allowed rate with two dispatchers).
 */
const SIGNING_KEY = `whk-test-signing-key-${randomBytes(10).toString('hex')}`;
const ORIGIN = 'api.eszl.example';
const SOURCE = 'urn:nld:kvknr:14090089.besluitenregister';
const onPostgres = testDatabaseUrl() !== undefined;

const ctx = await startTestApp(t, { env: { WEBHOOK_SIGNING_KEY: SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
const { admin } = ctx;
const database = ctx.db.database;
const { heerlen } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, heerlen.id);
const service = { database, clock: systemClock };

function dispatcher(options: { database?: Database; retryWindowMs?: number } = {}): WebhookDispatcher {
  return new WebhookDispatcher({
    database: options.database ?? database,
    signingKey: SIGNING_KEY,
    allowedHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: options.retryWindowMs ?? 60_000,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    timeoutMs: 2_000,
    cloudEvents: { source: SOURCE, baseUrl: 'https://api.eszl.example', publicBaseUrl: 'https://api.eszl.example' },
    requestOrigin: ORIGIN,
    onGone: (id) => endSubscription(service, id, 'gone'),
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function drive(d: WebhookDispatcher, done: () => boolean | Promise<boolean>, rounds = 300): Promise<void> {
  for (let round = 0; round < rounds && !(await done()); round++) {
    await d.runOnce();
    await pause(20);
  }
}
async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** Drafts and adopts a small decision on its own programme: one decision.adopted event. */
async function adoptedDecision(programmeId: string): Promise<string> {
  const res = await admin.post('/api/v1/decisions', {
    reference: `DSP-${randomUUID().slice(0, 8)}`,
    title: 'Dispatcher test decision',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId, year: 2026, amountCents: 500_000 }],
  });
  expectStatus(res, 201, 'create decision');
  const id = res.json<{ id: string }>().id;
  expectStatus(await admin.post(`/api/v1/decisions/${id}/adopt`), 200, 'adopt');
  return id;
}

/** A cloudevents subscription as the create will store it (the route comes with the restructuring). */
async function cloudEventsSubscription(callbackUrl: string, programmeId: string, extra: { authorization?: string; allowedRate?: number } = {}) {
  const id = randomUUID();
  await insertSubscription(database.db, {
    id,
    callbackUrl,
    eventTypes: ['decision.adopted'],
    programmeId,
    format: 'cloudevents',
    authorizationEncrypted: extra.authorization === undefined ? null : encryptAuthorization(SIGNING_KEY, id, extra.authorization),
    allowedRate: extra.allowedRate ?? null,
  });
  return id;
}

interface OutboxRow {
  event_id: string;
  audit_seq: string | number;
  payload: Record<string, unknown>;
}
async function outboxOf(decisionId: string): Promise<OutboxRow> {
  const [row] = await rows<OutboxRow>(sql`select event_id, audit_seq, payload from outbox_events where decision_id = ${decisionId} and event_type = 'decision.adopted'`);
  return row!;
}

t.test('an eszl-v1 subscription created as the second round did receives the same bytes and headers as before', async (t) => {
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  expectStatus(res, 201, 'subscribe');
  const subscription = res.json<{ id: string; secret: string }>();
  const decisionId = await adoptedDecision(programme.id);
  await drive(dispatcher(), () => receiver.accepted.length === 1);
  const hit = receiver.accepted[0]!;
  const outbox = await outboxOf(decisionId);
  t.equal(hit.body, JSON.stringify(outbox.payload), 'the body is the outbox body, serialised as before');
  t.match(hit.body, /^\{"id":"[0-9a-f-]{36}","data":\{.*\},"type":"decision\.adopted","auditSeq":\d+,"decisionId":"[0-9a-f-]{36}","occurredAt":"[^"]+"\}$/, 'in the key order of the first two rounds');
  t.same(
    Object.keys(hit.headers).filter((name) => !['host', 'connection', 'content-length', 'accept', 'accept-language', 'sec-fetch-mode', 'accept-encoding'].includes(name)).sort(),
    ['content-type', 'eszl-event-id', 'eszl-event-type', 'eszl-signature', 'user-agent'],
    'no header added, none taken away',
  );
  t.equal(hit.headers['content-type'], 'application/json');
  t.equal(hit.headers['user-agent'], 'eszl-decisions-webhooks/1');
  t.equal(hit.headers['eszl-event-id'], outbox.event_id);
  t.equal(hit.headers['eszl-event-type'], 'decision.adopted');
  t.equal(subscription.secret, subscriptionSecret(SIGNING_KEY, subscription.id), 'the secret spelled as before');
  t.ok(signedWith(subscription.secret, hit), 'ESZL-Signature verifies with the secret the create answered');
});

t.test('a cloudevents delivery is the CloudEvent, signed as Standard Webhooks, with the receiver\'s Authorization', async (t) => {
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const id = await cloudEventsSubscription(receiver.url, programme.id, { authorization: 'Bearer mF_9.B5f-4.1JqM' });
  const decisionId = await adoptedDecision(programme.id);
  await drive(dispatcher(), () => receiver.accepted.length === 1);
  const hit = receiver.accepted[0]!;
  const outbox = await outboxOf(decisionId);
  t.equal(hit.headers['content-type'], 'application/cloudevents+json; charset=utf-8');
  t.equal(hit.headers.authorization, 'Bearer mF_9.B5f-4.1JqM');
  t.equal(hit.headers['webhook-request-origin'], ORIGIN);
  t.equal(hit.headers['webhook-id'], outbox.event_id);
  t.notOk('eszl-signature' in hit.headers, 'not signed the eszl-v1 way');
  const headers = { 'webhook-id': String(hit.headers['webhook-id']), 'webhook-timestamp': String(hit.headers['webhook-timestamp']), 'webhook-signature': String(hit.headers['webhook-signature']) };
  t.ok(new Webhook(standardWebhooksSecret(SIGNING_KEY, id)).verify(hit.body, headers), 'the standardwebhooks library verifies it');
  const event = HTTP.toEvent({ headers: hit.headers as Record<string, string>, body: hit.body }) as CloudEvent<unknown>;
  t.ok(event.validate(), 'the CloudEvents SDK reads a valid event');
  t.match(event, {
    specversion: '1.0',
    id: outbox.event_id,
    source: SOURCE,
    type: 'nl.funding-decisions.decision.adopted',
    subject: decisionId,
    time: outbox.payload.occurredAt,
    datacontenttype: 'application/json',
    dataschema: 'https://api.eszl.example/api/v1/event-types/decision.adopted/schema',
    dataref: `https://api.eszl.example/api/v1/decisions/${decisionId}`,
    sequence: String(outbox.audit_seq),
    sequencetype: 'Integer',
  });
  t.same(JSON.parse(hit.body).data, outbox.payload.data, 'the same data as the eszl-v1 body');
});

t.test('410 Gone ends the subscription, cancels what was pending and audits webhook_subscription.ended', async (t) => {
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = () => 410;
  const id = await cloudEventsSubscription(receiver.url, programme.id);
  await adoptedDecision(programme.id);
  await adoptedDecision(programme.id);
  const d = dispatcher();
  await drive(d, async () => (await rows<{ active: boolean }>(sql`select active from webhook_subscriptions where id = ${id}`))[0]?.active === false);
  const [ended] = await rows<{ active: boolean; ended_reason: string; ended_at: Date | null }>(sql`select active, ended_reason, ended_at from webhook_subscriptions where id = ${id}`);
  t.match(ended, { active: false, ended_reason: 'gone' });
  t.ok(ended?.ended_at, 'ended_at is set');
  const pending = await rows<{ n: string | number }>(sql`select count(*) as n from webhook_deliveries where subscription_id = ${id} and state = 'pending'`);
  t.equal(Number(pending[0]!.n), 0, 'nothing is left to send');
  const audited = await rows<{ action: string; data: { endedReason: string; subscription: { id: string; active: boolean } } }>(
    sql`select action, data from audit_events where resource_id = ${id} and action = 'webhook_subscription.ended'`,
  );
  t.equal(audited.length, 1, 'audited once');
  t.match(audited[0]!.data, { endedReason: 'gone', subscription: { id, active: false } });
  const feed = await rows<{ n: string | number }>(sql`select count(*) as n from outbox_events where event_type = 'webhook_subscription.ended'`);
  t.equal(Number(feed[0]!.n), 0, 'audited only: not published');
  const requests = receiver.hits.length;
  await adoptedDecision(programme.id);
  for (let i = 0; i < 5; i++) await d.runOnce();
  t.equal(receiver.hits.length, requests, 'no request after the 410');
  t.equal(await endSubscription(service, id, 'gone'), false, 'a second 410 changes nothing');
});

t.test('429 and 503 with Retry-After hold the next attempt until that moment', async (t) => {
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = (n) => (n === 1 ? 429 : n === 2 ? 503 : 200);
  receiver.headersFor = (n): Record<string, string> =>
    n === 1 ? { 'Retry-After': '2' } : n === 2 ? { 'Retry-After': new Date(Date.now() + 2_000).toUTCString() } : {};
  const id = await cloudEventsSubscription(receiver.url, programme.id);
  await adoptedDecision(programme.id);
  await drive(dispatcher(), () => receiver.accepted.length === 1, 400);
  t.equal(receiver.hits.length, 3, '429, 503, then delivered');
  const [first, second, third] = receiver.arrivals;
  // Retry-After: 2 (seconds); an HTTP-date has whole seconds, so it may name up to 1 s less than 2 s ahead.
  t.ok(second! - first! >= 2_000, `after 429 with Retry-After: 2 the next request came ${second! - first!} ms later`);
  t.ok(third! - second! >= 1_000, `after 503 with an HTTP-date the next request came ${third! - second!} ms later`);
  const attempts = await rows<{ status_code: number }>(
    sql`select a.status_code from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.subscription_id = ${id} order by a.attempted_at`,
  );
  t.same(attempts.map((a) => a.status_code), [429, 503, 200], 'the log shows each answer');
});

t.test('a Retry-After beyond the retry window fails the delivery at once', async (t) => {
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = () => 503;
  receiver.headersFor = () => ({ 'Retry-After': '3600' });
  const id = await cloudEventsSubscription(receiver.url, programme.id);
  await adoptedDecision(programme.id);
  const d = dispatcher({ retryWindowMs: 60_000 });
  await drive(d, () => receiver.hits.length === 1);
  for (let i = 0; i < 3; i++) await d.runOnce();
  const [delivery] = await rows<{ state: string }>(sql`select state from webhook_deliveries where subscription_id = ${id}`);
  t.equal(delivery?.state, 'failed');
  t.equal(receiver.hits.length, 1, 'no attempt after it');
});

t.test('the allowed rate is never exceeded, also by two dispatchers at once', async (t) => {
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const id = await cloudEventsSubscription(receiver.url, programme.id, { allowedRate: 60 }); // one a second
  for (let i = 0; i < 4; i++) await adoptedDecision(programme.id);
  let other: Database = database;
  if (onPostgres) {
    other = await openDatabase({ databaseUrl: ctx.db.url!, dataDir: 'unused', poolSize: 4 });
    t.teardown(() => other.close());
  }
  const a = dispatcher();
  const b = dispatcher({ database: other });
  await Promise.all([drive(a, () => receiver.accepted.length >= 4, 500), drive(b, () => receiver.accepted.length >= 4, 500)]);
  t.equal(receiver.accepted.length, 4, 'all four delivered');
  const gaps = receiver.arrivals.slice(1).map((at, i) => at - receiver.arrivals[i]!);
  // Slots are 1,000 ms apart when taken; what lies between taking one and the request's arrival
  // (a loopback connection) is allowed 250 ms here.
  t.ok(gaps.every((gap) => gap >= 750), `requests arrived ${gaps.join(', ')} ms apart`);
  t.equal(await takeSendSlot(database, id, 60_000), false, 'the next slot lies ahead');
});

t.test('of many concurrent takers of one slot, exactly one gets it', async (t) => {
  const programme = await createProgramme(admin);
  const id = await cloudEventsSubscription('http://127.0.0.1:9/unused', programme.id, { allowedRate: 1 });
  const pools: Database[] = [database];
  if (onPostgres) {
    for (let i = 0; i < 3; i++) {
      const pool = await openDatabase({ databaseUrl: ctx.db.url!, dataDir: 'unused', poolSize: 5 });
      t.teardown(() => pool.close());
      pools.push(pool);
    }
  }
  const takers = Array.from({ length: 20 }, (_, i) => takeSendSlot(pools[i % pools.length]!, id, 60_000));
  const taken = (await Promise.all(takers)).filter(Boolean).length;
  t.equal(taken, 1);
});
