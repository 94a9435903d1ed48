import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { HTTP, type CloudEvent } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { systemClock } from '../../../../src/domain/clock.js';
import { createLogger } from '../../../../src/logger.js';
import { WebhookDispatcher } from '../../../../src/notifications/dispatcher.js';
import { decryptAuthorization } from '../../../../src/notifications/receiver-authorization.js';
import { standardWebhooksSecret } from '../../../../src/notifications/standard-webhooks.js';
import { endSubscription } from '../../../../src/use-cases/webhook-endings.js';
import type { Subscription } from '../../../../src/use-cases/webhooks.js';
import { startTestApp } from '../../../helpers/app.js';
import { expectStatus, problemOf } from '../../../helpers/assertions.js';
import { createCentreMunicipalities, createProgramme, fundTheRegister } from '../../../helpers/factories.js';
import { Receiver } from '../../../helpers/webhook-receiver.js';

/**
 * The two formats through the subscription routes: `format` and `authorization` on create, the
 * abuse-protection handshake of a `cloudevents` subscription (and nothing stored when it fails),
 * what every read shows, and a delivery that the `cloudevents` SDK and the `standardwebhooks`
 * library accept with the secret the create answered.
 */
const SIGNING_KEY = `whk-test-signing-key-${randomBytes(10).toString('hex')}`;
const PUBLIC_BASE_URL = 'https://besluiten.eszl.example';
const ORIGIN = 'besluiten.eszl.example';
const SOURCE = 'urn:nld:kvknr:14090089.besluitenregister';
const TOKEN = `Bearer receiver-token-${randomBytes(12).toString('hex')}`;

const ctx = await startTestApp(t, {
  env: { WEBHOOK_SIGNING_KEY: SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', PUBLIC_BASE_URL, EVENT_SOURCE: SOURCE, WEBHOOK_TIMEOUT_MS: '2000' },
});
const { admin } = ctx;
const database = ctx.db.database;
const { heerlen } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, heerlen.id);

type SubscriptionJson = Subscription & { secret: string };

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await database.db.execute(query)) as unknown as { rows: T[] }).rows;
}
async function count(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await rows<{ n: string | number }>(query);
  return Number(row?.n);
}

function dispatcher(): WebhookDispatcher {
  return new WebhookDispatcher({
    database,
    signingKey: SIGNING_KEY,
    allowedHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: 60_000,
    backoffBaseMs: 20,
    backoffMaxMs: 100,
    timeoutMs: 2_000,
    cloudEvents: { source: SOURCE, baseUrl: PUBLIC_BASE_URL, publicBaseUrl: PUBLIC_BASE_URL },
    requestOrigin: ORIGIN,
  });
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function drive(done: () => boolean): Promise<void> {
  const d = dispatcher();
  for (let round = 0; round < 300 && !done(); round++) {
    await d.runOnce();
    await pause(20);
  }
}

async function adoptedDecision(programmeId: string): Promise<string> {
  const res = await admin.post('/api/v1/decisions', {
    reference: `FMT-${randomUUID().slice(0, 8)}`,
    title: 'Format test decision',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId, year: 2026, amountCents: 500_000 }],
  });
  expectStatus(res, 201, 'create decision');
  const id = res.json<{ id: string }>().id;
  expectStatus(await admin.post(`/api/v1/decisions/${id}/adopt`), 200, 'adopt');
  return id;
}

