import { sql } from 'drizzle-orm';
import t, { type Test } from 'tap';
import { findKey, storeAnswer, type StoredResponse } from '../../src/db/idempotency-repository.js';
import { DomainError } from '../../src/domain/errors.js';
import {
  answerOfFirstRequest,
  lookUpIdempotencyKey,
  pruneIdempotencyKeys,
  recordIdempotentAnswer,
  type KeyedRequest,
} from '../../src/use-cases/idempotency-keys.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * The Idempotency-Key store as the HTTP plugin uses it: what a key holds before a request runs
 * (free, a recorded answer to replay, 422 for another request, 409 while the first still runs),
 * the answer of the first request, the answers recorded after sending, and the pruning job.
 */
const owner = await createTestDatabase();
t.teardown(() => owner.close());
const { database } = owner;

const API_KEY_ID = '00000000-0000-4000-8000-00000000a002';
let serial = 0;
const keyed = (requestHash = 'a'.repeat(64)): KeyedRequest => ({ apiKeyId: API_KEY_ID, key: `key-${++serial}`, requestHash });
const answer = (note: string, status = 201): StoredResponse => ({
  status,
  contentType: 'application/json; charset=utf-8',
  headers: { ETag: `"${note}"` },
  body: JSON.stringify({ note }),
});
const options = { waitMs: 100, staleSeconds: 120 };
const claimed = (request: KeyedRequest, ageSeconds: number) =>
  database.db.execute(
    sql`insert into idempotency_keys (api_key_id, key, request_hash, state, created_at)
        values (${request.apiKeyId}, ${request.key}, ${request.requestHash}, 'in_progress', now() - make_interval(secs => ${ageSeconds}))`,
  );

function codeOf(t: Test, error: unknown): string | undefined {
  t.ok(error instanceof DomainError, 'a domain error');
  return (error as DomainError).code;
}

t.test('a key never used is free', async (t) => {
  t.equal(await lookUpIdempotencyKey(database, keyed(), options), undefined);
});

t.test('a key answered for the same request gives that answer; for another request 422', async (t) => {
  const request = keyed();
  t.equal(await storeAnswer(database.db, request, answer('first', 422)), true);
  t.same(await lookUpIdempotencyKey(database, request, options), answer('first', 422));
  t.same(await answerOfFirstRequest(database, request), answer('first', 422));
  const other = { ...request, requestHash: 'b'.repeat(64) };
  t.equal(codeOf(t, await lookUpIdempotencyKey(database, other, options).catch((e: unknown) => e)), 'IDEMPOTENCY_KEY_REUSED');
  t.equal(codeOf(t, await answerOfFirstRequest(database, other).catch((e: unknown) => e)), 'IDEMPOTENCY_KEY_REUSED');
});

t.test('a claim of an earlier release: 409 after the wait while fresh, dropped (the key free) once stale', async (t) => {
  const fresh = keyed();
  await claimed(fresh, 5);
  const started = Date.now();
  t.equal(codeOf(t, await lookUpIdempotencyKey(database, fresh, options).catch((e: unknown) => e)), 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
  t.ok(Date.now() - started >= options.waitMs, 'it waited for the first request before giving up');
  t.equal(codeOf(t, await answerOfFirstRequest(database, fresh).catch((e: unknown) => e)), 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
  const stale = keyed();
  await claimed(stale, 300);
  t.equal(await lookUpIdempotencyKey(database, stale, options), undefined, 'free');
  t.equal(await findKey(database.db, stale.apiKeyId, stale.key), undefined, 'the dead claim is gone');
  const staleOther = keyed();
  await claimed(staleOther, 300);
  t.equal(
    codeOf(t, await lookUpIdempotencyKey(database, { ...staleOther, requestHash: 'c'.repeat(64) }, options).catch((e: unknown) => e)),
    'IDEMPOTENCY_KEY_REUSED',
    'only the same request may drop a stale claim',
  );
});

t.test('no answer recorded under a key: 409 to the request that waited for it', async (t) => {
  t.equal(codeOf(t, await answerOfFirstRequest(database, keyed()).catch((e: unknown) => e)), 'IDEMPOTENCY_REQUEST_IN_PROGRESS');
});

t.test('recording: a 4xx is stored, a change keeps its own record unless the answer sent differs', async (t) => {
  const refused = keyed();
  t.equal(await recordIdempotentAnswer(database, refused, answer('refused', 422), undefined), 'stored');
  t.same(await lookUpIdempotencyKey(database, refused, options), answer('refused', 422));
  t.equal(await recordIdempotentAnswer(database, refused, answer('again', 422), undefined), 'kept', 'a key already answered keeps its answer');
  t.same(await lookUpIdempotencyKey(database, refused, options), answer('refused', 422));

  const change = keyed();
  await storeAnswer(database.db, change, answer('rendered'));
  t.equal(await recordIdempotentAnswer(database, change, answer('rendered'), answer('rendered')), 'kept');
  t.equal(await recordIdempotentAnswer(database, change, answer('sent'), answer('rendered')), 'replaced');
  t.same(await lookUpIdempotencyKey(database, change, options), answer('sent'), 'the answer sent is the one replayed');
});

t.test('pruning drops the keys older than the retention', async (t) => {
  const old = keyed();
  const young = keyed();
  await storeAnswer(database.db, old, answer('old', 422));
  await storeAnswer(database.db, young, answer('young', 422));
  await database.db.execute(sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = ${old.key}`);
  t.ok((await pruneIdempotencyKeys(database)) >= 1);
  t.equal(await findKey(database.db, old.apiKeyId, old.key), undefined);
  t.ok(await findKey(database.db, young.apiKeyId, young.key));
});
