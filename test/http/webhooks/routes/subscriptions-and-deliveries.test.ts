import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { openDatabase, type Database } from '../../../../src/db/client.js';
import { fixedClock } from '../../../../src/domain/clock.js';
import { createLogger } from '../../../../src/logger.js';
import { WebhookDispatcher } from '../../../../src/notifications/dispatcher.js';
import { raiseOverdueConditions } from '../../../../src/use-cases/overdue-conditions.js';
import type { Delivery, Subscription } from '../../../../src/use-cases/webhooks.js';
import { subscriptionSecret } from '../../../../src/notifications/signing.js';
import { startTestApp, type Client } from '../../../helpers/app.js';
import { expectStatus } from '../../../helpers/assertions.js';
import { Receiver, signedWith } from '../../../helpers/webhook-receiver.js';
import { testDatabaseUrl } from '../../../helpers/database.js';
import { createCentreMunicipalities, createKey, createOrganisation, createProgramme, fundTheRegister } from '../../../helpers/factories.js';

/**
 * Webhooks over HTTP and through the dispatcher: subscriptions (admin only, the secret shown
 * once), signed deliveries of the WTMR story, the filters, retries with back-off and the delivery
 * log, a receiver that is down during a burst, the retry window, redelivery, two dispatchers on
 * one database, condition.overdue, and the outbox written only with the change.
 *
 * Dispatchers are built here and driven with runOnce() in loops bounded in count; receivers are
 * node:http servers on 127.0.0.1 (allow-listed). On PostgreSQL (DATABASE_URL) the second
 * dispatcher and the concurrent overdue check use a pool of their own.
 */
const SIGNING_KEY = `whk-test-signing-key-${randomBytes(10).toString('hex')}`; // 41 characters
const CLOCK = fixedClock('2026-03-01T12:00:00Z');
const BOARD_MEETING = '2026-01-20';
const FUTURE_DUE = '2026-06-30';
const SMALL = 500_000; // EUR 5,000: adopted at once
const LARGE = 14_000_000; // EUR 140,000: needs the three colleges
const ALL_TYPES = [
  'decision.adopted',
  'decision.ratified',
  'decision.rejected',
  'decision.withdrawn',
  'vote.cast',
  'condition.fulfilled',
  'condition.overdue',
];
const onPostgres = testDatabaseUrl() !== undefined;

