import { and, asc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Tx } from './client.js';
import { decisions } from './schema.js';

/**
 * Decisions still awaiting ratification after their due date (`dueDate < today`) and not yet
 * announced as overdue, locked; rows another transaction holds are skipped.
 */
export async function lockRatificationsOverdue(tx: Tx, today: string, limit: number): Promise<string[]> {
  const rows = await tx
    .select({ id: decisions.id })
    .from(decisions)
    .where(
      and(
        eq(decisions.status, 'pending_ratification'),
        lt(decisions.ratificationDueDate, today),
        isNull(decisions.ratificationOverdueNotifiedAt),
      ),
    )
    .orderBy(asc(decisions.ratificationDueDate), asc(decisions.id))
    .limit(limit)
    .for('update', { skipLocked: true });
  return rows.map((row) => row.id);
}

export async function markRatificationOverdueNotified(tx: Tx, decisionIds: readonly string[]): Promise<void> {
  await tx.update(decisions).set({ ratificationOverdueNotifiedAt: sql`now()` }).where(inArray(decisions.id, [...decisionIds]));
}
