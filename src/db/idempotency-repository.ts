import { and, eq, lt, sql } from 'drizzle-orm';
import type { Executor } from './client.js';
import { idempotencyKeys } from './schema.js';
import type { ClosingStatement } from './transaction.js';

export type IdempotencyRow = typeof idempotencyKeys.$inferSelect;

/** Claims the key for this request; returns false when a record already exists. */
export async function claimKey(ex: Executor, apiKeyId: string, key: string, requestHash: string): Promise<boolean> {
  const rows = await ex
    .insert(idempotencyKeys)
    .values({ apiKeyId, key, requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}

export async function findKey(ex: Executor, apiKeyId: string, key: string): Promise<IdempotencyRow | undefined> {
  const [row] = await ex
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)));
  return row;
}

/**
 * Takes over a claim whose request never committed and has been silent for `staleSeconds`
 * (its instance died): safe, because a committed change would have set state `committed`.
 */
export async function takeOverStaleClaim(
  ex: Executor,
  apiKeyId: string,
  key: string,
  requestHash: string,
  staleSeconds: number,
): Promise<boolean> {
  const rows = await ex
    .update(idempotencyKeys)
    .set({ createdAt: sql`now()` })
    .where(
      and(
        eq(idempotencyKeys.apiKeyId, apiKeyId),
        eq(idempotencyKeys.key, key),
        // Only the same request may take over: another body under this key stays a 422.
        eq(idempotencyKeys.requestHash, requestHash),
        eq(idempotencyKeys.state, 'in_progress'),
        lt(idempotencyKeys.createdAt, sql`now() - make_interval(secs => ${staleSeconds})`),
      ),
    )
    .returning({ key: idempotencyKeys.key });
  return rows.length === 1;
}

/** Marks the key's change committed: a query not yet run, which a unit of work sends with COMMIT. */
export function markCommitted(ex: Executor, apiKeyId: string, key: string): ClosingStatement {
  return ex
    .update(idempotencyKeys)
    .set({ state: 'committed' })
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)));
}

export async function storeResponse(
  ex: Executor,
  apiKeyId: string,
  key: string,
  response: { status: number; body: string | null; contentType: string | null },
): Promise<void> {
  await ex
    .update(idempotencyKeys)
    .set({
      state: 'done',
      responseStatus: response.status,
      responseBody: response.body,
      responseContentType: response.contentType,
      completedAt: sql`now()`,
    })
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)));
}

/** A request that failed with a server error may be retried as new: forget its claim. */
export async function releaseKey(ex: Executor, apiKeyId: string, key: string): Promise<void> {
  await ex
    .delete(idempotencyKeys)
    .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key), eq(idempotencyKeys.state, 'in_progress')));
}

export async function pruneKeys(ex: Executor, olderThanHours: number): Promise<number> {
  const rows = await ex
    .delete(idempotencyKeys)
    .where(lt(idempotencyKeys.createdAt, sql`now() - make_interval(hours => ${olderThanHours})`))
    .returning({ key: idempotencyKeys.key });
  return rows.length;
}
