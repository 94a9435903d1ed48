import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, Tx } from './client.js';
import { committedCentsSql } from './committed-amount.js';
import { commitments, disbursements } from './schema.js';
import { afterPosition, type KeysetPosition } from './pagination.js';
import type { CommitmentRow } from './decisions-repository.js';

export type DisbursementRow = typeof disbursements.$inferSelect;

/**
 * Adds a payment to what was paid on a commitment, only if it stays within what binds (the
 * amount, or the final amount once settled); undefined when it would not. The caller holds the
 * decision's row lock, so this never fails for a race; the condition and the CHECK constraint
 * `commitments_disbursed_within_amount` are what the database itself guarantees.
 */
export async function addDisbursed(tx: Tx, commitmentId: string, amountCents: number): Promise<CommitmentRow | undefined> {
  const [row] = await tx
    .update(commitments)
    .set({ disbursedCents: sql`${commitments.disbursedCents} + ${amountCents}` })
    .where(
      and(
        eq(commitments.id, commitmentId),
        sql`${commitments.disbursedCents} + ${amountCents} <= ${committedCentsSql(commitments)}`,
      ),
    )
    .returning();
  return row;
}

export async function insertDisbursement(tx: Tx, values: typeof disbursements.$inferInsert): Promise<DisbursementRow> {
  const [row] = await tx.insert(disbursements).values(values).returning();
  return row!;
}

/** Payments recorded on any of these decisions (a decision's lineage), in (createdAt, id) order. */
export async function listDisbursementRowsOf(
  ex: Executor,
  decisionIds: readonly string[],
  after: KeysetPosition | undefined,
  limit: number,
): Promise<DisbursementRow[]> {
  return ex
    .select()
    .from(disbursements)
    .where(and(inArray(disbursements.decisionId, [...decisionIds]), afterPosition(disbursements.createdAt, disbursements.id, after)))
    .orderBy(asc(disbursements.createdAt), asc(disbursements.id))
    .limit(limit + 1);
}

export interface DisbursementFilter {
  programmeId?: string | undefined;
  year?: number | undefined;
}

/** Payments across decisions, by the programme and year of the commitment paid on. */
export async function listDisbursementRows(
  ex: Executor,
  filter: DisbursementFilter,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<DisbursementRow[]> {
  const rows = await ex
    .select({ disbursement: disbursements })
    .from(disbursements)
    .innerJoin(commitments, eq(commitments.id, disbursements.commitmentId))
    .where(
      and(
        filter.programmeId === undefined ? undefined : eq(commitments.programmeId, filter.programmeId),
        filter.year === undefined ? undefined : eq(commitments.year, filter.year),
        afterPosition(disbursements.createdAt, disbursements.id, after),
      ),
    )
    .orderBy(asc(disbursements.createdAt), asc(disbursements.id))
    .limit(limit + 1);
  return rows.map((row) => row.disbursement);
}