const ctx = await startTestApp(t, {
  clock: CLOCK,
  env: { WEBHOOK_SIGNING_KEY: SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
});
const { admin } = ctx;
const database = ctx.db.database;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const municipalities = [heerlen, sittardGeleen, maastricht];
const college = new Map<string, Client>();
for (const m of municipalities) college.set(m.id, ctx.as((await createKey(admin, 'college', m.id)).key));
await fundTheRegister(admin, heerlen.id);

// ---------------------------------------------------------------------------------------------
// Receivers, dispatchers and the register

interface DispatcherSettings {
  database?: Database;
  retryWindowMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  timeoutMs?: number;
  batchSize?: number;
  allowedHosts?: string[];
}

function dispatcher(settings: DispatcherSettings = {}): WebhookDispatcher {
  return new WebhookDispatcher({
    database: settings.database ?? database,
    signingKey: SIGNING_KEY,
    allowedHosts: settings.allowedHosts ?? ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: settings.retryWindowMs ?? 60_000,
    backoffBaseMs: settings.backoffBaseMs ?? 20,
    backoffMaxMs: settings.backoffMaxMs ?? 200,
    timeoutMs: settings.timeoutMs ?? 2_000,
    ...(settings.batchSize !== undefined && { batchSize: settings.batchSize }),
  });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `d` until `done()` holds, at most `rounds` times; returns the rounds used. */
async function drive(d: WebhookDispatcher, done: () => boolean | Promise<boolean>, rounds = 200, pauseMs = 20) {
  let attempted = 0;
  for (let round = 1; round <= rounds; round++) {
    attempted += (await d.runOnce()).attempted;
    if (await done()) return { rounds: round, attempted };
    await pause(pauseMs);
  }
  return { rounds, attempted };
}

async function rows<T>(query: ReturnType<typeof sql>, on: Database = database): Promise<T[]> {
  return ((await on.db.execute(query)) as unknown as { rows: T[] }).rows;
}

async function count(query: ReturnType<typeof sql>): Promise<number> {
  const [row] = await rows<{ n: string | number }>(query);
  return Number(row?.n);
}

/** The service's own shapes; `secret` appears only in the answer to a subscription. */
type SubscriptionJson = Subscription & { secret?: string };
type DeliveryJson = Delivery;

interface DecisionJson {
  id: string;
  status: string;
  conditions: { id: string; dueDate: string; status: string }[];
}

async function subscribe(body: Record<string, unknown>): Promise<SubscriptionJson & { secret: string }> {
  const res = await admin.post('/api/v1/webhook-subscriptions', body);
  expectStatus(res, 201, 'subscribe');
  return res.json();
}

async function unsubscribe(id: string): Promise<void> {
  expectStatus(await admin.delete(`/api/v1/webhook-subscriptions/${id}`), 204, 'unsubscribe');
}

async function deliveries(subscriptionId: string): Promise<DeliveryJson[]> {
  const res = await admin.get(`/api/v1/webhook-subscriptions/${subscriptionId}/deliveries?limit=200`);
  expectStatus(res, 200, 'deliveries');
  const page = res.json<{ items: DeliveryJson[]; nextCursor: string | null }>();
  if (page.nextCursor !== null) throw new Error('more than 200 deliveries');
  return page.items;
}

let references = 0;
async function draft(programmeId: string, amountCents: number, conditions: { description: string; dueDate: string }[] = []): Promise<DecisionJson> {
  const res = await admin.post('/api/v1/decisions', {
    reference: `WH-${process.pid}-${++references}`,
    title: `Webhook test decision ${references}`,
    boardMeetingDate: BOARD_MEETING,
    commitments: [{ programmeId, year: 2026, amountCents }],
    conditions,
  });
  expectStatus(res, 201, 'create decision');
  return res.json();
}

async function adopt(id: string): Promise<DecisionJson> {
  const res = await admin.post(`/api/v1/decisions/${id}/adopt`);
  expectStatus(res, 200, 'adopt');
  return res.json();
}

function vote(decisionId: string, municipalityId: string, outcome = 'approve') {
  return college.get(municipalityId)!.post(`/api/v1/decisions/${decisionId}/votes`, { municipalityId, outcome, decidedOn: '2026-02-24' });
}

async function approve(decisionId: string, municipalityId: string): Promise<void> {
  expectStatus(await vote(decisionId, municipalityId), 201, 'vote');
}

/** Adopted, three approvals, ratified: five events. */
async function ratifiedDecision(programmeId: string): Promise<DecisionJson> {
  const decision = await adopt((await draft(programmeId, LARGE)).id);
  for (const m of municipalities) await approve(decision.id, m.id);
  return decision;
}

/** The event ids of these decisions in outbox order, per decision. */
async function outboxOrder(decisionIds: string[]): Promise<Map<string, string[]>> {
  const list = sql.join(decisionIds.map((id) => sql`${id}::uuid`), sql`, `);
  const found = await rows<{ event_id: string; decision_id: string }>(
    sql`select event_id, decision_id from outbox_events where decision_id in (${list}) order by seq`,
  );
  const order = new Map<string, string[]>(decisionIds.map((id) => [id, []]));
  for (const row of found) order.get(row.decision_id)!.push(row.event_id);
  return order;
}

/** Per decision, the event ids in the order the receiver first accepted them. */
function acceptedOrder(receiver: Receiver): Map<string, string[]> {
  const order = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const hit of receiver.accepted) {
    if (seen.has(hit.payload.id)) continue;
    seen.add(hit.payload.id);
    const list = order.get(hit.payload.decisionId) ?? [];
    list.push(hit.payload.id);
    order.set(hit.payload.decisionId, list);
  }
  return order;
}

function duplicates(receiver: Receiver): number {
  const ids = receiver.accepted.map((hit) => hit.payload.id);
  return ids.length - new Set(ids).size;
}


interface AuditEvent {
  seq: number;
  action: string;
  resourceType: string;
  resourceId: string;
  occurredAt: string;
  actor: { role: string; keyId: string | null };
  data: Record<string, unknown>;
}

async function auditOf(resourceId: string): Promise<AuditEvent[]> {
  const res = await admin.get(`/api/v1/audit-events?resourceId=${resourceId}&limit=200`);
  expectStatus(res, 200, 'audit events');
  return res.json<{ items: AuditEvent[] }>().items;
}

/** Fans out whatever the outbox holds, so a new subscription only sees what happens after it. */
async function flushFanOut(): Promise<void> {
  await dispatcher().runOnce();
}

// ---------------------------------------------------------------------------------------------

t.test('subscriptions: create, read, list and delete; the secret is shown once and stored nowhere', async (t) => {
  const receiver = await Receiver.start(t);
  const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['decision.adopted', 'vote.cast'] });
  t.equal(res.statusCode, 201, 'an admin subscribes a local receiver (allow-listed)');
  const created = res.json<SubscriptionJson & { secret: string }>();
  t.same(
    Object.keys(created).sort(),
    ['active', 'callbackUrl', 'createdAt', 'endedReason', 'eventTypes', 'failingSince', 'format', 'hasAuthorization', 'id', 'municipalityId', 'programmeId', 'secret', 'updatedAt'],
    'the created subscription has its fields and the secret',
  );
  t.match(created, { callbackUrl: receiver.url, eventTypes: ['decision.adopted', 'vote.cast'], programmeId: null, municipalityId: null, active: true, failingSince: null });
  t.same([created.format, created.hasAuthorization, created.endedReason], ['eszl-v1', false, null], 'created without a format: eszl-v1, as before');
  t.match(created.secret, /^whsec_[A-Za-z0-9_-]{43}$/, 'the secret is whsec_ and 256 bits');
  t.equal(created.secret, subscriptionSecret(SIGNING_KEY, created.id), 'derived from the signing key and the id');
  const { secret, ...withoutSecret } = created;

  const got = await admin.get(`/api/v1/webhook-subscriptions/${created.id}`);
  t.equal(got.statusCode, 200);
  t.same(got.json(), withoutSecret, 'GET shows the subscription without its secret');
  t.notOk(got.body.includes(secret), 'the secret is not in the GET body');
  const listed = await admin.get('/api/v1/webhook-subscriptions?limit=200');
  t.equal(listed.statusCode, 200);
  t.same(listed.json<{ items: SubscriptionJson[] }>().items.find((s) => s.id === created.id), withoutSecret, 'the list shows it without its secret');
  t.notOk(listed.body.includes(secret), 'the secret is not in the list body');

  // A retry of the creation with its Idempotency-Key does not show the secret again.
  const key = { 'idempotency-key': `wh-${randomUUID()}` };
  const first = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['vote.cast'] }, key);
  t.equal(first.statusCode, 201);
  const retry = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['vote.cast'] }, key);
  t.equal(retry.statusCode, 409, 'a retry with the same Idempotency-Key answers 409, not the stored secret');
  t.equal(retry.json<{ code: string }>().code, 'IDEMPOTENT_RESPONSE_NOT_STORED');
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.notOk(retry.body.includes(first.json<{ secret: string }>().secret), 'the retry body holds no secret');
  const afterRetry = await admin.get('/api/v1/webhook-subscriptions?limit=200');
  t.equal(afterRetry.json<{ items: SubscriptionJson[] }>().items.filter((s) => s.eventTypes.join() === 'vote.cast').length, 1, 'and creates no second subscription');

  // The secrets are stored nowhere: not in the subscription rows, not in any table, not in the log.
  const subscriptionRows = await rows<Record<string, unknown>>(sql`select * from webhook_subscriptions`);
  t.ok(subscriptionRows.length >= 2);
  t.notOk(JSON.stringify(subscriptionRows).includes(secret), 'no webhook_subscriptions row holds the secret');
  const secrets = [secret, first.json<{ secret: string }>().secret];
  const tables = await rows<{ table_name: string }>(
    sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
  );
  t.ok(tables.some((row) => row.table_name === 'webhook_subscriptions'));
  const holding: string[] = [];
  for (const { table_name: table } of tables) {
    const dump = await rows<{ line: string }>(sql`select t::text as line from ${sql.identifier(table)} t`);
    if (dump.some((row) => secrets.some((s) => row.line.includes(s)))) holding.push(table);
  }
  t.same(holding, [], `none of the ${tables.length} tables holds a subscription secret`);
  t.notOk(ctx.logLines.some((line) => secrets.some((s) => line.includes(s)) || line.includes(SIGNING_KEY)), 'no log line holds a secret or the signing key');

  // Unsubscribing: 204, idempotent, recorded once; the subscription stays readable as inactive.
  t.equal((await admin.delete(`/api/v1/webhook-subscriptions/${created.id}`)).statusCode, 204, 'DELETE answers 204');
  const deleted = await admin.get(`/api/v1/webhook-subscriptions/${created.id}`);
  t.equal(deleted.statusCode, 200);
  t.equal(deleted.json<SubscriptionJson>().active, false, 'the subscription is inactive');
  t.equal((await admin.delete(`/api/v1/webhook-subscriptions/${created.id}`)).statusCode, 204, 'a second DELETE answers 204 too');
  t.same(
    (await auditOf(created.id)).map((e) => [e.action, e.resourceType]),
    [
      ['webhook.subscribed', 'webhook-subscription'],
      ['webhook.unsubscribed', 'webhook-subscription'],
    ],
    'the audit trail holds one subscribe and one unsubscribe',
  );
  t.equal((await admin.get(`/api/v1/webhook-subscriptions/${created.id}/deliveries`)).statusCode, 200, 'its delivery log stays readable');
  await unsubscribe(first.json<{ id: string }>().id);
});

