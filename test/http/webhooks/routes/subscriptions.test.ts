import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { subscriptionSecret } from '../../../../src/notifications/signing.js';
import { startTestApp, type Client } from '../../../helpers/app.js';
import { createKey, createOrganisation, createProgramme } from '../../../helpers/factories.js';
import { Receiver } from '../../../helpers/webhook-receiver.js';
import { SIGNING_KEY, startWebhookWorld, type SubscriptionJson } from '../../../helpers/webhook-world.js';

/**
 * Managing webhook subscriptions over HTTP: create, read, list and delete (admin only, the secret
 * shown once and stored nowhere), the input that is refused, who may manage them, and the
 * configuration without an allow-list or without a signing key.
 */
const { ctx, admin, heerlen, college, rows, count, subscribe, unsubscribe, auditOf } = await startWebhookWorld(t);

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
