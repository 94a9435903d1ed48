import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db, Executor } from './client.js';
import { preparedOnce } from './prepared.js';
import { programmes } from './schema.js';
import { afterPlaceholders, afterPosition, keysetParams, type KeysetPosition } from './pagination.js';

export type ProgrammeRow = typeof programmes.$inferSelect;
export type NewProgramme = typeof programmes.$inferInsert;

export async function insertProgramme(ex: Executor, values: NewProgramme): Promise<ProgrammeRow> {
  const [row] = await ex.insert(programmes).values(values).returning();
  return row!;
}

export async function findProgramme(ex: Executor, id: string, forUpdate = false): Promise<ProgrammeRow | undefined> {
  const query = ex.select().from(programmes).where(eq(programmes.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function findProgrammeIds(ex: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await ex.select({ id: programmes.id }).from(programmes).where(inArray(programmes.id, [...ids]));
  return new Set(rows.map((row) => row.id));
}

export async function listProgrammes(db: Db, after: KeysetPosition | undefined, limit: number): Promise<ProgrammeRow[]> {
  const statement = preparedOnce(db, after === undefined ? 'programmes_page_first' : 'programmes_page_after', (name) =>
    db
      .select()
      .from(programmes)
      .where(after === undefined ? undefined : afterPlaceholders(programmes.createdAt, programmes.id))
      .orderBy(asc(programmes.createdAt), asc(programmes.id))
      .limit(sql.placeholder('limit'))
      .prepare(name),
  );
  return statement.execute(keysetParams(after, limit));
}

export async function updateProgramme(ex: Executor, id: string, values: Partial<NewProgramme>): Promise<ProgrammeRow> {
  const [row] = await ex
    .update(programmes)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(programmes.id, id))
    .returning();
  return row!;
}

/** One keyset page (one more row than `limit`) of every programme, on any executor (a transaction's too). */
export async function listProgrammeRows(ex: Executor, after: KeysetPosition | undefined, limit: number): Promise<ProgrammeRow[]> {
  return ex
    .select()
    .from(programmes)
    .where(afterPosition(programmes.createdAt, programmes.id, after))
    .orderBy(asc(programmes.createdAt), asc(programmes.id))
    .limit(limit + 1);
}