t.test('subscriptions: invalid input answers 400, unknown ids 404, and secretariat, auditor and reader keys may not manage them', async (t) => {
  const receiver = await Receiver.start(t);
  const programme = await createProgramme(admin);
  const applicant = await createOrganisation(admin, { kind: 'applicant' });
  const url = receiver.url;
  const unknown = randomUUID();
  const invalid: [string, unknown, string][] = [
    ['an unknown event type', { callbackUrl: url, eventTypes: ['decision.exploded'] }, 'VALIDATION_FAILED'],
    ['an audit action that is not a webhook event', { callbackUrl: url, eventTypes: ['decision.created'] }, 'VALIDATION_FAILED'],
    ['empty eventTypes', { callbackUrl: url, eventTypes: [] }, 'VALIDATION_FAILED'],
    ['no eventTypes', { callbackUrl: url }, 'VALIDATION_FAILED'],
    ['a repeated event type', { callbackUrl: url, eventTypes: ['vote.cast', 'vote.cast'] }, 'VALIDATION_FAILED'],
    ['no callbackUrl', { eventTypes: ['vote.cast'] }, 'VALIDATION_FAILED'],
    ['a callbackUrl that is not a URL', { callbackUrl: 'not a url at all', eventTypes: ['vote.cast'] }, 'VALIDATION_FAILED'],
    ['an ftp callbackUrl', { callbackUrl: 'ftp://127.0.0.1/hook', eventTypes: ['vote.cast'] }, 'VALIDATION_FAILED'],
    ['credentials in the callbackUrl', { callbackUrl: `http://user:pw@127.0.0.1:${receiver.port}/`, eventTypes: ['vote.cast'] }, 'VALIDATION_FAILED'],
    ['a private address that is not allow-listed', { callbackUrl: 'http://10.0.0.1/hook', eventTypes: ['vote.cast'] }, 'VALIDATION_FAILED'],
    ['localhost (not allow-listed, resolves to loopback)', { callbackUrl: 'http://localhost/hook', eventTypes: ['vote.cast'] }, 'VALIDATION_FAILED'],
    ['the cloud metadata address', { callbackUrl: 'http://169.254.169.254/latest', eventTypes: ['vote.cast'] }, 'VALIDATION_FAILED'],
    ['an unknown programmeId filter', { callbackUrl: url, eventTypes: ['vote.cast'], programmeId: unknown }, 'REFERENCED_RESOURCE_NOT_FOUND'],
    ['an unknown municipalityId filter', { callbackUrl: url, eventTypes: ['vote.cast'], municipalityId: unknown }, 'REFERENCED_RESOURCE_NOT_FOUND'],
    ['a programmeId that is not a UUID', { callbackUrl: url, eventTypes: ['vote.cast'], programmeId: 'WTMR' }, 'VALIDATION_FAILED'],
    ['an extra property', { callbackUrl: url, eventTypes: ['vote.cast'], secret: 'mine' }, 'VALIDATION_FAILED'],
  ];
  const before = await count(sql`select count(*) as n from webhook_subscriptions`);
  for (const [name, body, code] of invalid) {
    const res = await admin.post('/api/v1/webhook-subscriptions', body);
    t.equal(res.statusCode, 400, `${name}: 400 (got ${res.statusCode} ${res.body.slice(0, 160)})`);
    t.equal(res.json<{ code?: string }>().code, code, `${name}: ${code}`);
  }
  t.equal(await count(sql`select count(*) as n from webhook_subscriptions`), before, 'none of them created a subscription');

  const filtered = await subscribe({ callbackUrl: url, eventTypes: ['vote.cast'], programmeId: programme.id, municipalityId: heerlen.id });
  t.match(filtered, { programmeId: programme.id, municipalityId: heerlen.id }, 'existing filters are accepted');
  await unsubscribe(filtered.id);
  const applicantFilter = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: url, eventTypes: ['vote.cast'], municipalityId: applicant.id });
  t.equal(applicantFilter.statusCode, 400, 'a municipalityId filter naming an applicant, not a municipality, is refused');
  if (applicantFilter.statusCode === 201) await unsubscribe(applicantFilter.json<{ id: string }>().id);

  for (const [what, res] of [
    ['GET', await admin.get(`/api/v1/webhook-subscriptions/${unknown}`)],
    ['DELETE', await admin.delete(`/api/v1/webhook-subscriptions/${unknown}`)],
    ['deliveries', await admin.get(`/api/v1/webhook-subscriptions/${unknown}/deliveries`)],
    ['redeliver', await admin.post(`/api/v1/webhook-subscriptions/${unknown}/deliveries/${randomUUID()}/redeliver`)],
  ] as const) {
    t.equal(res.statusCode, 404, `${what} of an unknown subscription: 404`);
  }
  t.equal((await admin.get('/api/v1/webhook-subscriptions/not-a-uuid')).statusCode, 400, 'an id that is not a UUID: 400');

  const target = await subscribe({ callbackUrl: url, eventTypes: ['vote.cast'] });
  t.teardown(() => unsubscribe(target.id));
  t.equal((await admin.post(`/api/v1/webhook-subscriptions/${target.id}/deliveries/${randomUUID()}/redeliver`)).statusCode, 404, 'redeliver of an unknown delivery: 404');
  const holders: [string, Client][] = [
    ['secretariat', ctx.as((await createKey(admin, 'secretariat')).key)],
    ['auditor', ctx.as((await createKey(admin, 'auditor')).key)],
    ['reader', ctx.as((await createKey(admin, 'reader')).key)],
  ];
  // A college key may manage its own municipality's subscriptions (test/use-cases/webhooks.test.ts), not this one.
  const own = college.get(heerlen.id)!;
  t.same(
    [(await own.get(`/api/v1/webhook-subscriptions/${target.id}`)).statusCode, (await own.delete(`/api/v1/webhook-subscriptions/${target.id}`)).statusCode],
    [403, 403],
    "college: 403 reading or deleting a subscription that is not its municipality's",
  );
  const body = { callbackUrl: url, eventTypes: ['vote.cast'] };
  for (const [role, client] of holders) {
    const answers = [
      await client.post('/api/v1/webhook-subscriptions', body),
      await client.get('/api/v1/webhook-subscriptions'),
      await client.get(`/api/v1/webhook-subscriptions/${target.id}`),
      await client.get(`/api/v1/webhook-subscriptions/${target.id}/deliveries`),
      await client.post(`/api/v1/webhook-subscriptions/${target.id}/deliveries/${randomUUID()}/redeliver`),
      await client.delete(`/api/v1/webhook-subscriptions/${target.id}`),
    ];
    t.same(answers.map((res) => res.statusCode), [403, 403, 403, 403, 403, 403], `${role}: 403 on all six webhook operations`);
    t.ok(answers.every((res) => res.json<{ code: string }>().code === 'FORBIDDEN'), `${role}: FORBIDDEN`);
  }
  const anonymous = ctx.as(undefined);
  t.equal((await anonymous.get('/api/v1/webhook-subscriptions')).statusCode, 401, 'no key: 401');
  t.equal((await anonymous.post('/api/v1/webhook-subscriptions', body)).statusCode, 401, 'no key: 401 on create');
  t.equal((await admin.get(`/api/v1/webhook-subscriptions/${target.id}`)).json<SubscriptionJson>().active, true, 'the refused DELETEs left it active');
  t.equal(await count(sql`select count(*) as n from webhook_subscriptions where active`), 1, 'and created nothing');
});

