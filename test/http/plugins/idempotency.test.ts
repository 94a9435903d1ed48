import { createHash, randomBytes, randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { sql, type SQL } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { canonicalJson } from '../../../src/audit/chain.js';
import { fixedClock } from '../../../src/domain/clock.js';
import { claimFailure, claimKeyStatements, pruneKeys, type KeyClaim } from '../../../src/db/idempotency-repository.js';
import { inClosingTransaction } from '../../../src/db/transaction.js';
import { BOOTSTRAP_KEY_ID } from '../../../src/use-cases/api-keys.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { testDatabaseUrl } from '../../helpers/database.js';
import { problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, listAll } from '../../helpers/factories.js';

/**
 * Idempotency-Key on POST, with Stripe's semantics: a retry with the same key and the same
 * request gets the first response byte for byte (`Idempotent-Replayed: true`), the same key with
 * another request answers 422, a retry while the first is still running waits, then answers 409.
 * Keys are scoped to the API key, kept at least 24 hours, and never hold an API key's secret.
 * Today (Europe/Amsterdam) is pinned to 2026-03-01; decisions are taken on 2026-02-10.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const { heerlen } = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
const collegeHeerlen = ctx.as((await createKey(admin, 'college', heerlen.id)).key);

const CONCURRENCY = 50;
const unique = () => randomBytes(4).toString('hex').toUpperCase();
const idemKey = () => `idem-${randomUUID()}`;

/** Rows of a raw query, on node-postgres and PGlite alike. */
async function query<T>(text: SQL): Promise<T[]> {
  const result = (await ctx.db.database.db.execute(text)) as unknown as { rows: T[] };
  return result.rows;
}

async function organisationsNamed(name: string) {
  return (await listAll<{ id: string; name: string }>(admin, '/api/v1/organisations')).filter((o) => o.name === name);
}

async function idempotencyRow(apiKeyId: string, key: string) {
  const rows = await query<{ state: string; response_status: number | null; response_body: string | null; request_hash: string }>(
    sql`select state, response_status, response_body, request_hash from idempotency_keys where api_key_id = ${apiKeyId} and key = ${key}`,
  );
  return rows[0];
}

function createDraft(client: Client = admin, amountCents = 14_000_000): Promise<Decision> {
  return createDecision(client, {
    reference: `PB-${unique()}`,
    title: 'Welcome to Maastricht Region',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
  });
}

async function createPending(): Promise<Decision> {
  return adopt(admin, (await createDraft()).id, 'pending_ratification');
}

/** Fires `count` identical requests at once and checks that they all got one and the same answer. */
function assertOneAnswer(t: Test, responses: LightMyRequestResponse[], status: number): void {
  t.equal(responses.length, CONCURRENCY);
  const statuses = responses.map((res) => res.statusCode);
  t.same([...new Set(statuses)], [status], `all ${CONCURRENCY} responses are ${status} (got ${JSON.stringify(statuses)})`);
  const bodies = new Set(responses.map((res) => res.body));
  t.equal(bodies.size, 1, 'all bodies are byte-identical');
  const replayed = responses.filter((res) => res.headers['idempotent-replayed'] === 'true');
  t.equal(replayed.length, CONCURRENCY - 1, `${CONCURRENCY - 1} responses carry Idempotent-Replayed: true`);
  const first = responses.filter((res) => res.headers['idempotent-replayed'] === undefined);
  t.equal(first.length, 1, 'exactly one response is the original');
  for (const res of responses) {
    t.match(String(res.headers['content-type']), /^application\/json/);
    t.equal(res.headers['api-version'], '1.0.0');
  }
}

t.test('50 concurrent identical organisation creations with one key create one organisation and answer alike', async (t) => {
  const key = idemKey();
  const name = `Stichting Gelijktijdig ${unique()}`;
  const body = { name, kind: 'applicant', kvkNumber: '12345678' };
  const responses = await Promise.all(
    Array.from({ length: CONCURRENCY }, () => admin.post('/api/v1/organisations', body, { 'idempotency-key': key })),
  );
  assertOneAnswer(t, responses, 201);
  const created = responses[0]!.json<{ id: string; name: string; kvkNumber: string }>();
  t.equal(created.name, name);
  t.equal(created.kvkNumber, '12345678');
  const named = await organisationsNamed(name);
  t.equal(named.length, 1, 'exactly one organisation with that name exists');
  t.equal(named[0]?.id, created.id, 'and it is the one all responses describe');
  const audit = await listAll<{ action: string }>(admin, `/api/v1/audit-events?resourceId=${created.id}`);
  t.same(audit.map((e) => e.action), ['organisation.created'], 'one organisation.created audit event');
  const row = await idempotencyRow(BOOTSTRAP_KEY_ID, key);
  t.equal(row?.state, 'done', 'the key is recorded as done');
  t.equal(row?.response_status, 201);
  t.equal(row?.response_body, responses[0]!.body, 'the stored body is the body that was sent');
});

t.test('50 concurrent identical votes with one key record one vote and answer alike', async (t) => {
  const decision = await createPending();
  const key = idemKey();
  const body = { municipalityId: heerlen.id, outcome: 'approve', decidedOn: '2026-02-20', reference: 'B&W 2026-07' };
  const responses = await Promise.all(
    Array.from({ length: CONCURRENCY }, () => collegeHeerlen.post(`/api/v1/decisions/${decision.id}/votes`, body, { 'idempotency-key': key })),
  );
  assertOneAnswer(t, responses, 201);
  const vote = responses[0]!.json<{ id: string; municipalityId: string; outcome: string }>();
  t.equal(vote.municipalityId, heerlen.id);
  t.equal(vote.outcome, 'approve');
  const votes = await admin.get(`/api/v1/decisions/${decision.id}/votes`);
  t.equal(votes.statusCode, 200);
  const items = votes.json<{ items: { id: string }[] }>().items;
  t.equal(items.length, 1, 'exactly one vote row');
  t.equal(items[0]?.id, vote.id);
  const audit = await listAll<{ action: string }>(admin, `/api/v1/audit-events?resourceId=${decision.id}`);
  t.equal(audit.filter((e) => e.action === 'vote.cast').length, 1, 'one vote.cast audit event');
});

t.test('50 concurrent identical adoptions with one key adopt once and answer alike', async (t) => {
  const draft = await createDraft();
  const key = idemKey();
  const responses = await Promise.all(
    Array.from({ length: CONCURRENCY }, () => admin.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, { 'idempotency-key': key })),
  );
  assertOneAnswer(t, responses, 200);
  t.equal(responses[0]!.json<{ status: string }>().status, 'pending_ratification');
  const audit = await listAll<{ action: string }>(admin, `/api/v1/audit-events?resourceId=${draft.id}`);
  t.equal(audit.filter((e) => e.action === 'decision.adopted').length, 1, 'exactly one decision.adopted audit event');
  // Without the key the second adoption is a new request, which the state forbids.
  const again = await admin.post(`/api/v1/decisions/${draft.id}/adopt`);
  problemOf(t, again, 409, 'DECISION_TRANSITION_NOT_ALLOWED');
});