t.test('a cloudevents subscription: the handshake first, a Standard Webhooks secret, its format and authorization shown as such on every read', async (t) => {
  const receiver = await Receiver.start(t);
  receiver.handshakeAnswer = { status: 200, headers: { 'WebHook-Allowed-Origin': ORIGIN, 'WebHook-Allowed-Rate': '120' } };
  const programme = await createProgramme(admin);
  const res = await admin.post('/api/v1/webhook-subscriptions', {
    callbackUrl: receiver.url,
    eventTypes: ['decision.adopted'],
    programmeId: programme.id,
    format: 'cloudevents',
    authorization: TOKEN,
  });
  t.equal(res.statusCode, 201, res.body);
  const created = res.json<SubscriptionJson>();
  t.match(created, { format: 'cloudevents', hasAuthorization: true, endedReason: null, active: true });
  t.notOk('authorization' in created, 'the authorization is not returned');
  t.notOk(res.body.includes(TOKEN), 'nor anywhere in the body');
  t.match(created.secret, /^whsec_[A-Za-z0-9+/]{43}=$/, 'the secret is whsec_ and the standard base64 of 32 bytes');
  t.equal(created.secret, standardWebhooksSecret(SIGNING_KEY, created.id), 'derived from the signing key and the id, never stored');

  t.equal(receiver.handshakes.length, 1, 'one handshake was sent before the create answered');
  t.equal(receiver.handshakes[0]!.headers['webhook-request-origin'], ORIGIN, 'WebHook-Request-Origin is the host of PUBLIC_BASE_URL');
  t.equal(receiver.hits.length, 0, 'and nothing was delivered');

  const { secret: _secret, ...shown } = created;
  const got = await admin.get(`/api/v1/webhook-subscriptions/${created.id}`);
  t.same(got.json(), shown, 'GET shows format and hasAuthorization');
  t.notOk(got.body.includes(TOKEN));
  const listed = await admin.get('/api/v1/webhook-subscriptions?limit=200');
  t.same(listed.json<{ items: Subscription[] }>().items.find((item) => item.id === created.id), shown, 'so does the list');
  t.notOk(listed.body.includes(TOKEN));

  const [row] = await rows<{ format: string; authorization_encrypted: string; allowed_rate: number }>(
    sql`select format, authorization_encrypted, allowed_rate from webhook_subscriptions where id = ${created.id}`,
  );
  t.equal(row!.format, 'cloudevents');
  t.equal(row!.allowed_rate, 120, 'the WebHook-Allowed-Rate of the handshake is kept');
  t.notOk(row!.authorization_encrypted.includes(TOKEN.slice('Bearer '.length)), 'the database does not hold the token in clear');
  t.equal(decryptAuthorization(SIGNING_KEY, created.id, row!.authorization_encrypted), TOKEN, 'it decrypts with the signing key');
  t.notOk(
    ctx.logLines.some((line) => line.includes(TOKEN.slice('Bearer '.length))),
    'the token is in no log line',
  );
  const audited = await rows<{ data: unknown }>(sql`select data from audit_events where action = 'webhook.subscribed' and resource_id = ${created.id}`);
  t.equal(audited.length, 1);
  t.notOk(JSON.stringify(audited[0]!.data).includes(TOKEN.slice('Bearer '.length)), 'nor in the audit trail');

  const decisionId = await adoptedDecision(programme.id);
  await drive(() => receiver.accepted.length === 1);
  const hit = receiver.accepted[0]!;
  t.equal(hit.headers.authorization, TOKEN, 'the delivery carries the Authorization the receiver gave');
  const verified = new Webhook(created.secret).verify(hit.body, hit.headers as Record<string, string>);
  t.match(verified, { id: String, type: 'nl.funding-decisions.decision.adopted' }, 'the standardwebhooks library verifies it with the secret of the create');
  const event = HTTP.toEvent({ headers: hit.headers, body: hit.body });
  const single = (Array.isArray(event) ? event[0]! : event) as CloudEvent<unknown>;
  t.equal(single.type, 'nl.funding-decisions.decision.adopted', 'the cloudevents SDK reads the event');
  t.equal(single.source, SOURCE);
  t.equal(single.subject, decisionId);
  t.equal(single.dataschema, `${PUBLIC_BASE_URL}/api/v1/event-types/decision.adopted/schema`);
  t.ok(single.validate(), 'and it is a valid CloudEvent');
});

t.test('a handshake that fails answers 422 WEBHOOK_HANDSHAKE_FAILED naming what came back, and nothing is stored', async (t) => {
  const receiver = await Receiver.start(t);
  // A port that refuses connections: a server that was listening and is closed.
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));

  const cases: { name: string; answer: { status: number; headers: Record<string, string> }; shows: string }[] = [
    { name: 'a 2xx without consent', answer: { status: 200, headers: {} }, shows: '200 without WebHook-Allowed-Origin' },
    { name: 'a refusal', answer: { status: 403, headers: {} }, shows: '403' },
    { name: 'consent for another origin', answer: { status: 200, headers: { 'WebHook-Allowed-Origin': 'other.example' } }, shows: 'WebHook-Allowed-Origin: other.example' },
    { name: 'a rate that is no number', answer: { status: 204, headers: { 'WebHook-Allowed-Origin': '*', 'WebHook-Allowed-Rate': 'lots' } }, shows: 'WebHook-Allowed-Rate: lots' },
  ];
  const before = await count(sql`select count(*) as n from webhook_subscriptions`);
  const auditedBefore = await count(sql`select count(*) as n from audit_events where action = 'webhook.subscribed'`);
  for (const { name, answer, shows } of cases) {
    receiver.handshakeAnswer = answer;
    const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['vote.cast'], format: 'cloudevents', authorization: TOKEN });
    const problem = problemOf(t, res, 422, 'WEBHOOK_HANDSHAKE_FAILED');
    t.ok(problem.detail.includes(shows), `${name}: the detail names what came back (${problem.detail})`);
    t.ok(problem.detail.includes(`WebHook-Request-Origin: ${ORIGIN}`), `${name}: and the origin asked for`);
    t.same(problem.paths, ['/callbackUrl']);
  }
  const refused = await admin.post('/api/v1/webhook-subscriptions', {
    callbackUrl: `http://127.0.0.1:${closedPort}/hooks`,
    eventTypes: ['vote.cast'],
    format: 'cloudevents',
  });
  const problem = problemOf(t, refused, 422, 'WEBHOOK_HANDSHAKE_FAILED');
  t.match(problem.detail, /ECONNREFUSED/, 'a receiver that is not there: the connection error is named');
  t.equal(receiver.handshakes.length, cases.length, 'every create asked the receiver once');
  t.equal(await count(sql`select count(*) as n from webhook_subscriptions`), before, 'no subscription was stored');
  t.equal(await count(sql`select count(*) as n from audit_events where action = 'webhook.subscribed'`), auditedBefore, 'and none audited');

  receiver.handshakeAnswer = { status: 200, headers: { 'WebHook-Allowed-Origin': '*' } };
  const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['vote.cast'], format: 'cloudevents' });
  t.equal(res.statusCode, 201, 'consent for every origin (*) is consent');
  const [row] = await rows<{ allowed_rate: number | null }>(sql`select allowed_rate from webhook_subscriptions where id = ${res.json<{ id: string }>().id}`);
  t.equal(row!.allowed_rate, null, 'no WebHook-Allowed-Rate: no limit');
  t.equal(res.json<Subscription>().hasAuthorization, false);
});

