import { todayInAmsterdam } from '../domain/clock.js';
import { notFound } from '../domain/errors.js';
import type { FundCheck, SplittingAction, SplittingScope, StatuteRule } from '../domain/records.js';
import { assertNewRuleEffective, ruleInForceOn } from '../domain/statute.js';
import type { Db, Executor } from '../db/client.js';
import {
  findStatuteRule,
  insertStatuteRule,
  listStatuteRules,
  listStatuteRulesPage,
  listStatuteRulesPrepared,
  lockLatestStatuteRule,
  type StatuteRuleRow,
} from '../db/statute-rules-repository.js';
import { needsRules, type DecisionAggregate } from '../db/decisions-repository.js';
import { mapConstraintViolation } from '../db/errors.js';
import { decodeSeqCursor, encodeSeqCursor, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

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

export interface StatuteRuleInput {
  effectiveFrom: string;
  thresholdCents: number;
  splitting: { scope: SplittingScope; action: SplittingAction };
  ratificationPeriodDays?: number | null | undefined;
  fundCheck?: FundCheck | undefined;
  reference: string;
  note?: string | null | undefined;
}

/**
 * Adds the next version of the statute rules, effective today or later and after every existing
 * rule, so no decision's rule ever changes in hindsight. One writer at a time: the latest rule is
 * locked, then read again (a statement after the lock sees what a writer before committed); the
 * unique indexes on version and effectiveFrom turn any remaining race into 409.
 */
export async function createStatuteRule(ctx: ServiceContext, caller: Caller, input: StatuteRuleInput): Promise<StatuteRule> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    await lockLatestStatuteRule(tx);
    const latest = (await listStatuteRules(tx)).at(-1);
    assertNewRuleEffective(input.effectiveFrom, todayInAmsterdam(ctx.clock), latest?.effectiveFrom);
    const row = await insertStatuteRule(tx, {
      version: (latest?.version ?? 0) + 1,
      effectiveFrom: input.effectiveFrom,
      thresholdCents: input.thresholdCents,
      splittingScope: input.splitting.scope,
      splittingAction: input.splitting.action,
      ratificationPeriodDays: input.ratificationPeriodDays ?? null,
      fundCheck: input.fundCheck ?? 'flag',
      reference: input.reference,
      note: input.note ?? null,
    }).catch(mapConstraintViolation);
    const statuteRule = toStatuteRule(row);
    uow.emit('statute_rule.created', { statuteRule });
    return statuteRule;
  });
}

export async function getStatuteRule(ctx: ServiceContext, id: string): Promise<StatuteRule> {
  const row = await findStatuteRule(ctx.database.db, id);
  if (row === undefined) throw notFound('Statute rule', id);
  return toStatuteRule(row);
}

export interface StatuteRuleFilter {
  /** Only the rule in force that day (`ruleInForceOn`). */
  effectiveOn?: string | undefined;
}

/** Rules in version order; with `effectiveOn`, the one rule in force that day (a handful of rows, read whole). */
export async function listStatuteRulesPageOf(
  ctx: ServiceContext,
  filter: StatuteRuleFilter,
  cursor: string | undefined,
  limit: number,
): Promise<Page<StatuteRule>> {
  const after = cursor === undefined ? undefined : decodeSeqCursor(cursor);
  let rows: StatuteRuleRow[];
  if (filter.effectiveOn === undefined) {
    rows = await listStatuteRulesPage(ctx.database.db, after, limit);
  } else {
    const inForce = ruleInForceOn(await listStatuteRulesPrepared(ctx.database.db), filter.effectiveOn);
    rows = inForce !== undefined && (after === undefined || inForce.version > after) ? [inForce] : [];
  }
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(toStatuteRule), nextCursor: rows.length > limit && last !== undefined ? encodeSeqCursor(last.version) : null };
}
