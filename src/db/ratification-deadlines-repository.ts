import { and, asc, inArray, isNull, lt, sql } from 'drizzle-orm';
import { RATIFICATION_DEADLINE_STATUSES } from '../domain/ratification.js';
import type { Tx } from './client.js';
import { decisions } from './schema.js';

/**
 * Decisions whose ratification is overdue today (the domain's `isRatificationOverdue`: in one of
 * its states, `dueDate < today`) and not yet announced as overdue, locked; rows another
 * transaction holds are skipped. The test pins this query to the domain rule.
 */
export async function lockRatificationsOverdue(tx: Tx, today: string, limit: number): Promise<string[]> {
  const rows = await tx
    .select({ id: decisions.id })
    .from(decisions)
    .where(
      and(
        inArray(decisions.status, [...RATIFICATION_DEADLINE_STATUSES]),
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
