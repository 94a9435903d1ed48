import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import type { Role } from '../domain/access.js';
import type { Db, Executor } from './client.js';
import { preparedOnce } from './prepared.js';
import { apiKeys } from './schema.js';
import { afterPosition, type KeysetPosition } from './pagination.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKey = typeof apiKeys.$inferInsert;

export async function insertApiKey(ex: Executor, values: NewApiKey): Promise<ApiKeyRow> {
  const [row] = await ex.insert(apiKeys).values(values).returning();
  return row!;
}

/** The active key with this hash; revoked keys are never found, so revocation acts at once. */
export async function findActiveKeyByHash(
  db: Db,
  keyHash: string,
): Promise<Pick<ApiKeyRow, 'id' | 'name' | 'role' | 'organisationId' | 'createdAt'> | undefined> {
  const statement = preparedOnce(db, 'api_key_by_hash', (name) =>
    db
      .select({ id: apiKeys.id, name: apiKeys.name, role: apiKeys.role, organisationId: apiKeys.organisationId, createdAt: apiKeys.createdAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.keyHash, sql.placeholder('keyHash')), isNull(apiKeys.revokedAt)))
      .prepare(name),
  );
  const [row] = await statement.execute({ keyHash });
  return row;
}

export async function countActiveKeys(ex: Executor, role: Role): Promise<number> {
  const [row] = await ex.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.role, role), isNull(apiKeys.revokedAt)));
  return row?.n ?? 0;
}

export async function findApiKey(ex: Executor, id: string, forUpdate = false): Promise<ApiKeyRow | undefined> {
  const query = ex.select().from(apiKeys).where(eq(apiKeys.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export async function listApiKeys(ex: Executor, after: KeysetPosition | undefined, limit: number): Promise<ApiKeyRow[]> {
  return ex
    .select()
    .from(apiKeys)
    .where(afterPosition(apiKeys.createdAt, apiKeys.id, after))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id))
    .limit(limit + 1);
}

export async function revokeApiKey(ex: Executor, id: string): Promise<ApiKeyRow> {
  const [row] = await ex.update(apiKeys).set({ revokedAt: sql`now()` }).where(eq(apiKeys.id, id)).returning();
  return row!;
}

export async function upsertApiKey(ex: Executor, values: NewApiKey & { id: string }): Promise<{ row: ApiKeyRow; changed: boolean }> {
  const [existing] = await ex.select().from(apiKeys).where(eq(apiKeys.id, values.id)).for('update');
  if (existing && existing.keyHash === values.keyHash && existing.revokedAt === null) return { row: existing, changed: false };
  const [row] = await ex
    .insert(apiKeys)
    .values(values)
    .onConflictDoUpdate({ target: apiKeys.id, set: { keyHash: values.keyHash, revokedAt: null, role: values.role, name: values.name } })
    .returning();
  return { row: row!, changed: true };
}
