import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

/**
 * The domain's `committedCents` (what binds of a commitment: its final amount once settled, its
 * amount before) as a SQL expression over a commitment's two columns. Every query and the check
 * constraint that need it build it here; its test pins it to the domain function.
 */
export function committedCentsSql(commitment: { finalAmountCents: SQLWrapper; amountCents: SQLWrapper }): SQL {
  return sql`coalesce(${commitment.finalAmountCents}, ${commitment.amountCents})`;
}

/** The two columns of a commitment under a table alias of a hand-written query (`c` in `from decision_commitments c`). */
export function commitmentColumnsOf(alias: string): { finalAmountCents: SQL; amountCents: SQL } {
  return { finalAmountCents: sql.raw(`${alias}.final_amount_cents`), amountCents: sql.raw(`${alias}.amount_cents`) };
}
