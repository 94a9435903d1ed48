import { asc, desc, eq, gt } from 'drizzle-orm';
import type { Db, Executor } from './client.js';
import { preparedOnce } from './prepared.js';
import { statuteRules } from './schema.js';

export type StatuteRuleRow = typeof statuteRules.$inferSelect;

/** Every rule, oldest first: a handful of rows, read whole. */
export async function listStatuteRules(ex: Executor): Promise<StatuteRuleRow[]> {
  return ex.select().from(statuteRules).orderBy(asc(statuteRules.version));
}

/** `listStatuteRules` on the database itself, prepared once (the read path of draft decisions). */
export async function listStatuteRulesPrepared(db: Db): Promise<StatuteRuleRow[]> {
  const statement = preparedOnce(db, 'statute_rules_all', (name) =>
    db.select().from(statuteRules).orderBy(asc(statuteRules.version)).prepare(name),
  );
  return statement.execute();
}

export async function findStatuteRule(ex: Executor, id: string): Promise<StatuteRuleRow | undefined> {
  const [row] = await ex.select().from(statuteRules).where(eq(statuteRules.id, id));
  return row;
}

/** The latest rule, locked: a new version is numbered and dated after it, one writer at a time. */
export async function lockLatestStatuteRule(ex: Executor): Promise<StatuteRuleRow | undefined> {
  const [row] = await ex.select().from(statuteRules).orderBy(desc(statuteRules.version)).limit(1).for('update');
  return row;
}

export async function insertStatuteRule(ex: Executor, values: typeof statuteRules.$inferInsert): Promise<StatuteRuleRow> {
  const [row] = await ex.insert(statuteRules).values(values).returning();
  return row!;
}

/**
 * One page of rules in version order, after the version `afterVersion` (keyset on the version).
 * Which rule is in force on a day is the domain's `ruleInForceOn`, not a query.
 */
export async function listStatuteRulesPage(ex: Executor, afterVersion: number | undefined, limit: number): Promise<StatuteRuleRow[]> {
  return ex
    .select()
    .from(statuteRules)
    .where(afterVersion === undefined ? undefined : gt(statuteRules.version, afterVersion))
    .orderBy(asc(statuteRules.version))
    .limit(limit + 1);
}