t.test('a sequential retry gets the stored response byte for byte with Idempotent-Replayed', async (t) => {
  const key = idemKey();
  const body = { name: `Stichting Herhaling ${unique()}`, kind: 'employer' };
  const first = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(first.statusCode, 201);
  t.equal(first.headers['idempotent-replayed'], undefined, 'the first response is not marked as replayed');
  const retry = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(retry.statusCode, 201);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body, 'byte-identical body');
  t.equal(retry.headers['content-type'], first.headers['content-type'], 'same content type');
  t.equal(retry.headers['api-version'], '1.0.0', 'the replay still carries API-Version');
  t.type(retry.headers['x-request-id'], 'string', 'and X-Request-Id');
  t.equal((await organisationsNamed(body.name)).length, 1);
});

t.test('the same key with a different body answers 422 IDEMPOTENCY_KEY_REUSED and creates nothing', async (t) => {
  const key = idemKey();
  const name = `Stichting Eerste ${unique()}`;
  const first = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': key });
  t.equal(first.statusCode, 201);
  const otherName = `Stichting Tweede ${unique()}`;
  const reused = await admin.post('/api/v1/organisations', { name: otherName, kind: 'applicant' }, { 'idempotency-key': key });
  problemOf(t, reused, 422, 'IDEMPOTENCY_KEY_REUSED');
  t.equal((await organisationsNamed(otherName)).length, 0, 'the second organisation was not created');
  const subtle = await admin.post('/api/v1/organisations', { name, kind: 'applicant', centreMunicipality: false }, { 'idempotency-key': key });
  problemOf(t, subtle, 422, 'IDEMPOTENCY_KEY_REUSED');
  const replay = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': key });
  t.equal(replay.statusCode, 201, 'the original request is still replayed afterwards');
  t.equal(replay.body, first.body);
});