t.test('without an allow-list private callback URLs are refused; without a signing key webhooks answer 409', async (t) => {
  const strict = await startTestApp(t, { env: { WEBHOOK_SIGNING_KEY: SIGNING_KEY } });
  for (const callbackUrl of ['http://127.0.0.1:9/hook', 'http://localhost:9/hook', 'http://[::1]:9/hook', 'http://10.0.0.1/hook', 'http://192.168.1.20/', 'http://169.254.169.254/']) {
    const res = await strict.admin.post('/api/v1/webhook-subscriptions', { callbackUrl, eventTypes: ['vote.cast'] });
    t.equal(res.statusCode, 400, `${callbackUrl} is refused without an allow-list: 400`);
    t.same(res.json<{ errors?: { path: string }[] }>().errors?.map((e) => e.path), ['/callbackUrl'], 'pointing at callbackUrl');
  }
  const publicUrl = await strict.admin.post('/api/v1/webhook-subscriptions', { callbackUrl: 'https://93.184.216.34/hook', eventTypes: ['vote.cast'] });
  t.equal(publicUrl.statusCode, 201, 'a public address is accepted');

  const unconfigured = await startTestApp(t, {});
  const res = await unconfigured.admin.post('/api/v1/webhook-subscriptions', { callbackUrl: 'https://93.184.216.34/hook', eventTypes: ['vote.cast'] });
  t.equal(res.statusCode, 409, 'without WEBHOOK_SIGNING_KEY subscribing answers 409');
  t.equal(res.json<{ code: string }>().code, 'WEBHOOKS_NOT_CONFIGURED');
  t.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const audit = await unconfigured.admin.get('/api/v1/audit-events?resourceType=webhook-subscription');
  t.same(audit.json<{ items: unknown[] }>().items, [], 'and records nothing');
});

t.test('the WTMR story: one subscriber receives decision.adopted, three vote.cast and decision.ratified, signed, in order', async (t) => {
  await flushFanOut();
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ALL_TYPES });
  const wtmr = await createProgramme(admin, { code: `WTMR${references}`, name: 'Welcome to Maastricht Region' });
  const create = await admin.post('/api/v1/decisions', {
    reference: 'ESZL-2026-007',
    title: 'Bijdrage Welcome to Maastricht Region 2026-2027',
    boardMeetingDate: BOARD_MEETING,
    commitments: [
      { programmeId: wtmr.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: wtmr.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions: [{ description: 'Submit measurable result criteria', dueDate: FUTURE_DUE }],
  });
  expectStatus(create, 201, 'create WTMR');
  const decision = create.json<DecisionJson>();
  t.equal((await adopt(decision.id)).status, 'pending_ratification');
  for (const m of municipalities) await approve(decision.id, m.id);

  const d = dispatcher();
  const run = await drive(d, () => receiver.hits.length >= 5, 50);
  await d.runOnce();
  t.comment(`WTMR story: ${receiver.hits.length} requests in ${run.rounds} rounds`);
  t.same(
    receiver.hits.map((hit) => hit.payload.type),
    ['decision.adopted', 'vote.cast', 'vote.cast', 'vote.cast', 'decision.ratified'],
    'the receiver gets decision.adopted, three vote.cast and decision.ratified, in that order, once each',
  );
  t.ok(receiver.hits.every((hit) => hit.status === 200), 'each answered 200 by the receiver');
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'each is signed with the subscription secret (fresh t, v1 = HMAC-SHA256 of "t.body")');
  t.notOk(receiver.hits.some((hit) => signedWith(subscriptionSecret(SIGNING_KEY, randomUUID()), hit)), 'and does not verify with another secret');
  t.ok(receiver.hits.every((hit) => hit.headers['eszl-event-id'] === hit.payload.id), 'ESZL-Event-Id equals payload.id');
  t.ok(receiver.hits.every((hit) => hit.headers['eszl-event-type'] === hit.payload.type), 'ESZL-Event-Type equals payload.type');
  t.ok(receiver.hits.every((hit) => /^application\/json/.test(String(hit.headers['content-type']))), 'the body is JSON');
  t.ok(receiver.hits.every((hit) => hit.headers['user-agent'] === 'eszl-decisions-webhooks/1'), 'with the service user agent');
  t.equal(new Set(receiver.hits.map((hit) => hit.payload.id)).size, 5, 'five distinct event ids');
  t.ok(receiver.hits.every((hit) => /^[0-9a-f-]{36}$/.test(hit.payload.id)), 'each a UUID');
  t.ok(receiver.hits.every((hit) => hit.payload.decisionId === decision.id), 'each names the WTMR decision');

  const audit = (await auditOf(decision.id)).filter((e) => ALL_TYPES.includes(e.action));
  t.same(
    receiver.hits.map((hit) => [hit.payload.type, hit.payload.auditSeq, hit.payload.occurredAt, hit.payload.data]),
    audit.map((e) => [e.action, e.seq, e.occurredAt, e.data]),
    'each payload carries its audit event: action, seq, time and data',
  );
  t.ok(receiver.hits.every((hit) => !Number.isNaN(Date.parse(hit.payload.occurredAt))), 'occurredAt is a timestamp');
  t.equal((receiver.hits[4]!.payload.data as { decision: { status: string } }).decision.status, 'ratified', 'decision.ratified carries the ratified decision');

  const log = await deliveries(subscription.id);
  t.equal(log.length, 5, 'the delivery log holds five deliveries');
  t.ok(log.every((entry) => entry.state === 'delivered' && entry.attempts === 1 && entry.attemptLog.length === 1), 'each delivered at the first attempt');
  t.ok(log.every((entry) => entry.attemptLog[0]!.statusCode === 200 && entry.attemptLog[0]!.error === null), 'logged with status 200 and no error');
  t.ok(log.every((entry) => Number.isInteger(entry.attemptLog[0]!.latencyMs) && entry.attemptLog[0]!.latencyMs >= 0), 'and a latency');
  t.ok(log.every((entry) => entry.deliveredAt !== null && entry.nextAttemptAt === null), 'with deliveredAt and no next attempt');
  t.same(
    log.map((entry) => entry.eventId).sort(),
    receiver.hits.map((hit) => hit.payload.id).sort(),
    'the log names the event ids the receiver got',
  );

  // Unsubscribed, it receives nothing more.
  await unsubscribe(subscription.id);
  await adopt((await draft(wtmr.id, SMALL)).id);
  await drive(d, () => false, 5, 10);
  t.equal(receiver.hits.length, 5, 'after DELETE nothing more is delivered');
});

