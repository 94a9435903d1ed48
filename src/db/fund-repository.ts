import { and, asc, eq, sql } from 'drizzle-orm';
import { BINDING_STATUSES, PENDING_STATUSES } from '../domain/decision-lifecycle.js';
import type { FundMoney } from '../domain/fund.js';
import { queryRows, type Executor } from './client.js';
import { afterPosition, type KeysetPosition } from './pagination.js';
import { fundContributions, sqlValues } from './schema.js';

export type FundContributionRow = typeof fundContributions.$inferSelect;

export async function insertFundContribution(ex: Executor, values: typeof fundContributions.$inferInsert): Promise<FundContributionRow> {
  const [row] = await ex.insert(fundContributions).values(values).returning();
  return row!;
}

export interface FundContributionFilter {
  organisationId?: string | undefined;
  year?: number | undefined;
}

export async function listFundContributions(
  ex: Executor,
  filter: FundContributionFilter,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<FundContributionRow[]> {
  return ex
    .select()
    .from(fundContributions)
    .where(
      and(
        filter.organisationId === undefined ? undefined : eq(fundContributions.organisationId, filter.organisationId),
        filter.year === undefined ? undefined : eq(fundContributions.year, filter.year),
        afterPosition(fundContributions.createdAt, fundContributions.id, after),
      ),
    )
    .orderBy(asc(fundContributions.createdAt), asc(fundContributions.id))
    .limit(limit + 1);
}

interface FundYearRow {
  year: number;
  contributed: string;
  binding: string;
  pending: string;
  disbursed: string;
}

/**
 * The fund's money per year, in one statement: contributions by their year; binding money
 * (adopted, ratified, settled; a settled commitment counts its final amount), pending money
 * (awaiting ratification) and money paid on binding decisions, by commitment year. A pending
 * amendment counts only its increase over the decision it amends, per programme and year: the
 * amended decision's money stays binding until the amendment binds.
 *
 * This is the fund's one money query: when the register's funding aggregation over programmes
 * gains more lineage rules, this function is the one place to point at it.
 */
export async function fundMoneyByYear(ex: Executor): Promise<(FundMoney & { year: number })[]> {
  const binding = sqlValues(BINDING_STATUSES);
  const pending = sqlValues(PENDING_STATUSES);
  const rows = await queryRows<FundYearRow>(
    ex,
    sql`with committed as (
          select c.year,
                 sum(coalesce(c.final_amount_cents, c.amount_cents)) as binding,
                 sum(c.disbursed_cents) as disbursed
            from decision_commitments c join decisions d on d.id = c.decision_id
           where d.status in (${binding})
           group by c.year
        ),
        pending_lines as (
          select d.amends, c.programme_id, c.year, sum(c.amount_cents) as amount
            from decision_commitments c join decisions d on d.id = c.decision_id
           where d.status in (${pending})
           group by d.id, d.amends, c.programme_id, c.year
        ),
        awaiting as (
          select p.year,
                 sum(greatest(p.amount - coalesce((select sum(a.amount_cents) from decision_commitments a
                                                    where a.decision_id = p.amends and a.programme_id = p.programme_id
                                                      and a.year = p.year), 0), 0)) as pending
            from pending_lines p
           group by p.year
        ),
        contributed as (
          select year, sum(amount_cents) as contributed from fund_contributions group by year
        ),
        years as (select year from committed union select year from awaiting union select year from contributed)
        select y.year,
               coalesce(k.contributed, 0)::text as contributed,
               coalesce(m.binding, 0)::text as binding,
               coalesce(w.pending, 0)::text as pending,
               coalesce(m.disbursed, 0)::text as disbursed
          from years y
          left join contributed k on k.year = y.year
          left join committed m on m.year = y.year
          left join awaiting w on w.year = y.year
         order by y.year`,
  );
  return rows.map((row) => ({
    year: Number(row.year),
    contributedCents: Number(row.contributed),
    bindingCents: Number(row.binding),
    pendingCents: Number(row.pending),
    disbursedCents: Number(row.disbursed),
  }));
}
