import type { Database, Tx } from './client.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** An error and its causes (drizzle wraps driver errors in a DrizzleQueryError), at most five deep. */
export function* errorChain(error: unknown): Generator<{ code?: unknown; constraint?: unknown; message?: unknown }> {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    yield current as { code?: unknown; constraint?: unknown; message?: unknown };
    current = (current as { cause?: unknown }).cause;
  }
}

/** SQLSTATE of a driver error, also when drizzle wrapped it. */
export function sqlState(error: unknown): string | undefined {
  for (const { code } of errorChain(error)) if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

export function constraintName(error: unknown): string | undefined {
  for (const { constraint } of errorChain(error)) if (typeof constraint === 'string') return constraint;
  return undefined;
}

/**
 * Runs `work` in one transaction. Serialization failures and deadlocks are retried a bounded
 * number of times with a short jittered back-off; every other error rolls back and propagates.
 */
export async function inTransaction<T>(
  database: Database,
  work: (tx: Tx) => Promise<T>,
  isolationLevel: IsolationLevel = 'read committed',
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await database.db.transaction(work, { isolationLevel });
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= MAX_ATTEMPTS || state === undefined || !RETRYABLE_SQLSTATES.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}