t.test('filters: programme, municipality and event type', async (t) => {
  await flushFanOut();
  const programmeA = await createProgramme(admin);
  const programmeB = await createProgramme(admin);
  const other = await createOrganisation(admin, { name: `Gemeente Vaals ${references}`, kind: 'municipality' });
  const [forA, forB, forHeerlen, forVaals, votesOnly] = await Promise.all([1, 2, 3, 4, 5].map(() => Receiver.start(t)));
  const subs = [
    await subscribe({ callbackUrl: forA!.url, eventTypes: ALL_TYPES, programmeId: programmeA.id }),
    await subscribe({ callbackUrl: forB!.url, eventTypes: ALL_TYPES, programmeId: programmeB.id }),
    await subscribe({ callbackUrl: forHeerlen!.url, eventTypes: ALL_TYPES, municipalityId: heerlen.id }),
    await subscribe({ callbackUrl: forVaals!.url, eventTypes: ALL_TYPES, municipalityId: other.id }),
    await subscribe({ callbackUrl: votesOnly!.url, eventTypes: ['vote.cast'], programmeId: programmeA.id }),
  ];
  t.teardown(async () => {
    for (const s of subs) await unsubscribe(s.id);
  });

  const large = await ratifiedDecision(programmeA.id); // adopted, 3 votes, ratified: Heerlen must ratify
  const small = await adopt((await draft(programmeA.id, SMALL)).id); // adopted at once: nobody ratifies
  const withdrawn = await adopt((await draft(programmeA.id, LARGE)).id);
  expectStatus(await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Applicant withdrew' }), 200, 'withdraw');
  const rejected = await adopt((await draft(programmeA.id, LARGE)).id);
  expectStatus(await vote(rejected.id, maastricht.id, 'reject'), 201, 'reject');
  const d = dispatcher();
  await drive(d, () => forA!.hits.length >= 11 && votesOnly!.hits.length >= 4 && forHeerlen!.hits.length >= 10, 50);
  await drive(d, () => false, 3, 10);

  const ofDecision = (receiver: Receiver, id: string) => receiver.hits.filter((hit) => hit.payload.decisionId === id).map((hit) => hit.payload.type);
  const story = ['decision.adopted', 'vote.cast', 'vote.cast', 'vote.cast', 'decision.ratified'];
  t.equal(forA!.hits.length, 11, 'the programme A subscriber gets every event of programme A');
  t.same(ofDecision(forA!, large.id), story, 'those of the ratified decision in order');
  t.same(ofDecision(forA!, small.id), ['decision.adopted'], 'the adoption of the small one');
  t.same(ofDecision(forA!, withdrawn.id), ['decision.adopted', 'decision.withdrawn'], 'adoption and withdrawal of the withdrawn one');
  t.same(ofDecision(forA!, rejected.id), ['decision.adopted', 'vote.cast', 'decision.rejected'], 'adoption, the rejecting vote and the rejection');
  t.equal(forB!.hits.length, 0, 'a subscription for another programme gets nothing');
  t.same(
    [large, withdrawn, rejected].map((decision) => ofDecision(forHeerlen!, decision.id)),
    [story, ['decision.adopted', 'decision.withdrawn'], ['decision.adopted', 'vote.cast', 'decision.rejected']],
    'a Heerlen filter gets the events of the decisions Heerlen must ratify',
  );
  t.equal(forHeerlen!.hits.length, 10, 'and not the one nobody ratifies');
  t.equal(forVaals!.hits.length, 0, 'a filter on a municipality that ratifies nothing gets nothing');
  t.same(votesOnly!.hits.map((hit) => hit.payload.type), ['vote.cast', 'vote.cast', 'vote.cast', 'vote.cast'], 'a vote.cast subscriber gets only the votes');
  t.ok(
    forA!.hits.every((hit) => signedWith(subs[0]!.secret, hit)) && forHeerlen!.hits.every((hit) => signedWith(subs[2]!.secret, hit)),
    'each subscriber gets messages signed with its own secret',
  );
  t.notOk(forA!.hits.some((hit) => signedWith(subs[2]!.secret, hit)), 'not with the secret of another subscription');
  t.same(
    new Set(forA!.hits.map((hit) => hit.payload.id)),
    new Set([...forHeerlen!.hits, ...forA!.hits.filter((hit) => hit.payload.decisionId === small.id)].map((hit) => hit.payload.id)),
    'the same event has the same id at every subscriber',
  );
});

t.test('a receiver answering 500 to its first three requests is retried; the log shows every attempt', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = (n) => (n <= 3 ? 500 : 200);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const decision = await adopt((await draft(programme.id, SMALL)).id);

  const run = await drive(dispatcher({ backoffBaseMs: 20, backoffMaxMs: 100 }), () => receiver.accepted.length >= 1, 100);
  t.comment(`500 x3 then 200: ${receiver.hits.length} requests in ${run.rounds} rounds`);
  t.same(receiver.hits.map((hit) => hit.status), [500, 500, 500, 200], 'three 500s, then accepted at the fourth attempt');
  t.equal(new Set(receiver.hits.map((hit) => hit.payload.id)).size, 1, 'every attempt carries the same event id');
  t.ok(receiver.hits.every((hit) => hit.body === receiver.hits[0]!.body), 'and the same body');
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'each attempt is signed');

  const [delivery, ...rest] = await deliveries(subscription.id);
  t.equal(rest.length, 0, 'one delivery');
  t.match(delivery, { eventType: 'decision.adopted', decisionId: decision.id, state: 'delivered', attempts: 4, nextAttemptAt: null });
  t.equal(delivery!.eventId, receiver.hits[0]!.payload.id, 'for the event the receiver got');
  t.same(delivery!.attemptLog.map((a) => a.statusCode), [200, 500, 500, 500], 'the log shows the attempts, newest first: 200 after three 500s');
  t.same(delivery!.attemptLog.map((a) => a.error), [null, 'receiver answered 500', 'receiver answered 500', 'receiver answered 500'], 'with the error of each failed attempt');
  t.ok(delivery!.attemptLog.every((a) => Number.isInteger(a.latencyMs) && a.latencyMs >= 0), 'and the latency of each');
  const times = delivery!.attemptLog.map((a) => Date.parse(a.attemptedAt));
  t.ok(times.every((time, i) => i === 0 || time <= times[i - 1]!), 'attempt times run newest first');
  t.ok(delivery!.firstAttemptAt !== null && delivery!.deliveredAt !== null, 'firstAttemptAt and deliveredAt are set');
  const sub = (await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>();
  t.equal(sub.failingSince, null, 'a subscription that recovered within the window is not failing');
});