t.test('the same key on a different path answers 422', async (t) => {
  const key = idemKey();
  const first = await admin.post('/api/v1/organisations', { name: `Stichting Pad ${unique()}`, kind: 'other' }, { 'idempotency-key': key });
  t.equal(first.statusCode, 201);
  const code = `IDEM-${unique()}`;
  const other = await admin.post('/api/v1/programmes', { code, name: 'Programma' }, { 'idempotency-key': key });
  problemOf(t, other, 422, 'IDEMPOTENCY_KEY_REUSED');
  const programmes = await listAll<{ code: string }>(admin, '/api/v1/programmes');
  t.equal(programmes.filter((p) => p.code === code).length, 0, 'no programme was created');

  // The same action on another resource (only the path parameter differs) is a different request too.
  const a = await createDraft();
  const b = await createDraft();
  const adoptKey = idemKey();
  const adoptA = await admin.post(`/api/v1/decisions/${a.id}/adopt`, undefined, { 'idempotency-key': adoptKey });
  t.equal(adoptA.statusCode, 200);
  const adoptB = await admin.post(`/api/v1/decisions/${b.id}/adopt`, undefined, { 'idempotency-key': adoptKey });
  problemOf(t, adoptB, 422, 'IDEMPOTENCY_KEY_REUSED');
  const stillDraft = await admin.get(`/api/v1/decisions/${b.id}`);
  t.equal(stillDraft.json<{ status: string }>().status, 'draft', 'the other decision was not adopted');
});

t.test('the same Idempotency-Key under two API keys creates two independent resources', async (t) => {
  const key = idemKey();
  const name = `Stichting Twee Sleutels ${unique()}`;
  const body = { name, kind: 'applicant' };
  const byAdmin = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  const bySecretariat = await secretariat.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(byAdmin.statusCode, 201);
  t.equal(bySecretariat.statusCode, 201);
  t.equal(byAdmin.headers['idempotent-replayed'], undefined);
  t.equal(bySecretariat.headers['idempotent-replayed'], undefined, 'the other API key does not get a replay');
  t.not(byAdmin.json<{ id: string }>().id, bySecretariat.json<{ id: string }>().id, 'two different organisations');
  t.equal((await organisationsNamed(name)).length, 2);
  // Each API key replays its own response.
  const adminRetry = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  const secretariatRetry = await secretariat.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(adminRetry.body, byAdmin.body);
  t.equal(secretariatRetry.body, bySecretariat.body);
  // Another API key with a different body under the same key is not "reuse": the scope is the API key.
  const otherBody = await secretariat.post('/api/v1/organisations', { name: `${name} B`, kind: 'applicant' }, { 'idempotency-key': key });
  problemOf(t, otherBody, 422, 'IDEMPOTENCY_KEY_REUSED');
});

t.test('a first request that failed with 409 is replayed identically on retry', async (t) => {
  const draft = await createDraft(admin, 5_000_000);
  const adopted = await admin.post(`/api/v1/decisions/${draft.id}/adopt`);
  t.equal(adopted.json<{ status: string }>().status, 'adopted');
  const key = idemKey();
  const first = await admin.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, { 'idempotency-key': key });
  problemOf(t, first, 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  t.equal(first.headers['idempotent-replayed'], undefined);
  const retry = await admin.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, { 'idempotency-key': key });
  t.equal(retry.statusCode, 409);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body, 'byte-identical problem body');
  t.equal(retry.headers['content-type'], first.headers['content-type'], 'still application/problem+json');
  const audit = await listAll<{ action: string }>(admin, `/api/v1/audit-events?resourceId=${draft.id}`);
  t.equal(audit.filter((e) => e.action === 'decision.adopted').length, 1, 'still one decision.adopted event');
});

