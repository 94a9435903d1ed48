import { sql } from 'drizzle-orm';
import t from 'tap';
import { queryRows } from '../../src/db/client.js';
import {
  claimFailure,
  claimKeyStatements,
  dropStaleClaim,
  findKey,
  KeyAlreadyAnswered,
  pruneKeys,
  recordResponse,
  replaceResponse,
  storeAnswer,
  type KeyClaim,
  type StoredResponse,
} from '../../src/db/idempotency-repository.js';
import { inClosingTransaction, type Opening } from '../../src/db/transaction.js';
import { DomainError } from '../../src/domain/errors.js';
import { createTestDatabase, testDatabaseUrl } from '../helpers/database.js';

/**
 * The Idempotency-Key store: a change claims its key with the first statements of its own
 * transaction and records its answer with its last, so the row commits with the change or not at
 * all. On PostgreSQL, with several connections, a claim waits for another transaction holding
 * the key: it is answered when that one commits, free when it rolls back, 409 when it outlasts
 * the wait; of many concurrent claims of one key exactly one change commits.
 */
const owner = await createTestDatabase({ poolSize: 24 });
t.teardown(() => owner.close());
const { database } = owner;
await database.db.execute(sql`create table idem_probe (key text not null, note text not null)`);

const API_KEY_ID = '00000000-0000-4000-8000-00000000a001';
let serial = 0;
const claimOf = (overrides: Partial<KeyClaim> = {}): KeyClaim => ({ apiKeyId: API_KEY_ID, key: `key-${++serial}`, requestHash: 'a'.repeat(64), waitMs: 1_000, ...overrides });
const answer = (note: string, status = 201): StoredResponse => ({
  status,
  contentType: 'application/json; charset=utf-8',
  headers: { ETag: `"${note}"` },
  body: JSON.stringify({ note }),
});
const opening = (claim: KeyClaim): Opening => ({ statements: (tx) => claimKeyStatements(tx, claim), failure: (error) => claimFailure(claim, error) });
const probes = async (key: string) => (await queryRows<{ note: string }>(database.db, sql`select note from idem_probe where key = ${key} order by note`)).map((row) => row.note);

/**
 * A change under `claim`: writes a probe row, waits for `gate` (the claim and the probe row are
 * in by then: `holding` resolves), then commits with its answer, or fails.
 */
function change(claim: KeyClaim, note: string, options: { gate?: Promise<unknown>; holding?: () => void; fail?: boolean } = {}) {
  return inClosingTransaction(
    database,
    async (tx) => {
      await tx.execute(sql`insert into idem_probe (key, note) values (${claim.key}, ${note})`);
      options.holding?.();
      await options.gate;
      if (options.fail === true) throw new Error('the change failed');
      return { result: note, closing: [recordResponse(tx, claim.apiKeyId, claim.key, answer(note))] };
    },
    'read committed',
    opening(claim),
  );
}

t.test('a change records its answer on the key it claimed, in its own transaction', async (t) => {
  const claim = claimOf();
  t.equal(await change(claim, 'first'), 'first');
  const row = await findKey(database.db, claim.apiKeyId, claim.key);
  t.match(row, { state: 'done', requestHash: claim.requestHash, responseStatus: 201, responseContentType: 'application/json; charset=utf-8', responseBody: '{"note":"first"}' });
  t.same(row?.responseHeaders, { ETag: '"first"' });
  t.type(row?.completedAt, Date);
  t.same(await probes(claim.key), ['first']);
});

t.test('a change that fails leaves no claim: the key is free at once', async (t) => {
  const claim = claimOf();
  await t.rejects(change(claim, 'lost', { fail: true }), /the change failed/);
  t.equal(await findKey(database.db, claim.apiKeyId, claim.key), undefined, 'no row under the key');
  t.same(await probes(claim.key), [], 'nothing of the change');
  t.equal(await change(claim, 'retry'), 'retry', 'the same claim goes through right after');
  t.same(await probes(claim.key), ['retry']);
});