t.test('a receiver that is down during a burst of 30 events gets all of them when it comes back, in order per decision', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ALL_TYPES, programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const d = dispatcher({ backoffBaseMs: 20, backoffMaxMs: 200 });

  // Five decisions, six events each: adopted, three vote.cast, ratified, condition.fulfilled.
  const decisions: DecisionJson[] = [];
  for (let i = 0; i < 5; i++) decisions.push(await draft(programme.id, LARGE, [{ description: `Condition ${i}`, dueDate: FUTURE_DUE }]));
  for (const decision of decisions) await adopt(decision.id);
  await drive(d, () => receiver.accepted.length >= 5, 50);
  const beforeOutage = receiver.accepted.length;

  await receiver.stop(); // down during the burst
  let roundsWhileDown = 0;
  for (const m of municipalities) {
    for (const decision of decisions) {
      await approve(decision.id, m.id);
      await d.runOnce();
      roundsWhileDown++;
    }
  }
  for (const decision of decisions) {
    const res = await admin.post(`/api/v1/decisions/${decision.id}/conditions/${decision.conditions[0]!.id}/fulfil`, {
      fulfilledOn: '2026-02-27',
      evidence: 'Criteria received',
    });
    expectStatus(res, 200, 'fulfil');
    await d.runOnce();
    roundsWhileDown++;
  }
  for (let i = 0; i < 10; i++) {
    await d.runOnce();
    await pause(20);
    roundsWhileDown++;
  }
  const whileDown = await deliveries(subscription.id);
  const failedAttemptsWhileDown = whileDown.reduce((sum, entry) => sum + entry.attemptLog.filter((a) => a.statusCode === null).length, 0);
  t.equal(receiver.hits.length, beforeOutage, 'nothing reached the receiver while it was down');
  t.ok(failedAttemptsWhileDown > 0, `the dispatcher kept trying while it was down (${failedAttemptsWhileDown} refused connections logged)`);
  t.ok(whileDown.every((entry) => entry.state !== 'failed'), 'no delivery gave up within the retry window');

  await receiver.restart(); // back on the same port
  const run = await drive(d, () => new Set(receiver.accepted.map((hit) => hit.payload.id)).size >= 30, 300);
  await drive(d, () => false, 3, 20);

  const order = await outboxOrder(decisions.map((decision) => decision.id));
  const expectedIds = [...order.values()].flat();
  t.equal(expectedIds.length, 30, 'the burst wrote 30 outbox events');
  const receivedIds = new Set(receiver.accepted.map((hit) => hit.payload.id));
  const missing = expectedIds.filter((id) => !receivedIds.has(id));
  const dupes = duplicates(receiver);
  const log = await deliveries(subscription.id);
  const attempts = log.reduce((sum, entry) => sum + entry.attempts, 0);
  t.comment(
    `outage: sent 30, received ${receivedIds.size}, duplicates ${dupes}, missing ${missing.length}, attempts ${attempts}, ` +
      `rounds while down ${roundsWhileDown}, rounds to recover ${run.rounds}`,
  );
  t.same(missing, [], 'the receiver got 100 % of the events');
  t.equal(dupes, 0, 'each exactly once by event id');
  t.same(acceptedOrder(receiver), order, 'in outbox order per decision');
  t.ok(receiver.accepted.every((hit) => signedWith(subscription.secret, hit)), 'all signed');
  t.ok(log.length === 30 && log.every((entry) => entry.state === 'delivered'), 'the log shows 30 deliveries, all delivered');
  t.ok(attempts > 30, `with retries logged (${attempts} attempts for 30 deliveries)`);
  t.equal((await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>().failingSince, null, 'the subscription is not failing');
});

t.test('the retry window: a receiver that always fails ends failed and its subscription failing; redeliver after recovery delivers', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = () => 503;
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted', 'decision.withdrawn'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const decision = await adopt((await draft(programme.id, SMALL)).id);
  const d = dispatcher({ retryWindowMs: 300, backoffBaseMs: 20, backoffMaxMs: 60 });

  const failed = async () => (await deliveries(subscription.id)).every((entry) => entry.state === 'failed');
  const run = await drive(d, failed, 100, 30);
  const [delivery] = await deliveries(subscription.id);
  t.comment(`retry window 300 ms: ${delivery?.attempts} attempts in ${run.rounds} rounds before giving up`);
  t.equal(delivery?.state, 'failed', 'after the retry window the delivery is failed');
  t.ok(delivery!.attempts >= 2, `after ${delivery!.attempts} attempts`);
  t.equal(delivery!.nextAttemptAt, null, 'with no next attempt');
  t.equal(delivery!.deliveredAt, null);
  t.ok(delivery!.attemptLog.every((a) => a.statusCode === 503 && a.error === 'receiver answered 503'), 'every attempt logged with 503');
  const failing = (await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>();
  t.match(failing.failingSince, /^\d{4}-\d{2}-\d{2}T/, 'the subscription shows failingSince');
  const listed = (await admin.get('/api/v1/webhook-subscriptions?limit=200')).json<{ items: SubscriptionJson[] }>().items;
  t.equal(listed.find((s) => s.id === subscription.id)?.failingSince, failing.failingSince, 'also in the list');

  const hitsWhenFailed = receiver.hits.length;
  await drive(d, () => false, 5, 20);
  t.equal(receiver.hits.length, hitsWhenFailed, 'a failed delivery is not tried again by itself');

  receiver.answer = () => 204;
  const redeliver = await admin.post(`/api/v1/webhook-subscriptions/${subscription.id}/deliveries/${delivery!.id}/redeliver`);
  t.equal(redeliver.statusCode, 200, 'redeliver answers 200');
  t.match(redeliver.json<DeliveryJson>(), { id: delivery!.id, eventId: delivery!.eventId, state: 'pending', firstAttemptAt: null }, 'the delivery is pending again, with a new window');
  const [rescheduled] = await deliveries(subscription.id);
  t.same(rescheduled?.attemptLog, delivery!.attemptLog, 'the attempts so far stay in the log');
  t.same(
    redeliver.json<DeliveryJson>().attemptLog,
    rescheduled?.attemptLog,
    `the redeliver response shows the same attempt log as GET (it holds attempts: ${redeliver.json<DeliveryJson>().attempts})`,
  );
  t.same(
    (await auditOf(subscription.id)).map((e) => e.action),
    ['webhook.subscribed', 'webhook.redelivered'],
    'the redelivery is audited',
  );
  await drive(d, () => receiver.accepted.length >= 1, 50);
  const [after] = await deliveries(subscription.id);
  t.equal(after?.state, 'delivered', 'the redelivered event is delivered once the receiver recovered');
  t.equal(after?.attemptLog[0]?.statusCode, 204, 'the latest attempt shows 204');
  t.equal(receiver.accepted.length, 1, 'exactly once');
  t.equal(receiver.accepted[0]!.payload.id, delivery!.eventId, 'with the same event id as before');
  t.ok(signedWith(subscription.secret, receiver.accepted[0]!), 'signed');
  t.equal((await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>().failingSince, null, 'failingSince is cleared by the success');
  t.equal(decision.status, 'adopted');

  // Redelivery checks what it is given.
  const stranger = await subscribe({ callbackUrl: receiver.url, eventTypes: ['condition.fulfilled'], programmeId: programme.id });
  t.equal(
    (await admin.post(`/api/v1/webhook-subscriptions/${stranger.id}/deliveries/${delivery!.id}/redeliver`)).statusCode,
    404,
    'the delivery of another subscription: 404',
  );
  await unsubscribe(stranger.id);
  const cancelled = await admin.post(`/api/v1/webhook-subscriptions/${stranger.id}/deliveries/${delivery!.id}/redeliver`);
  t.equal(cancelled.statusCode, 409, 'a cancelled subscription: 409');
});

t.test('deliveries stop after DELETE, also those waiting for a retry', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = () => 500;
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  await adopt((await draft(programme.id, SMALL)).id);
  const d = dispatcher({ backoffBaseMs: 20, backoffMaxMs: 40 });
  await drive(d, () => receiver.hits.length >= 1, 20);
  t.equal(receiver.hits.length, 1, 'the first attempt failed with 500');
  receiver.answer = () => 200;
  await unsubscribe(subscription.id);
  await adopt((await draft(programme.id, SMALL)).id);
  await drive(d, () => false, 10, 20);
  t.equal(receiver.hits.length, 1, 'after DELETE neither the pending retry nor a new event is delivered');
  const [delivery, ...others] = await deliveries(subscription.id);
  t.equal(others.length, 0, 'no delivery was even created for the event after DELETE');
  t.equal(delivery?.state, 'failed', 'the log still shows the undelivered event, ended as failed');
});