t.test('a first request that failed with a 400 domain error is replayed identically on retry', async (t) => {
  const key = idemKey();
  const reference = `PB-${unique()}`;
  const body = {
    reference,
    title: 'Onbekend programma',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: randomUUID(), year: 2026, amountCents: 100_000 }],
  };
  const first = await admin.post('/api/v1/decisions', body, { 'idempotency-key': key });
  problemOf(t, first, 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  const retry = await admin.post('/api/v1/decisions', body, { 'idempotency-key': key });
  t.equal(retry.statusCode, 400);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body, 'byte-identical problem body');
  const decisions = await listAll<{ reference: string }>(admin, '/api/v1/decisions');
  t.equal(decisions.filter((d) => d.reference === reference).length, 0, 'no decision was created');
});

t.test('a request failing schema validation stores nothing; the fixed request then succeeds under the same key', async (t) => {
  const key = idemKey();
  const name = `Stichting Hersteld ${unique()}`;
  const invalid = await admin.post('/api/v1/organisations', { name, kind: 'not-a-kind' }, { 'idempotency-key': key });
  problemOf(t, invalid, 400, 'VALIDATION_FAILED');
  t.equal(await idempotencyRow(BOOTSTRAP_KEY_ID, key), undefined, 'no idempotency row was stored');
  const fixed = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': key });
  t.equal(fixed.statusCode, 201, `the fixed request succeeds (body: ${fixed.body.slice(0, 200)})`);
  t.equal(fixed.headers['idempotent-replayed'], undefined, 'and is not a replay');
  t.equal((await organisationsNamed(name)).length, 1);
});

t.test('an Idempotency-Key longer than 255 characters answers 400; 255 characters are accepted', async (t) => {
  const name = `Stichting Lange Sleutel ${unique()}`;
  const tooLong = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': 'k'.repeat(256) });
  problemOf(t, tooLong, 400, 'VALIDATION_FAILED');
  t.equal((await organisationsNamed(name)).length, 0, 'nothing was created');
  const longest = `${randomUUID()}${'k'.repeat(255 - 36)}`;
  t.equal(longest.length, 255);
  const ok = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': longest });
  t.equal(ok.statusCode, 201);
  const retry = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': longest });
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, ok.body);
  t.equal((await organisationsNamed(name)).length, 1);
});

t.test('creating an API key under an Idempotency-Key never stores or replays the secret', async (t) => {
  const key = idemKey();
  const name = `idempotent key ${unique()}`;
  const body = { name, role: 'reader' };
  const first = await admin.post('/api/v1/api-keys', body, { 'idempotency-key': key });
  t.equal(first.statusCode, 201, `first request creates the key (body: ${first.body.slice(0, 200)})`);
  const createdKey = first.json<{ id: string; key: string }>();
  t.type(createdKey.key, 'string');
  t.ok(createdKey.key.length >= 32, 'the secret is shown');

  const retry = await admin.post('/api/v1/api-keys', body, { 'idempotency-key': key });
  problemOf(t, retry, 409, 'IDEMPOTENT_RESPONSE_NOT_STORED');
  t.notOk(retry.body.includes(createdKey.key), 'the retry does not show the secret');
  const keys = await listAll<{ id: string; name: string }>(admin, '/api/v1/api-keys');
  t.equal(keys.filter((k) => k.name === name).length, 1, 'no second key was created');

  const reader = ctx.as(createdKey.key);
  t.equal((await reader.get('/api/v1/organisations')).statusCode, 200, 'the created key works');

  const row = await idempotencyRow(BOOTSTRAP_KEY_ID, key);
  t.equal(row?.state, 'done');
  t.equal(row?.response_status, 201);
  t.equal(row?.response_body, null, 'the response body of the key creation is not stored');
  const stored = await query<{ response_body: string | null }>(sql`select response_body from idempotency_keys`);
  t.ok(stored.length > 0, 'the table has rows to check');
  t.notOk(
    stored.some((r) => r.response_body?.includes(createdKey.key)),
    'no stored response body contains the API key secret',
  );
});