t.test('a claim of a key already answered fails with KeyAlreadyAnswered, and its change is rolled back', async (t) => {
  const claim = claimOf();
  await change(claim, 'first');
  const error = await change(claim, 'second').catch((e: unknown) => e);
  t.ok(error instanceof KeyAlreadyAnswered, `KeyAlreadyAnswered (got ${String(error)})`);
  t.match(error, { apiKeyId: claim.apiKeyId, key: claim.key });
  t.same(await probes(claim.key), ['first'], 'only the first change is there');
  t.equal((await findKey(database.db, claim.apiKeyId, claim.key))?.responseBody, '{"note":"first"}', 'the first answer stays');
});

t.test('the same key under another API key is another key', async (t) => {
  const claim = claimOf();
  await change(claim, 'mine');
  await change({ ...claim, apiKeyId: '00000000-0000-4000-8000-00000000a002' }, 'theirs');
  t.same(await probes(claim.key), ['mine', 'theirs']);
});

t.test('the claim sets the lock timeout for itself only: the change runs under the session\'s own', async (t) => {
  const claim = claimOf({ waitMs: 1_234 });
  const [sessionDefault] = await queryRows<{ lock_timeout: string }>(database.db, sql`select current_setting('lock_timeout') as lock_timeout`);
  const seen = await inClosingTransaction(
    database,
    async (tx) => ({ result: (await queryRows<{ lock_timeout: string }>(tx, sql`select current_setting('lock_timeout') as lock_timeout`))[0]?.lock_timeout, closing: [] }),
    'read committed',
    opening(claim),
  );
  t.equal(seen, sessionDefault?.lock_timeout);
});

t.test('claimFailure: a duplicate key is answered, a lock timeout is 409 in progress, anything else is itself', async (t) => {
  const claim = claimOf();
  const duplicate = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'idempotency_keys_api_key_id_key_pk' });
  t.ok(claimFailure(claim, duplicate) instanceof KeyAlreadyAnswered);
  const otherDuplicate = Object.assign(new Error('duplicate key'), { code: '23505', constraint: 'votes_decision_municipality_key' });
  t.equal(claimFailure(claim, otherDuplicate), otherDuplicate);
  const timeout = claimFailure(claim, Object.assign(new Error('lock timeout'), { code: '55P03' }));
  t.ok(timeout instanceof DomainError && timeout.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS', 'lock timeout: IDEMPOTENCY_REQUEST_IN_PROGRESS');
  const lost = Object.assign(new Error('terminating connection'), { code: '57P01' });
  t.equal(claimFailure(claim, lost), lost);
});

t.test('storeAnswer records an answer that was no change; a key already recorded keeps its record', async (t) => {
  const claim = claimOf();
  t.equal(await storeAnswer(database.db, claim, answer('refused', 409)), true);
  t.match(await findKey(database.db, claim.apiKeyId, claim.key), { state: 'done', responseStatus: 409, responseBody: '{"note":"refused"}' });
  t.equal(await storeAnswer(database.db, claim, answer('later', 400)), false);
  t.match(await findKey(database.db, claim.apiKeyId, claim.key), { responseStatus: 409, responseBody: '{"note":"refused"}' }, 'the first record stays');
  const error = await change(claim, 'change').catch((e: unknown) => e);
  t.ok(error instanceof KeyAlreadyAnswered, 'a change under the recorded key does not run');
});

t.test('replaceResponse replaces the answer of a done key, and touches no other state', async (t) => {
  const claim = claimOf();
  await change(claim, 'rendered');
  await replaceResponse(database.db, claim.apiKeyId, claim.key, answer('sent', 200));
  t.match(await findKey(database.db, claim.apiKeyId, claim.key), { state: 'done', responseStatus: 200, responseBody: '{"note":"sent"}', responseHeaders: { ETag: '"sent"' } });
  const legacy = claimOf();
  await database.db.execute(sql`insert into idempotency_keys (api_key_id, key, request_hash, state) values (${legacy.apiKeyId}, ${legacy.key}, ${legacy.requestHash}, 'committed')`);
  await replaceResponse(database.db, legacy.apiKeyId, legacy.key, answer('sent', 200));
  t.match(await findKey(database.db, legacy.apiKeyId, legacy.key), { state: 'committed', responseStatus: null });
});

