import { asc, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from './client.js';
import { commitmentColumnsOf, committedCentsSql } from './committed-amount.js';
import { coFinancing, commitments, decisions, disbursements, programmes, sqlValues } from './schema.js';
import { BINDING_STATUSES, PENDING_STATUSES } from '../domain/decision-lifecycle.js';
import type { FundingFigures } from '../domain/funding.js';

/** The money of one programme in one year (see `src/domain/funding.ts` for what each figure means). */
export interface FundingRow extends FundingFigures {
  programmeId: string;
  year: number;
}

export interface FundingFilter {
  programmeId?: string | undefined;
  year?: number | undefined;
  /** Only the binding and pending money of decisions whose adoption took effect on or before this day. */
  adoptedOnOrBefore?: string | undefined;
}

/**
 * Every figure of the funding views, per programme and year, in one statement: the one place
 * where the register adds money up (programme funding, ESZL-wide funding, and the fund's position
 * can all read it with their filter).
 * - binding: commitments of decisions in a binding state (adopted, ratified, settled), at their
 *   final amount once settled. A superseded decision is not binding, so of a decision and its
 *   amendments exactly one counts: each lineage once.
 * - pending: commitments of decisions awaiting ratification; for an amendment, per programme and
 *   year only what it commits above the decision it amends (never below 0), since that
 *   decision's money still binds.
 * - disbursed: the payments, by the programme and year of the commitment paid on (a payment under
 *   a decision later amended still counts once).
 * - released: what settlement released (amount minus final amount).
 * - coFinancing: co-financing rows of the programme and year.
 * A programme and year appears when any of these has a row, also with nothing committed.
 */
export async function fundingRows(ex: Executor, filter: FundingFilter = {}): Promise<FundingRow[]> {
  const where = (programme: SQL, year: SQL) =>
    sql.join(
      [
        sql`true`,
        ...(filter.programmeId === undefined ? [] : [sql`${programme} = ${filter.programmeId}::uuid`]),
        ...(filter.year === undefined ? [] : [sql`${year} = ${filter.year}`]),
      ],
      sql` and `,
    );
  const adoptedBy = filter.adoptedOnOrBefore === undefined ? sql`` : sql` and d.adopted_on <= ${filter.adoptedOnOrBefore}::date`;
  const binding = sql`d.status in (${sqlValues(BINDING_STATUSES)})${adoptedBy}`;
  const committed = (alias: string) => committedCentsSql(commitmentColumnsOf(alias));
  const pending = sql`d.status in (${sqlValues(PENDING_STATUSES)})${adoptedBy}`;
  const rows = await queryRows<{
    programme_id: string;
    year: number;
    binding: string;
    pending: string;
    disbursed: string;
    released: string;
    co_financing: string;
  }>(
    ex,
    sql`select m.programme_id::text as programme_id, m.year,
               sum(m.binding)::text as binding, sum(m.pending)::text as pending, sum(m.disbursed)::text as disbursed,
               sum(m.released)::text as released, sum(m.co_financing)::text as co_financing
          from (
            select c.programme_id, c.year, ${committed('c')} as binding, 0::bigint as pending,
                   0::bigint as disbursed, c.amount_cents - ${committed('c')} as released,
                   0::bigint as co_financing
              from ${commitments} c join ${decisions} d on d.id = c.decision_id
             where ${binding} and ${where(sql`c.programme_id`, sql`c.year`)}
            union all
            select p.programme_id, p.year, 0, greatest(p.amount - coalesce((
                     select sum(${committed('a')}) from ${commitments} a
                      where a.decision_id = p.amends and a.programme_id = p.programme_id and a.year = p.year), 0), 0), 0, 0, 0
              from (select d.amends, c.programme_id, c.year, sum(c.amount_cents) as amount
                      from ${commitments} c join ${decisions} d on d.id = c.decision_id
                     where ${pending} and ${where(sql`c.programme_id`, sql`c.year`)}
                     group by d.id, d.amends, c.programme_id, c.year) p
            union all
            select c.programme_id, c.year, 0, 0, b.amount_cents, 0, 0
              from ${disbursements} b join ${commitments} c on c.id = b.commitment_id
             where ${where(sql`c.programme_id`, sql`c.year`)}
            union all
            select f.programme_id, f.year, 0, 0, 0, 0, f.amount_cents
              from ${coFinancing} f
             where ${where(sql`f.programme_id`, sql`f.year`)}
          ) m
         group by m.programme_id, m.year
         order by m.programme_id, m.year`,
  );
  return rows.map((row) => ({
    programmeId: row.programme_id,
    year: row.year,
    bindingCents: Number(row.binding),
    pendingCents: Number(row.pending),
    disbursedCents: Number(row.disbursed),
    releasedCents: Number(row.released),
    coFinancingCents: Number(row.co_financing),
  }));
}

/** Every programme's id, in code order: the ESZL-wide view lists each, with money or without. */
export async function listProgrammeIds(ex: Executor): Promise<string[]> {
  const rows = await ex.select({ id: programmes.id }).from(programmes).orderBy(asc(programmes.code));
  return rows.map((row) => row.id);
}