t.test('keys older than the retention are pruned; fresh keys stay', async (t) => {
  const oldKey = idemKey();
  const freshKey = idemKey();
  const oldName = `Stichting Oud ${unique()}`;
  const oldFirst = await admin.post('/api/v1/organisations', { name: oldName, kind: 'applicant' }, { 'idempotency-key': oldKey });
  const freshBody = { name: `Stichting Vers ${unique()}`, kind: 'applicant' };
  const freshFirst = await admin.post('/api/v1/organisations', freshBody, { 'idempotency-key': freshKey });
  t.equal(oldFirst.statusCode, 201);
  t.equal(freshFirst.statusCode, 201);
  await ctx.db.database.db.execute(
    sql`update idempotency_keys set created_at = now() - interval '25 hours' where api_key_id = ${BOOTSTRAP_KEY_ID} and key = ${oldKey}`,
  );
  // A key just inside the retention (23 hours) must survive too.
  await ctx.db.database.db.execute(
    sql`update idempotency_keys set created_at = now() - interval '23 hours' where api_key_id = ${BOOTSTRAP_KEY_ID} and key = ${freshKey}`,
  );
  const pruned = await pruneKeys(ctx.db.database.db, 24);
  t.equal(pruned, 1, 'exactly the one old row was pruned');
  t.equal(await idempotencyRow(BOOTSTRAP_KEY_ID, oldKey), undefined, 'the old row is gone');
  t.ok(await idempotencyRow(BOOTSTRAP_KEY_ID, freshKey), 'the fresh row stays');
  // After pruning the old key is unknown: the same request under it acts again, as a new request.
  const oldRetry = await admin.post('/api/v1/organisations', { name: oldName, kind: 'applicant' }, { 'idempotency-key': oldKey });
  t.equal(oldRetry.statusCode, 201);
  t.equal(oldRetry.headers['idempotent-replayed'], undefined, 'a pruned key is not replayed');
  const freshRetry = await admin.post('/api/v1/organisations', freshBody, { 'idempotency-key': freshKey });
  t.equal(freshRetry.headers['idempotent-replayed'], 'true', 'the fresh key still replays');
  t.equal(freshRetry.body, freshFirst.body);
});

t.test('without Idempotency-Key two identical POSTs create two resources', async (t) => {
  const name = `Stichting Zonder Sleutel ${unique()}`;
  const first = await admin.post('/api/v1/organisations', { name, kind: 'applicant' });
  const second = await admin.post('/api/v1/organisations', { name, kind: 'applicant' });
  t.equal(first.statusCode, 201);
  t.equal(second.statusCode, 201);
  t.equal(first.headers['idempotent-replayed'], undefined);
  t.equal(second.headers['idempotent-replayed'], undefined);
  t.not(first.json<{ id: string }>().id, second.json<{ id: string }>().id);
  t.equal((await organisationsNamed(name)).length, 2);
});

