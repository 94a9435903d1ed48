import { and, asc, eq, sql } from 'drizzle-orm';
import { sumCents } from '../domain/money.js';
import type { FundMoney } from '../domain/fund.js';
import { queryRows, type Executor } from './client.js';
import { afterPosition, type KeysetPosition } from './pagination.js';
import { fundContributions } from './schema.js';
import { fundingRows } from './funding-repository.js';

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

/**
 * The fund's money per year: contributions by their year, and binding, pending and paid money by
 * commitment year as the register's one money aggregation counts it (`fundingRows`: each lineage
 * once, a settled commitment at its final amount, a pending amendment only by its increase).
 * With `onDay`, as it stood on that day: contributions received by then, and the money of
 * decisions whose adoption had taken effect by then.
 */
export async function fundMoneyByYear(ex: Executor, onDay?: string): Promise<(FundMoney & { year: number })[]> {
  const receivedBy = onDay === undefined ? sql`` : sql` where received_on <= ${onDay}::date`;
  const contributions = await queryRows<{ year: number; contributed: string }>(
    ex,
    sql`select year, sum(amount_cents)::text as contributed from ${fundContributions}${receivedBy} group by year`,
  );
  const years = new Map<number, FundMoney & { year: number }>();
  const yearOf = (year: number) => {
    let money = years.get(year);
    if (money === undefined) {
      money = { year, contributedCents: 0, bindingCents: 0, pendingCents: 0, disbursedCents: 0 };
      years.set(year, money);
    }
    return money;
  };
  for (const row of contributions) yearOf(Number(row.year)).contributedCents = Number(row.contributed);
  for (const row of await fundingRows(ex, { adoptedOnOrBefore: onDay })) {
    const money = yearOf(row.year);
    money.bindingCents = sumCents([money.bindingCents, row.bindingCents]);
    money.pendingCents = sumCents([money.pendingCents, row.pendingCents]);
    money.disbursedCents = sumCents([money.disbursedCents, row.disbursedCents]);
  }
  return [...years.values()].filter((money) => money.contributedCents + money.bindingCents + money.pendingCents + money.disbursedCents > 0).sort((a, b) => a.year - b.year);
}