t.test('dropStaleClaim drops an earlier release\'s in_progress claim of the same request once it is stale, nothing else', async (t) => {
  const insert = (claim: KeyClaim, state: string, ageSeconds: number) =>
    database.db.execute(
      sql`insert into idempotency_keys (api_key_id, key, request_hash, state, created_at)
          values (${claim.apiKeyId}, ${claim.key}, ${claim.requestHash}, ${state}, now() - make_interval(secs => ${ageSeconds}))`,
    );
  const stale = claimOf();
  await insert(stale, 'in_progress', 130);
  t.equal(await dropStaleClaim(database.db, stale.apiKeyId, stale.key, 'b'.repeat(64), 120), false, 'not for another request');
  t.equal(await dropStaleClaim(database.db, stale.apiKeyId, stale.key, stale.requestHash, 120), true);
  t.equal(await findKey(database.db, stale.apiKeyId, stale.key), undefined);
  const fresh = claimOf();
  await insert(fresh, 'in_progress', 60);
  t.equal(await dropStaleClaim(database.db, fresh.apiKeyId, fresh.key, fresh.requestHash, 120), false, 'not while fresh');
  const committed = claimOf();
  await insert(committed, 'committed', 600);
  t.equal(await dropStaleClaim(database.db, committed.apiKeyId, committed.key, committed.requestHash, 120), false, 'never a committed one');
});

t.test('pruneKeys removes the keys older than the retention', async (t) => {
  const old = claimOf();
  const young = claimOf();
  await change(old, 'old');
  await change(young, 'young');
  await database.db.execute(sql`update idempotency_keys set created_at = now() - interval '25 hours' where key = ${old.key}`);
  t.equal(await pruneKeys(database.db, 24), 1);
  t.equal(await findKey(database.db, old.apiKeyId, old.key), undefined);
  t.ok(await findKey(database.db, young.apiKeyId, young.key));
});

if (testDatabaseUrl() !== undefined) {
  /** A change holding `claim` until `release` is called; resolves once it holds the claim. */
  async function holder(claim: KeyClaim, note: string, fail: boolean) {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const done = change(claim, note, { gate, holding, fail }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await held;
    return { release, done };
  }

  t.test('a claim waits for the transaction holding the key: answered when it commits', async (t) => {
    const claim = claimOf({ waitMs: 10_000 });
    const first = await holder(claim, 'first', false);
    const second = change(claim, 'second').catch((e: unknown) => e);
    first.release();
    t.same(await first.done, { value: 'first' });
    t.ok((await second) instanceof KeyAlreadyAnswered, 'the waiting claim is answered by the first');
    t.same(await probes(claim.key), ['first']);
  });

  t.test('a claim waits for the transaction holding the key: taken over at once when it rolls back', async (t) => {
    const claim = claimOf({ waitMs: 10_000 });
    const first = await holder(claim, 'first', true);
    const second = change(claim, 'second');
    first.release();
    t.match(await first.done, { error: /the change failed/ });
    t.equal(await second, 'second', 'the waiting claim goes through');
    t.same(await probes(claim.key), ['second']);
    t.equal((await findKey(database.db, claim.apiKeyId, claim.key))?.responseBody, '{"note":"second"}');
  });

  t.test('a claim gives up after waitMs while the key is still held: 409 IDEMPOTENCY_REQUEST_IN_PROGRESS', async (t) => {
    const claim = claimOf({ waitMs: 300 });
    const first = await holder(claim, 'first', false);
    const second = await change(claim, 'second').catch((e: unknown) => e);
    t.ok(second instanceof DomainError && second.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS', `409 in progress (got ${String(second)})`);
    first.release();
    t.same(await first.done, { value: 'first' });
    t.same(await probes(claim.key), ['first']);
  });

  t.test('of 20 concurrent changes under one key, from 20 connections, exactly one commits', async (t) => {
    const claim = claimOf({ waitMs: 10_000 });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        change(claim, `change-${String(i).padStart(2, '0')}`).then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        ),
      ),
    );
    const committed = outcomes.filter((o): o is { value: string } => 'value' in o);
    t.equal(committed.length, 1, 'one change committed');
    t.same(outcomes.filter((o) => 'error' in o && !(o.error instanceof KeyAlreadyAnswered)), [], 'every other one was answered by it');
    t.same(await probes(claim.key), [committed[0]?.value], 'its row alone is there');
    t.equal((await findKey(database.db, claim.apiKeyId, claim.key))?.responseBody, JSON.stringify({ note: committed[0]?.value }));
  });
}
