import { canonicalJson } from '../audit/chain.js';
import type { Database } from '../db/client.js';
import { dropStaleClaim, findKey, pruneKeys, replaceResponse, storeAnswer, type IdempotencyRow, type StoredResponse } from '../db/idempotency-repository.js';
import { DomainError } from '../domain/errors.js';

export { KeyAlreadyAnswered, type StoredResponse } from '../db/idempotency-repository.js';

/**
 * The store of `Idempotency-Key`s behind the HTTP plugin that reads and writes the header: what
 * a key holds, the answers recorded under it, and their pruning. A change claims its key inside
 * its own transaction (the unit of work); what is here runs around that.
 */
export interface KeyedRequest {
  apiKeyId: string;
  key: string;
  /** The hash of the request (method, route, path parameters, body): the same key with another request is refused. */
  requestHash: string;
}

export interface LookUpOptions {
  /** How long to wait for a first request with the key that still runs before answering 409. */
  waitMs: number;
  /** A claim of an earlier release silent this long belongs to a dead instance and is dropped. */
  staleSeconds: number;
}

/** How long answered keys are kept. */
export const IDEMPOTENCY_RETENTION_HOURS = 24;

const reused = () => new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request.');
const inProgress = () => new DomainError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'The first request with this Idempotency-Key is still running; retry later.');

function answerOf(row: IdempotencyRow): StoredResponse {
  return { status: row.responseStatus!, contentType: row.responseContentType, headers: row.responseHeaders, body: row.responseBody };
}

/**
 * What a request under a key finds before it runs: the key free for its change (undefined), or
 * the answer of the first request with this key and this request, to replay. Another request
 * under the key is 422 IDEMPOTENCY_KEY_REUSED; a first request still running after `waitMs`
 * is 409 IDEMPOTENCY_REQUEST_IN_PROGRESS.
 */
export async function lookUpIdempotencyKey(database: Database, request: KeyedRequest, options: LookUpOptions): Promise<StoredResponse | undefined> {
  const { apiKeyId, key, requestHash } = request;
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const existing = await findKey(database.db, apiKeyId, key);
    if (existing === undefined) return undefined;
    if (existing.state === 'in_progress' && (await dropStaleClaim(database.db, apiKeyId, key, requestHash, options.staleSeconds))) return undefined;
    if (existing.requestHash !== requestHash) throw reused();
    if (existing.state === 'done') return answerOf(existing);
    // A claim committed by an earlier release: its request still runs, died, or committed without storing its answer.
    if (Date.now() >= deadline) throw inProgress();
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The answer of the request that took the key first and committed while this one waited for it. */
export async function answerOfFirstRequest(database: Database, request: KeyedRequest): Promise<StoredResponse> {
  const existing = await findKey(database.db, request.apiKeyId, request.key);
  if (existing !== undefined && existing.requestHash !== request.requestHash) throw reused();
  if (existing?.state !== 'done') throw inProgress();
  return answerOf(existing);
}

/**
 * Records the answer sent under a key. A change stored the answer it rendered with its own
 * COMMIT: that record stays, unless the answer sent differs from it ('replaced'). Any other
 * answer (a 4xx, which changed nothing) is stored now ('stored'), unless a change under the key
 * committed meanwhile ('kept').
 */
export async function recordIdempotentAnswer(
  database: Database,
  request: KeyedRequest,
  sent: StoredResponse,
  rendered: StoredResponse | undefined,
): Promise<'kept' | 'replaced' | 'stored'> {
  if (sent.status < 400 && rendered !== undefined) {
    if (sameAnswer(sent, rendered)) return 'kept';
    await replaceResponse(database.db, request.apiKeyId, request.key, sent);
    return 'replaced';
  }
  return (await storeAnswer(database.db, request, sent)) ? 'stored' : 'kept';
}

const sameAnswer = (a: StoredResponse, b: StoredResponse) => canonicalJson(a) === canonicalJson(b);

/** Drops the keys older than the retention (a job of every instance); how many went. */
export function pruneIdempotencyKeys(database: Database, retentionHours = IDEMPOTENCY_RETENTION_HOURS): Promise<number> {
  return pruneKeys(database.db, retentionHours);
}