t.test('two dispatchers on one database deliver 50 events exactly once, in order per decision', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ALL_TYPES, programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const decisions: DecisionJson[] = [];
  for (let i = 0; i < 10; i++) decisions.push(await ratifiedDecision(programme.id)); // 10 x 5 events
  t.equal(await count(sql`select count(*) as n from outbox_events where fanned_out_at is null`), 50, '50 events wait in the outbox');

  let other: Database = database;
  if (onPostgres) {
    other = await openDatabase({ databaseUrl: ctx.db.url!, dataDir: 'unused', poolSize: 10 });
    t.teardown(() => other.close());
  }
  const a = dispatcher({ batchSize: 5 });
  const b = dispatcher({ database: other, batchSize: 5 });
  const unique = () => new Set(receiver.accepted.map((hit) => hit.payload.id)).size;
  const work = { a: 0, b: 0 };
  const loop = async (d: WebhookDispatcher, name: 'a' | 'b') => {
    for (let round = 0; round < 300 && unique() < 50; round++) {
      work[name] += (await d.runOnce()).attempted;
      await pause(2);
    }
  };
  await Promise.all([loop(a, 'a'), loop(b, 'b')]);
  await Promise.all([a.runOnce(), b.runOnce()]);

  const order = await outboxOrder(decisions.map((decision) => decision.id));
  const attempts = await count(
    sql`select count(*) as n from webhook_attempts wa join webhook_deliveries wd on wd.id = wa.delivery_id where wd.subscription_id = ${subscription.id}`,
  );
  const dupes = duplicates(receiver);
  t.comment(
    `two dispatchers (${onPostgres ? 'two pools on PostgreSQL' : 'one PGlite'}): sent 50, received ${unique()}, duplicates ${dupes}, ` +
      `requests ${receiver.hits.length}, attempts logged ${attempts}, delivered by A ${work.a}, by B ${work.b}`,
  );
  t.equal(unique(), 50, 'every event is delivered');
  t.equal(dupes, 0, 'none twice (0 duplicates)');
  t.equal(receiver.hits.length, 50, 'the receiver got exactly 50 requests');
  t.equal(attempts, 50, 'the log holds exactly 50 attempts');
  t.same(acceptedOrder(receiver), order, 'in outbox order per decision');
  if (onPostgres) t.ok(work.a > 0 && work.b > 0, `both instances shared the work (A ${work.a}, B ${work.b})`);
});

t.test('condition.overdue is raised once per open condition of a binding decision past its due date, also with concurrent checks', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['condition.overdue'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));

  const adopted = await adopt(
    (
      await draft(programme.id, SMALL, [
        { description: 'Due on 15 February', dueDate: '2026-02-15' },
        { description: 'Due yesterday', dueDate: '2026-02-28' },
        { description: 'Due today', dueDate: '2026-03-01' },
        { description: 'Fulfilled in time', dueDate: '2026-02-10' },
      ])
    ).id,
  );
  const fulfilled = await admin.post(`/api/v1/decisions/${adopted.id}/conditions/${adopted.conditions[3]!.id}/fulfil`, {
    fulfilledOn: '2026-02-09',
    evidence: 'Delivered',
  });
  expectStatus(fulfilled, 200, 'fulfil');
  const pending = await adopt((await draft(programme.id, LARGE, [{ description: 'Pending decision condition', dueDate: '2026-01-31' }])).id);
  t.equal(pending.status, 'pending_ratification');
  const stillDraft = await draft(programme.id, SMALL, [{ description: 'Draft condition', dueDate: '2026-02-15' }]);
  const withdrawn = await adopt((await draft(programme.id, LARGE, [{ description: 'Withdrawn condition', dueDate: '2026-02-01' }])).id);
  expectStatus(await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Applicant withdrew' }), 200, 'withdraw');

  const expected = [adopted.conditions[0]!.id, adopted.conditions[1]!.id];
  let other: Database = database;
  if (onPostgres) {
    other = await openDatabase({ databaseUrl: ctx.db.url!, dataDir: 'unused', poolSize: 4 });
    t.teardown(() => other.close());
  }
  const concurrent = await Promise.all([
    raiseOverdueConditions({ database, clock: CLOCK }),
    raiseOverdueConditions({ database: other, clock: CLOCK }),
    raiseOverdueConditions({ database, clock: CLOCK }),
  ]);
  t.equal(concurrent.reduce((a, b) => a + b, 0), 2, `three concurrent checks raise the two overdue conditions once between them (${concurrent.join(' + ')})`);
  t.equal(await raiseOverdueConditions({ database, clock: CLOCK }), 0, 'a later check raises nothing more');
  t.same(
    await Promise.all([raiseOverdueConditions({ database, clock: CLOCK }), raiseOverdueConditions({ database: other, clock: CLOCK })]),
    [0, 0],
    'nor do two more concurrent checks',
  );

  const overdueEvents = (await auditOf(adopted.id)).concat(await auditOf(pending.id)).filter((e) => e.action === 'condition.overdue');
  t.same(
    overdueEvents.map((e) => (e.data as { condition: { id: string } }).condition.id).sort(),
    [...expected].sort(),
    'one condition.overdue audit event per overdue condition',
  );
  t.ok(overdueEvents.every((e) => e.actor.role === 'system' && e.resourceType === 'decision'), 'recorded by the system on the decision');
  t.same((await auditOf(stillDraft.id)).map((e) => e.action), ['decision.created'], 'the draft decision got none');
  t.notOk((await auditOf(pending.id)).some((e) => e.action === 'condition.overdue'), 'the decision awaiting the colleges does not bind: none');
  t.notOk((await auditOf(withdrawn.id)).some((e) => e.action === 'condition.overdue'), 'the withdrawn decision got none');
  const verify = await admin.get('/api/v1/audit-events/verify');
  t.equal(verify.json<{ valid: boolean }>().valid, true, 'the audit chain stays valid');

  await drive(dispatcher(), () => receiver.hits.length >= 2, 50);
  await drive(dispatcher(), () => false, 3, 10);
  t.same(receiver.hits.map((hit) => hit.payload.type), ['condition.overdue', 'condition.overdue'], 'the subscriber receives two condition.overdue');
  t.same(
    receiver.hits.map((hit) => (hit.payload.data as { condition: { id: string } }).condition.id).sort(),
    [...expected].sort(),
    'one per overdue condition',
  );
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'signed');
  const view = (await admin.get(`/api/v1/decisions/${adopted.id}`)).json<DecisionJson>();
  t.same(view.conditions.map((c) => c.status), ['overdue', 'overdue', 'open', 'fulfilled'], 'the decision shows which conditions are overdue');
});

