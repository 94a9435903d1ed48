import type { StatuteRule } from '../domain/records.js';
import type { Db, Executor } from '../db/client.js';
import { listStatuteRules, listStatuteRulesPrepared, type StatuteRuleRow } from '../db/statute-rules-repository.js';
import type { DecisionAggregate } from '../db/decisions-repository.js';
import { needsRules } from './decision-views.js';

export function toStatuteRule(row: StatuteRuleRow): StatuteRule {
  return {
    id: row.id,
    version: row.version,
    effectiveFrom: row.effectiveFrom,
    thresholdCents: row.thresholdCents,
    splitting: { scope: row.splittingScope, action: row.splittingAction },
    ratificationPeriodDays: row.ratificationPeriodDays,
    fundCheck: row.fundCheck,
    reference: row.reference,
    note: row.note,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Every statute rule, oldest first. */
export async function statuteRules(ex: Executor): Promise<StatuteRule[]> {
  return (await listStatuteRules(ex)).map(toStatuteRule);
}

/** The rules the views of these decisions need: none when all of them froze theirs at adoption. */
export async function rulesForViews(ex: Executor, aggregates: readonly DecisionAggregate[]): Promise<StatuteRule[]> {
  return aggregates.some(needsRules) ? statuteRules(ex) : [];
}

/** `rulesForViews` on the read path (prepared statement on the database itself). */
export async function rulesForReads(db: Db, aggregates: readonly DecisionAggregate[]): Promise<StatuteRule[]> {
  return aggregates.some(needsRules) ? (await listStatuteRulesPrepared(db)).map(toStatuteRule) : [];
}
