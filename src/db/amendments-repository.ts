import { and, eq, sql } from 'drizzle-orm';
import { queryRows, type Executor, type Tx } from './client.js';
import { commitments, decisions, sqlValues } from './schema.js';
import { LIVE_AMENDMENT_STATUSES } from '../domain/amendments.js';
import type { ProgrammeYearAmount } from '../domain/disbursements.js';
import type { CommitmentRow } from './decisions-repository.js';

/** At most this many decisions in one lineage: far beyond any real chain of amendments, a guard against a cycle. */
const MAX_LINEAGE = 1_000;

/**
 * The lineage of a decision: the decision itself, the decision it amends, that one's predecessor
 * and so on, newest first. Splitting excludes a decision's own lineage; the payments of a
 * decision include those made under its lineage.
 */
export async function findLineage(ex: Executor, decisionId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    ex,
    sql`with recursive lineage(id, amends, depth) as (
          select id, amends, 0 from ${decisions} where id = ${decisionId}
          union all
          select d.id, d.amends, l.depth + 1 from ${decisions} d join lineage l on d.id = l.amends where l.depth < ${MAX_LINEAGE}
        )
        select id::text as id from lineage order by depth`,
  );
  return rows.map((row) => row.id);
}

/** The amendment of this decision in draft or awaiting ratification, if any (at most one exists). */
export async function findLiveAmendment(ex: Executor, amendedId: string): Promise<{ id: string; status: string } | undefined> {
  const [row] = await ex
    .select({ id: decisions.id, status: decisions.status })
    .from(decisions)
    .where(and(eq(decisions.amends, amendedId), sql`${decisions.status} in (${sqlValues(LIVE_AMENDMENT_STATUSES)})`))
    .limit(1);
  return row;
}

/** The commitments of the amendment of this decision that awaits the colleges; undefined when none does. */
export async function findPendingAmendmentCommitments(ex: Executor, amendedId: string): Promise<ProgrammeYearAmount[] | undefined> {
  const rows = await ex
    .select({ decisionId: decisions.id, programmeId: commitments.programmeId, year: commitments.year, amountCents: commitments.amountCents })
    .from(decisions)
    .innerJoin(commitments, eq(commitments.decisionId, decisions.id))
    .where(and(eq(decisions.amends, amendedId), eq(decisions.status, 'pending_ratification')));
  return rows.length === 0 ? undefined : rows.map(({ programmeId, year, amountCents }) => ({ programmeId, year, amountCents }));
}

/** Sets what was paid on each commitment (the money carried over from an amended decision). */
export async function setDisbursedCents(tx: Tx, paid: ReadonlyMap<string, number>): Promise<CommitmentRow[]> {
  const rows: CommitmentRow[] = [];
  for (const [id, cents] of paid) {
    const [row] = await tx.update(commitments).set({ disbursedCents: cents }).where(eq(commitments.id, id)).returning();
    rows.push(row!);
  }
  return rows;
}
