import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor, Tx } from './client.js';
import { committedCentsSql } from './committed-amount.js';
import { commitments, disbursements } from './schema.js';
import { afterPosition, type KeysetPosition } from './pagination.js';
import { findPendingAmendmentCommitments } from './amendments-repository.js';
import { lockAndLoadAggregate, needsRules, type CommitmentRow, type DecisionAggregate } from './decisions-repository.js';
import { mapConstraintViolation } from './errors.js';
import { answersInOrder } from './pipeline.js';
import { listStatuteRules, type StatuteRuleRow } from './statute-rules-repository.js';
import type { ProgrammeYearAmount } from '../domain/disbursements.js';

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

/** What a payment is decided on. */
export interface PaymentFacts {
  /** The decision, locked. */
  aggregate: DecisionAggregate;
  /** The statute rules, when the decision's view needs them (`needsRules`); otherwise none. */
  statuteRules: StatuteRuleRow[];
  /** The commitments of an amendment of the decision awaiting ratification, if there is one. */
  pendingAmendment: ProgrammeYearAmount[] | undefined;
}

/**
 * Locks the decision and loads it (`lockAndLoadAggregate`), then what the payment is checked
 * against besides it: the rules and the pending amendment, read behind the lock and sent together
 * (one round trip).
 */
export async function lockAndLoadPaymentFacts(tx: Tx, decisionId: string): Promise<PaymentFacts> {
  const aggregate = await lockAndLoadAggregate(tx, decisionId);
  const [statuteRules, pendingAmendment] = await answersInOrder(
    needsRules(aggregate) ? listStatuteRules(tx) : Promise.resolve([]),
    findPendingAmendmentCommitments(tx, decisionId),
  );
  return { aggregate, statuteRules, pendingAmendment };
}

/**
 * A payment on a commitment: the conditional update of what was paid on it (`addDisbursed`) and
 * the payment's row, sent together (one round trip). `commitment` is undefined when the update
 * was refused; the caller then fails, and the transaction's rollback takes the payment's row with
 * it.
 */
export async function insertPayment(
  tx: Tx,
  commitmentId: string,
  values: typeof disbursements.$inferInsert,
): Promise<{ commitment: CommitmentRow | undefined; disbursement: DisbursementRow }> {
  const [commitment, disbursement] = await answersInOrder(
    addDisbursed(tx, commitmentId, values.amountCents).catch(mapConstraintViolation),
    insertDisbursement(tx, values),
  );
  return { commitment, disbursement };
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