t.test('the callback URL is checked again before every delivery; a receiver that times out is retried', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  await adopt((await draft(programme.id, SMALL)).id);

  // An instance whose allow-list no longer names 127.0.0.1 refuses to send.
  await drive(dispatcher({ allowedHosts: [] }), () => false, 2, 10);
  t.equal(receiver.hits.length, 0, 'a dispatcher without 127.0.0.1 on its allow-list sends nothing there');
  const [refused] = await deliveries(subscription.id);
  t.equal(refused?.state, 'pending', 'the delivery stays pending');
  t.ok(refused!.attemptLog.length >= 1, 'the refused attempt is logged');
  t.match(refused!.attemptLog[0], { statusCode: null, error: /loopback, link-local or private/ }, 'with no status code and the reason');

  // A receiver that answers too late: the attempt is logged as a timeout and tried again.
  const first = receiver.hits.length + 1;
  receiver.delayMs = (n) => (n === first ? 600 : 0);
  const d = dispatcher({ timeoutMs: 150, backoffBaseMs: 20, backoffMaxMs: 40 });
  const run = await drive(d, async () => (await deliveries(subscription.id))[0]?.state === 'delivered', 50, 30);
  await pause(600);
  const [delivery] = await deliveries(subscription.id);
  const timeouts = delivery!.attemptLog.filter((a) => a.statusCode === null && /timeout|abort/i.test(a.error ?? ''));
  t.comment(`slow receiver: ${receiver.hits.length} requests reached it, ${delivery!.attempts} attempts, ${run.rounds} rounds`);
  t.equal(delivery?.state, 'delivered', 'delivered after the receiver answered too late once');
  t.equal(timeouts.length, 1, 'the late answer is logged as a timeout');
  t.ok(timeouts[0]!.latencyMs >= 100, `with its latency (${timeouts[0]!.latencyMs} ms)`);
  t.equal(new Set(receiver.hits.map((hit) => hit.payload.id)).size, 1, 'every request carried the same event id, for the receiver to deduplicate');
  t.comment(`requests the receiver processed for that one event: ${receiver.hits.filter((hit) => hit.status === 200).length} (the timed-out one counts: at least once)`);
});

t.test('redirects are not followed, and the log keeps the attempts of a long retry', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const elsewhere = await Receiver.start(t);
  receiver.location = elsewhere.url;
  receiver.answer = (n) => (n <= 12 ? 307 : 200);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  await adopt((await draft(programme.id, SMALL)).id);
  const run = await drive(dispatcher({ backoffBaseMs: 2, backoffMaxMs: 10 }), () => receiver.accepted.length >= 1, 100, 10);
  t.comment(`redirecting receiver: ${receiver.hits.length} requests in ${run.rounds} rounds`);
  t.equal(elsewhere.hits.length, 0, 'a 307 is not followed to the Location it names');
  t.same(receiver.hits.map((hit) => hit.status), [...Array<number>(12).fill(307), 200], 'it counts as a failed attempt and is retried');
  const [delivery] = await deliveries(subscription.id);
  t.match(delivery, { state: 'delivered', attempts: 13 });
  t.match(delivery!.attemptLog[1], { statusCode: 307, error: 'receiver answered 307' }, 'the redirect is logged as an error');
  t.equal(delivery!.attemptLog.length, delivery!.attempts, `the log shows every attempt (${delivery!.attemptLog.length} of ${delivery!.attempts} shown)`);
});

t.test('the outbox is written with the change and only with it', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const outbox = () => count(sql`select count(*) as n from outbox_events`);
  const decision = await adopt((await draft(programme.id, LARGE)).id);
  await approve(decision.id, heerlen.id);

  const before = await outbox();
  const failures: [string, () => Promise<LightMyRequestResponse>, number][] = [
    ['a second vote of Heerlen', () => vote(decision.id, heerlen.id), 409],
    ['adopting an adopted decision', () => admin.post(`/api/v1/decisions/${decision.id}/adopt`), 409],
    ['a vote on an unknown decision', () => vote(randomUUID(), sittardGeleen.id), 404],
    ['a vote with a bad outcome', () => vote(decision.id, sittardGeleen.id, 'abstain'), 400],
    ['withdrawing without a reason', () => admin.post(`/api/v1/decisions/${decision.id}/withdraw`, {}), 400],
  ];
  for (const [name, request, status] of failures) {
    const res = await request();
    t.equal(res.statusCode, status, `${name}: ${status}`);
    t.equal(await outbox(), before, `${name} writes no outbox row`);
  }
  await approve(decision.id, sittardGeleen.id);
  t.equal(await outbox(), before + 1, 'a vote that settles nothing writes one row (vote.cast)');
  await approve(decision.id, maastricht.id);
  t.equal(await outbox(), before + 3, 'the ratifying vote writes two (vote.cast, decision.ratified)');
  await admin.post('/api/v1/organisations', { name: 'Not a decision event', kind: 'other' });
  t.equal(await outbox(), before + 3, 'a change that is no decision event writes none');

  const [mismatch] = await rows<{ n: string | number }>(sql`
    select count(*) as n
      from audit_events a
      full join outbox_events o on (o.payload->>'auditSeq')::bigint = a.seq
     where (a.seq is null or o.seq is null)
       and (o.seq is not null or (a.resource_type = 'decision' and a.action in (${sql.join(ALL_TYPES.map((type) => sql`${type}`), sql`, `)})))`);
  t.equal(Number(mismatch?.n), 0, 'over the whole file every decision event of a webhook type has exactly one outbox row, and every outbox row its audit event');
  const [{ n: dupes } = { n: 0 }] = await rows<{ n: string | number }>(
    sql`select count(*) as n from (select payload->>'auditSeq' from outbox_events group by 1 having count(*) > 1) x`,
  );
  t.equal(Number(dupes), 0, 'no audit event has two outbox rows');
});

t.test('a subscription sees only events after it was created', async (t) => {
  // Subscriptions are matched when the dispatcher fans an event out, not when the event is written:
  // an event still waiting in the outbox when a subscription is created reaches it too.
  const programme = await createProgramme(admin);
  await adopt((await draft(programme.id, SMALL)).id); // before the subscription, not yet fanned out
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const after = await adopt((await draft(programme.id, SMALL)).id);
  await drive(dispatcher(), () => false, 4, 10);
  t.comment(`events of before the subscription delivered to it: ${receiver.hits.filter((hit) => hit.payload.decisionId !== after.id).length}`);
  t.same(
    receiver.hits.map((hit) => hit.payload.decisionId),
    [after.id],
    'only the event after the subscription is delivered',
  );
});
