import { and, asc, desc, eq, gt, sql } from 'drizzle-orm';
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

export interface StatuteRuleFilter {
  /** Only the rule in force that day: the one with the latest effectiveFrom on or before it. */
  effectiveOn?: string | undefined;
}

/** One page of rules in version order, after the version `afterVersion` (keyset on the version). */
export async function listStatuteRulesPage(
  ex: Executor,
  filter: StatuteRuleFilter,
  afterVersion: number | undefined,
  limit: number,
): Promise<StatuteRuleRow[]> {
  const inForce =
    filter.effectiveOn === undefined
      ? undefined
      : sql`${statuteRules.version} = (select r.version from ${statuteRules} r where r.effective_from <= ${filter.effectiveOn}::date
                                       order by r.effective_from desc limit 1)`;
  return ex
    .select()
    .from(statuteRules)
    .where(and(inForce, afterVersion === undefined ? undefined : gt(statuteRules.version, afterVersion)))
    .orderBy(asc(statuteRules.version))
    .limit(limit + 1);
}