t.test('format and authorization are checked: 400 lists every problem, and the receiver is not asked', async (t) => {
  const receiver = await Receiver.start(t);
  const before = await count(sql`select count(*) as n from webhook_subscriptions`);
  const res = await admin.post('/api/v1/webhook-subscriptions', {
    callbackUrl: receiver.url,
    eventTypes: ['vote.cast'],
    format: 'json',
    authorization: `Bearer ${'x'.repeat(1_000)}`,
  });
  const problem = problemOf(t, res, 400, 'VALIDATION_FAILED');
  t.same([...problem.paths].sort(), ['/authorization', '/format'], 'both problems at once');
  for (const authorization of ['', 'Bearer a\r\nX-Injected: 1', ' Bearer padded']) {
    const bad = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['vote.cast'], authorization });
    t.same(problemOf(t, bad, 400, 'VALIDATION_FAILED').paths, ['/authorization'], JSON.stringify(authorization));
  }
  const longest = await admin.post('/api/v1/webhook-subscriptions', {
    callbackUrl: receiver.url,
    eventTypes: ['vote.cast'],
    authorization: `Bearer ${'y'.repeat(1_000 - 'Bearer '.length)}`,
  });
  t.equal(longest.statusCode, 201, '1,000 characters are accepted');
  t.equal(await count(sql`select count(*) as n from webhook_subscriptions`), before + 1, 'only that one was stored');
  t.equal(receiver.handshakes.length, 0, 'an eszl-v1 subscription sends no handshake');
});

t.test('an eszl-v1 subscription with an authorization gets it with each delivery, its body and signature as before', async (t) => {
  const receiver = await Receiver.start(t);
  const programme = await createProgramme(admin);
  const res = await admin.post('/api/v1/webhook-subscriptions', {
    callbackUrl: receiver.url,
    eventTypes: ['decision.adopted'],
    programmeId: programme.id,
    format: 'eszl-v1',
    authorization: TOKEN,
  });
  t.equal(res.statusCode, 201, res.body);
  const created = res.json<SubscriptionJson>();
  t.match(created, { format: 'eszl-v1', hasAuthorization: true });
  t.match(created.secret, /^whsec_[A-Za-z0-9_-]{43}$/, 'the eszl-v1 secret keeps its spelling');
  await adoptedDecision(programme.id);
  await drive(() => receiver.accepted.length === 1);
  const hit = receiver.accepted[0]!;
  t.equal(hit.headers.authorization, TOKEN);
  t.match(hit.headers['eszl-signature'], /^t=\d+,v1=[0-9a-f]{64}$/);
  t.equal(hit.headers['webhook-signature'], undefined, 'no Standard Webhooks headers');
});

t.test('a subscription the receiver ended with 410 reads active: false and endedReason: gone', async (t) => {
  const receiver = await Receiver.start(t);
  const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['vote.cast'], format: 'cloudevents' });
  const id = expectStatus(res, 201, 'subscribe') && res.json<{ id: string }>().id;
  t.ok(await endSubscription({ database, clock: systemClock }, id, 'gone'));
  const got = await admin.get(`/api/v1/webhook-subscriptions/${id}`);
  t.match(got.json(), { id, active: false, endedReason: 'gone', format: 'cloudevents' });
  const deleted = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['vote.cast'] });
  const other = deleted.json<{ id: string }>().id;
  expectStatus(await admin.delete(`/api/v1/webhook-subscriptions/${other}`), 204, 'unsubscribe');
  t.match((await admin.get(`/api/v1/webhook-subscriptions/${other}`)).json(), { active: false, endedReason: null }, 'unsubscribed is not ended by the service');
});
