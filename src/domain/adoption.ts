import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';
import { assertFundCovers } from './fund.js';
import type { Cents } from './money.js';
import { adoptionOutcome, requiresRatification } from './ratification.js';
import type { FundCoverage, RatificationReason, Splitting, StatuteRule } from './records.js';
import { ratificationDueDate } from './statute.js';

/**
 * What adoption decides and freezes into a decision, from the facts of that moment: the statute
 * rule in force on the board meeting date, the centre municipalities, the splitting verdict, the
 * decision it amends (if any) and the fund's position. Pure: the use case gathers the facts under
 * the locks that make them true until commit.
 */
export interface AdoptionFacts {
  status: DecisionStatus;
  totalAmountCents: Cents;
  rule: Pick<StatuteRule, 'version' | 'thresholdCents' | 'splitting' | 'ratificationPeriodDays' | 'fundCheck'>;
  centreMunicipalityIds: readonly string[];
  /** The adoption day in Europe/Amsterdam. */
  today: string;
  /** See `splitting.ts`; never suspected for a decision that reaches the threshold on its own. */
  splitting: Splitting;
  /** An amendment needs the colleges again only for an increase: the amended decision's total. */
  amendedTotalCents?: Cents | undefined;
  /** The fund's coverage before this decision (see `fund.ts`); `block` refuses an uncovered one. */
  fundCoverage: FundCoverage | null;
}

export interface AdoptionDecision {
  status: 'adopted' | 'pending_ratification';
  requiredMunicipalityIds: string[];
  reason: RatificationReason | null;
  dueDate: string | null;
  statuteRuleVersion: number;
  thresholdCents: Cents;
  splitting: Splitting;
  fundCoverage: FundCoverage | null;
}

export function decideAdoption(facts: AdoptionFacts): AdoptionDecision {
  assertTransition(facts.status, 'adopt');
  const { rule } = facts;
  assertFundCovers(rule.fundCheck, facts.fundCoverage);
  const reachesThreshold =
    requiresRatification(facts.totalAmountCents, rule) &&
    (facts.amendedTotalCents === undefined || facts.totalAmountCents > facts.amendedTotalCents);
  const splittingRequires = facts.splitting.suspected && rule.splitting.action === 'require_ratification';
  const reason: RatificationReason | null = reachesThreshold ? 'threshold' : splittingRequires ? 'splitting' : null;
  const outcome = adoptionOutcome(facts.status, reason !== null, facts.centreMunicipalityIds);
  return {
    ...outcome,
    reason,
    dueDate: outcome.status === 'pending_ratification' ? ratificationDueDate(facts.today, rule.ratificationPeriodDays) : null,
    statuteRuleVersion: rule.version,
    thresholdCents: rule.thresholdCents,
    splitting: facts.splitting,
    fundCoverage: facts.fundCoverage,
  };
}

/** The verdict of a decision that nobody suspects of splitting (and of every draft). */
export const NOT_SUSPECTED: Splitting = { suspected: false, cumulativeCents: null, relatedDecisionIds: [] };