t.test('a key an earlier release left committed without its answer is never repeated: 409 after the wait', async (t) => {
  const key = idemKey();
  const name = `Stichting Verloren Antwoord ${unique()}`;
  const body = { name, kind: 'applicant' };
  const first = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(first.statusCode, 201);
  // An earlier release committed the key with the change and stored the answer after it; its
  // instance died in between. (A change now stores its answer in its own transaction.)
  await ctx.db.database.db.execute(
    sql`update idempotency_keys set state = 'committed', response_body = null, response_status = null, response_content_type = null, completed_at = null
        where api_key_id = ${BOOTSTRAP_KEY_ID} and key = ${key}`,
  );
  const started = Date.now();
  const retry = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  const waited = Date.now() - started;
  problemOf(t, retry, 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
  t.ok(waited >= 2_500, `the retry waited for the first request before answering (${waited} ms)`);
  t.ok(waited < 15_000, `but not for ever (${waited} ms)`);
  t.equal((await organisationsNamed(name)).length, 1, 'no second organisation was created');
  // Even long after (a committed claim is never stale), it is not taken over.
  await ctx.db.database.db.execute(
    sql`update idempotency_keys set created_at = now() - interval '10 minutes' where api_key_id = ${BOOTSTRAP_KEY_ID} and key = ${key}`,
  );
  const later = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  problemOf(t, later, 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
  t.equal((await organisationsNamed(name)).length, 1, 'still one organisation');
});

/** The request hash the service stores: SHA-256 of the canonical [method, route, params, body]. */
function requestHashOf(route: string, params: Record<string, string>, body: unknown): string {
  return createHash('sha256').update(canonicalJson(['POST', route, params, body ?? null])).digest('hex');
}

t.test('the test computes the same request hash the service stores', async (t) => {
  const key = idemKey();
  const body = { name: `Stichting Hash ${unique()}`, kind: 'applicant' };
  const res = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(res.statusCode, 201);
  t.equal((await idempotencyRow(BOOTSTRAP_KEY_ID, key))?.request_hash, requestHashOf('/api/v1/organisations', {}, body));
});

t.test('an earlier release\'s stale in_progress claim (older than 120 s, never committed) is taken over: the retry acts once', async (t) => {
  const key = idemKey();
  const name = `Stichting Overgenomen ${unique()}`;
  const body = { name, kind: 'applicant' };
  // An earlier release committed its claims before the change; this one's instance died before the change committed.
  await ctx.db.database.db.execute(
    sql`insert into idempotency_keys (api_key_id, key, request_hash, state, created_at)
        values (${BOOTSTRAP_KEY_ID}, ${key}, ${requestHashOf('/api/v1/organisations', {}, body)}, 'in_progress', now() - interval '130 seconds')`,
  );
  const retry = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(retry.statusCode, 201, `the retry acts (body: ${retry.body.slice(0, 200)})`);
  t.equal(retry.headers['idempotent-replayed'], undefined, 'and is not a replay');
  t.equal((await organisationsNamed(name)).length, 1, 'one organisation');
  const again = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  t.equal(again.statusCode, 201);
  t.equal(again.headers['idempotent-replayed'], 'true', 'the next retry replays it');
  t.equal(again.body, retry.body);
  t.equal((await organisationsNamed(name)).length, 1, 'still one organisation');
});

t.test('an earlier release\'s fresh in_progress claim (younger than 120 s) is not taken over: 409 after the wait', async (t) => {
  const key = idemKey();
  const name = `Stichting Nog Bezig ${unique()}`;
  const body = { name, kind: 'applicant' };
  await ctx.db.database.db.execute(
    sql`insert into idempotency_keys (api_key_id, key, request_hash, state, created_at)
        values (${BOOTSTRAP_KEY_ID}, ${key}, ${requestHashOf('/api/v1/organisations', {}, body)}, 'in_progress', now() - interval '60 seconds')`,
  );
  const retry = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
  problemOf(t, retry, 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
  t.equal((await organisationsNamed(name)).length, 0, 'nothing was created');
});

t.test('a stale claim of a different request is not taken over by another body under the same key', async (t) => {
  const key = idemKey();
  const staleBody = { name: `Stichting Oorspronkelijk ${unique()}`, kind: 'applicant' };
  const otherBody = { name: `Stichting Ander Verzoek ${unique()}`, kind: 'applicant' };
  await ctx.db.database.db.execute(
    sql`insert into idempotency_keys (api_key_id, key, request_hash, state, created_at)
        values (${BOOTSTRAP_KEY_ID}, ${key}, ${requestHashOf('/api/v1/organisations', {}, staleBody)}, 'in_progress', now() - interval '130 seconds')`,
  );
  const other = await admin.post('/api/v1/organisations', otherBody, { 'idempotency-key': key });
  // Either the key refuses the other request (422), or, if the takeover adopts it, the key must
  // from then on belong to that request: its retry replays, it is not refused as "reused".
  if (other.statusCode === 422) {
    problemOf(t, other, 422, 'IDEMPOTENCY_KEY_REUSED');
    t.equal((await organisationsNamed(otherBody.name)).length, 0, 'nothing was created');
  } else {
    t.equal(other.statusCode, 201, `the other request acted (body: ${other.body.slice(0, 200)})`);
    const retry = await admin.post('/api/v1/organisations', otherBody, { 'idempotency-key': key });
    t.equal(retry.statusCode, 201, `its retry is answered with its own stored response (got ${retry.statusCode}: ${retry.body.slice(0, 200)})`);
    t.equal(retry.headers['idempotent-replayed'], 'true');
    t.equal(retry.body, other.body);
    const original = await admin.post('/api/v1/organisations', staleBody, { 'idempotency-key': key });
    t.not(original.body, other.body, 'the original request is not answered with the other request\'s response');
  }
});

t.test('an adoption\'s replay carries the stored ETag with the stored bytes; the row holds what was sent', async (t) => {
  const draft = await createDraft();
  const key = idemKey();
  const first = await admin.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, { 'idempotency-key': key });
  t.equal(first.statusCode, 200);
  t.match(String(first.headers.etag), /^"[A-Za-z0-9_-]+"$/, 'the first answer has an ETag');
  const row = (
    await query<{ response_status: number; response_body: string; response_headers: Record<string, string>; response_content_type: string }>(
      sql`select response_status, response_body, response_headers, response_content_type from idempotency_keys where api_key_id = ${BOOTSTRAP_KEY_ID} and key = ${key}`,
    )
  )[0];
  t.same(row, { response_status: 200, response_body: first.body, response_headers: { ETag: first.headers.etag }, response_content_type: first.headers['content-type'] }, 'stored in the change\'s transaction as sent');
  const retry = await admin.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, { 'idempotency-key': key });
  t.equal(retry.statusCode, 200);
  t.equal(retry.headers['idempotent-replayed'], 'true');
  t.equal(retry.body, first.body);
  t.equal(retry.headers.etag, first.headers.etag, 'the same ETag');
  const current = await admin.get(`/api/v1/decisions/${draft.id}`);
  t.equal(current.headers.etag, first.headers.etag, 'the ETag a GET gives the decision');
});

t.test('a vote under a key stores in its transaction the bytes that were sent', async (t) => {
  const decision = await createPending();
  const key = idemKey();
  const first = await collegeHeerlen.post(`/api/v1/decisions/${decision.id}/votes`, { municipalityId: heerlen.id, outcome: 'reject', decidedOn: '2026-02-21' }, { 'idempotency-key': key });
  t.equal(first.statusCode, 201);
  const rows = await query<{ response_body: string; response_status: number; state: string }>(
    sql`select response_body, response_status, state from idempotency_keys where key = ${key}`,
  );
  t.same(rows, [{ response_body: first.body, response_status: 201, state: 'done' }]);
});

t.test('a key whose change failed with a server error leaves no claim: the retry acts at once', async (t) => {
  const key = idemKey();
  const name = `Stichting Na Storing ${unique()}`;
  // The change fails inside its transaction (the database refuses the write), after its claim.
  await ctx.db.database.db.execute(sql.raw(`create or replace function idem_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused' using errcode = '57P01'; end $$`));
  await ctx.db.database.db.execute(sql.raw(`create trigger idem_refuse before insert on organisations for each row when (new.name like 'Stichting Na Storing%') execute function idem_refuse()`));
  const failed = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': key });
  await ctx.db.database.db.execute(sql.raw('drop trigger idem_refuse on organisations'));
  t.equal(failed.statusCode, 503, `the write failed as unavailable (got ${failed.statusCode} ${failed.body.slice(0, 200)})`);
  t.equal(await idempotencyRow(BOOTSTRAP_KEY_ID, key), undefined, 'no claim and no answer under the key');
  const retry = await admin.post('/api/v1/organisations', { name, kind: 'applicant' }, { 'idempotency-key': key });
  t.equal(retry.statusCode, 201, 'the retry acts at once, without waiting for a claim to go stale');
  t.equal(retry.headers['idempotent-replayed'], undefined);
  t.equal((await organisationsNamed(name)).length, 1);
});

if (testDatabaseUrl() !== undefined) {
  t.test('a retry while the first request\'s transaction holds the key waits, then 409; once that rolls back, the retry acts at once', async (t) => {
    const key = idemKey();
    const body = { name: `Stichting Gelijk Bezig ${unique()}`, kind: 'applicant' };
    const claim: KeyClaim = { apiKeyId: BOOTSTRAP_KEY_ID, key, requestHash: requestHashOf('/api/v1/organisations', {}, body), waitMs: 3_000 };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    // The first request: its transaction claimed the key and is still running.
    const first = inClosingTransaction(
      ctx.db.database,
      async (tx) => {
        await tx.execute(sql`select 1`);
        holding();
        await gate;
        throw new Error('the first request failed');
      },
      'read committed',
      { statements: (tx) => claimKeyStatements(tx, claim), failure: (error) => claimFailure(claim, error) },
    ).catch((error: unknown) => error);
    await held;
    // The retry's claim waits for the first request's transaction (its lock timeout), then gives up.
    const waiting = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
    problemOf(t, waiting, 409, 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
    t.equal(await idempotencyRow(BOOTSTRAP_KEY_ID, key), undefined, 'the 409 is not stored as the key\'s answer');
    release();
    t.match(await first, /the first request failed/);
    const retry = await admin.post('/api/v1/organisations', body, { 'idempotency-key': key });
    t.equal(retry.statusCode, 201, 'the retry acts at once');
    t.equal(retry.headers['idempotent-replayed'], undefined);
    t.equal((await organisationsNamed(body.name)).length, 1);
  });
}
