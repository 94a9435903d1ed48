import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';
import { DomainError, Problems } from './errors.js';
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
  /** The day the board's adoption took effect (see `adoptionDay`): it starts the ratification period. */
  adoptedOn: string;
  /** See `splitting.ts`; never suspected for a decision that reaches the threshold on its own. */
  splitting: Splitting;
  /** An amendment needs the colleges again only for an increase: the amended decision's total. */
  amendedTotalCents?: Cents | undefined;
  /** The fund's coverage before this decision (see `fund.ts`); `block` refuses an uncovered one. */
  fundCoverage: FundCoverage | null;
}

export interface AdoptionDecision {
  adoptedOn: string;
  status: 'adopted' | 'pending_ratification';
  requiredMunicipalityIds: string[];
  reason: RatificationReason | null;
  dueDate: string | null;
  statuteRuleVersion: number;
  thresholdCents: Cents;
  splitting: Splitting;
  fundCoverage: FundCoverage | null;
}

/**
 * The day an adoption took effect: the day the board adopted the decision, which the secretariat
 * may record later (`adoptedOn`), never before the board meeting and never after today; today
 * (Europe/Amsterdam) when none is sent.
 */
export function adoptionDay(adoptedOn: string | undefined, boardMeetingDate: string, today: string): string {
  if (adoptedOn === undefined) return today;
  if (adoptedOn < boardMeetingDate || adoptedOn > today) {
    throw new DomainError(
      'ADOPTION_DATE_OUT_OF_RANGE',
      `adoptedOn must lie between the board meeting (${boardMeetingDate}) and today (${today}).`,
      [{ path: '/adoptedOn', message: `must be between ${boardMeetingDate} and ${today}` }],
    );
  }
  return adoptedOn;
}

export function decideAdoption(facts: AdoptionFacts): AdoptionDecision {
  assertTransition(facts.status, 'adopt');
  const { rule } = facts;
  // Past the state, every problem of the adoption is answered at once.
  const problems = new Problems();
  problems.check(() => assertFundCovers(rule.fundCheck, facts.fundCoverage));
  const reachesThreshold =
    requiresRatification(facts.totalAmountCents, rule) &&
    (facts.amendedTotalCents === undefined || facts.totalAmountCents > facts.amendedTotalCents);
  const splittingRequires = facts.splitting.suspected && rule.splitting.action === 'require_ratification';
  const reason: RatificationReason | null = reachesThreshold ? 'threshold' : splittingRequires ? 'splitting' : null;
  const outcome = problems.check(() => adoptionOutcome(facts.status, reason !== null, facts.centreMunicipalityIds));
  problems.throwIfAny();
  return {
    adoptedOn: facts.adoptedOn,
    ...outcome!,
    reason,
    dueDate: outcome!.status === 'pending_ratification' ? ratificationDueDate(facts.adoptedOn, rule.ratificationPeriodDays) : null,
    statuteRuleVersion: rule.version,
    thresholdCents: rule.thresholdCents,
    splitting: facts.splitting,
    fundCoverage: facts.fundCoverage,
  };
}

/** The verdict of a decision that nobody suspects of splitting (and of every draft). */
export const NOT_SUSPECTED: Splitting = { suspected: false, cumulativeCents: null, relatedDecisionIds: [] };
