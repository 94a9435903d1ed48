import { and, eq, lt, sql } from 'drizzle-orm';
import { DomainError } from '../domain/errors.js';
import type { Executor } from './client.js';
import { idempotencyKeys } from './schema.js';
import { constraintName, rawStatement, sqlState, type ClosingStatement } from './transaction.js';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/** A response as it is stored and replayed: status, content type, the headers that matter, the body (null: withheld). */
export interface StoredResponse {
  status: number;
  contentType: string | null;
  headers: Record<string, string>;
  body: string | null;
}

export interface KeyClaim {
  apiKeyId: string;
  key: string;
  requestHash: string;
  /** How long the claim waits for another transaction holding the same key before giving up. */
  waitMs: number;
}

/**
 * The key's claim, as the first statements of the change's own transaction: the row is inserted
 * (state `in_progress`, seen by nobody else until COMMIT) under a lock timeout of `waitMs`. Another
 * transaction holding the same key makes the insert wait for it: when that one commits, the insert
 * fails as a duplicate (the key is answered: `KeyAlreadyAnswered`); when it rolls back, the insert
 * goes through and this change runs; when it still runs after `waitMs`, 409
 * IDEMPOTENCY_REQUEST_IN_PROGRESS. A change that never commits takes its claim with it, so a
 * retry after a crash finds none and acts at once. Map a failure with `claimFailure`.
 */
export function claimKeyStatements(ex: Executor, claim: KeyClaim): ClosingStatement[] {
  return [
    rawStatement(ex, sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(claim.waitMs))}ms`}, true)`),
    ex.insert(idempotencyKeys).values({ apiKeyId: claim.apiKeyId, key: claim.key, requestHash: claim.requestHash }),
    // Back to the session's own lock timeout for the change itself.
    rawStatement(ex, sql`select set_config('lock_timeout', reset_val, true) from pg_settings where name = 'lock_timeout'`),
  ];
}

/** The key was answered by a transaction that committed first: replay its stored response. */
export class KeyAlreadyAnswered extends Error {
  constructor(readonly apiKeyId: string, readonly key: string) {
    super('the Idempotency-Key was answered by another request');
    this.name = 'KeyAlreadyAnswered';
  }
}

/** What a failed claim means: answered elsewhere, still running elsewhere (409), or the error itself. */
export function claimFailure(claim: KeyClaim, error: unknown): unknown {
  const state = sqlState(error);
  if (state === '23505' && constraintName(error) === 'idempotency_keys_api_key_id_key_pk') return new KeyAlreadyAnswered(claim.apiKeyId, claim.key);
  if (state === '55P03') {
    return new DomainError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'The first request with this Idempotency-Key is still running; retry later.');
  }
  return error;
}

/** The change's response on its claimed key, state `done`: a query not yet run, which the unit of work sends with COMMIT. */
export function recordResponse(ex: Executor, apiKeyId: string, key: string, response: StoredResponse): ClosingStatement {
  return ex
    .update(idempotencyKeys)
    .set(responseColumns(response))
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)));
}

function responseColumns(response: StoredResponse) {
  return {
    state: 'done',
    responseStatus: response.status,
    responseBody: response.body,
    responseContentType: response.contentType,
    responseHeaders: response.headers,
    completedAt: sql`now()`,
  };
}

/**
 * The answer of a request that changed nothing (a 4xx), stored on its own after it was sent.
 * A key already recorded (by a change under it that committed meanwhile) keeps its record.
 */
export async function storeAnswer(ex: Executor, claim: Omit<KeyClaim, 'waitMs'>, response: StoredResponse): Promise<boolean> {
  const rows = await ex
    .insert(idempotencyKeys)
    .values({ apiKeyId: claim.apiKeyId, key: claim.key, requestHash: claim.requestHash, ...responseColumns(response) })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}

/** Replaces the response stored for a key (the answer sent turned out to differ from the one rendered). */
export async function replaceResponse(ex: Executor, apiKeyId: string, key: string, response: StoredResponse): Promise<void> {
  await ex
    .update(idempotencyKeys)
    .set(responseColumns(response))
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'done')));
}

export async function findKey(ex: Executor, apiKeyId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await ex
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)));
  return row;
}

/**
 * Drops an `in_progress` claim committed by an earlier release (before claims moved into the
 * change's transaction) once it has been silent for `staleSeconds`: its instance died before its
 * change committed, or the change would have moved it to `committed`. Only the same request may
 * drop it: another body under this key stays a 422.
 */
export async function dropStaleClaim(ex: Executor, apiKeyId: string, key: string, requestHash: string, staleSeconds: number): Promise<boolean> {
  const rows = await ex
    .delete(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.apiKeyId, apiKeyId),
        eq(idempotencyKeys.key, key),
        eq(idempotencyKeys.requestHash, requestHash),
        eq(idempotencyKeys.state, 'in_progress'),
        lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${staleSeconds})`),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}

export async function pruneKeys(ex: Executor, olderThanHours: number): Promise<number> {
  const rows = await ex
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${olderThanHours})`))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
