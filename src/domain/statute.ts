import { DomainError } from './errors.js';
import type { StatuteRule } from './records.js';
import { addDays } from './clock.js';

/** The terms of a statute rule that decide a decision's ratification: what a view of a draft needs. */
export type RuleTerms = Pick<StatuteRule, 'version' | 'effectiveFrom' | 'thresholdCents'>;

/**
 * The statute as versioned data. The rule in force on a date is the rule with the latest
 * `effectiveFrom` on or before that date (no two rules share one: a unique index and
 * `assertNewRuleEffective` see to it); undefined when every rule takes effect later.
 */
export function ruleInForceOn<R extends Pick<StatuteRule, 'effectiveFrom'>>(rules: readonly R[], date: string): R | undefined {
  let found: R | undefined;
  for (const rule of rules) {
    if (rule.effectiveFrom <= date && (found === undefined || rule.effectiveFrom > found.effectiveFrom)) found = rule;
  }
  return found;
}

/**
 * The rule that applies to a decision: the one in force on its board meeting date. Version 1
 * (from the migration) is in force from 2000-01-01, before any decision the register accepts,
 * so one always is.
 */
export function ruleInForce<R extends Pick<StatuteRule, 'effectiveFrom'>>(rules: readonly R[], date: string): R {
  const found = ruleInForceOn(rules, date);
  if (found === undefined) throw new Error(`no statute rule is in force on ${date}; migration 0007 creates version 1`);
  return found;
}

/**
 * A new rule takes effect today or later, and after every existing rule: history is never
 * rewritten, so a decision adopted under one rule keeps it.
 */
export function assertNewRuleEffective(effectiveFrom: string, today: string, latestEffectiveFrom: string | undefined): void {
  if (effectiveFrom < today) {
    throw new DomainError('VALIDATION_FAILED', `effectiveFrom cannot lie before today (${today}): rules never change the past.`, [
      { path: '/effectiveFrom', message: `must not be before ${today}` },
    ]);
  }
  if (latestEffectiveFrom !== undefined && effectiveFrom <= latestEffectiveFrom) {
    throw new DomainError(
      'STATUTE_RULE_NOT_LATEST',
      `A new rule must take effect after the latest rule (effective from ${latestEffectiveFrom}).`,
      [{ path: '/effectiveFrom', message: `must be after ${latestEffectiveFrom}` }],
    );
  }
}

/** The ratification deadline: the adoption day in Europe/Amsterdam plus the rule's period. */
export function ratificationDueDate(adoptionDay: string, periodDays: number | null): string | null {
  return periodDays === null ? null : addDays(adoptionDay, periodDays);
}
