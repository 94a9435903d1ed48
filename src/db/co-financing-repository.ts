import { and, asc, eq } from 'drizzle-orm';
import type { CoFinancingKind } from '../domain/records.js';
import type { Executor } from './client.js';
import { afterPosition, type KeysetPosition } from './pagination.js';
import { coFinancing } from './schema.js';

export type CoFinancingRow = typeof coFinancing.$inferSelect & { kind: CoFinancingKind };

export async function insertCoFinancing(ex: Executor, values: typeof coFinancing.$inferInsert): Promise<CoFinancingRow> {
  const [row] = await ex.insert(coFinancing).values(values).returning();
  return row as CoFinancingRow;
}

/** One programme's co-financing in the order it was recorded. */
export async function listCoFinancing(
  ex: Executor,
  programmeId: string,
  filter: { year?: number | undefined },
  after: KeysetPosition | undefined,
  limit: number,
): Promise<CoFinancingRow[]> {
  const rows = await ex
    .select()
    .from(coFinancing)
    .where(
      and(
        eq(coFinancing.programmeId, programmeId),
        filter.year === undefined ? undefined : eq(coFinancing.year, filter.year),
        afterPosition(coFinancing.createdAt, coFinancing.id, after),
      ),
    )
    .orderBy(asc(coFinancing.createdAt), asc(coFinancing.id))
    .limit(limit + 1);
  return rows as CoFinancingRow[];
}

/** One keyset page (one more row than `limit`) of every programme's co-financing, in the order it was recorded. */
export async function listAllCoFinancing(ex: Executor, after: KeysetPosition | undefined, limit: number): Promise<CoFinancingRow[]> {
  const rows = await ex
    .select()
    .from(coFinancing)
    .where(afterPosition(coFinancing.createdAt, coFinancing.id, after))
    .orderBy(asc(coFinancing.createdAt), asc(coFinancing.id))
    .limit(limit + 1);
  return rows as CoFinancingRow[];
}
