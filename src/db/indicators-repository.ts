import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from './client.js';
import { afterPosition, type KeysetPosition } from './pagination.js';
import { indicatorReports, indicators } from './schema.js';

export type IndicatorRow = typeof indicators.$inferSelect;
export type IndicatorReportRow = typeof indicatorReports.$inferSelect;

export async function insertIndicator(ex: Executor, values: typeof indicators.$inferInsert): Promise<IndicatorRow> {
  const [row] = await ex.insert(indicators).values(values).returning();
  return row!;
}

export async function findIndicator(ex: Executor, decisionId: string, indicatorId: string): Promise<IndicatorRow | undefined> {
  const [row] = await ex
    .select()
    .from(indicators)
    .where(and(eq(indicators.id, indicatorId), eq(indicators.decisionId, decisionId)));
  return row;
}

/** Which of these ids are indicators of the decision. */
export async function findIndicatorIdsOf(ex: Executor, decisionId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ex
    .select({ id: indicators.id })
    .from(indicators)
    .where(and(eq(indicators.decisionId, decisionId), inArray(indicators.id, [...ids])));
  return new Set(rows.map((row) => row.id));
}

export async function listIndicators(
  ex: Executor,
  decisionId: string,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<IndicatorRow[]> {
  return ex
    .select()
    .from(indicators)
    .where(and(eq(indicators.decisionId, decisionId), afterPosition(indicators.createdAt, indicators.id, after)))
    .orderBy(asc(indicators.createdAt), asc(indicators.id))
    .limit(limit + 1);
}

export async function insertIndicatorReport(ex: Executor, values: typeof indicatorReports.$inferInsert): Promise<IndicatorReportRow> {
  const [row] = await ex.insert(indicatorReports).values(values).returning();
  return row!;
}

/** The reports of these indicators in the order they were recorded. */
export async function listIndicatorReports(ex: Executor, indicatorIds: readonly string[]): Promise<IndicatorReportRow[]> {
  if (indicatorIds.length === 0) return [];
  return ex
    .select()
    .from(indicatorReports)
    .where(inArray(indicatorReports.indicatorId, [...indicatorIds]))
    .orderBy(asc(indicatorReports.createdAt), asc(indicatorReports.id));
}

/** One keyset page (one more row than `limit`) of the indicators of every decision. */
export async function listAllIndicators(ex: Executor, after: KeysetPosition | undefined, limit: number): Promise<IndicatorRow[]> {
  return ex
    .select()
    .from(indicators)
    .where(afterPosition(indicators.createdAt, indicators.id, after))
    .orderBy(asc(indicators.createdAt), asc(indicators.id))
    .limit(limit + 1);
}
