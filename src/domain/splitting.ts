import { NOT_SUSPECTED } from './adoption.js';
import type { DecisionStatus } from './decision-lifecycle.js';
import type { Cents } from './money.js';
import { sumCents } from './money.js';
import type { Splitting, StatuteRule } from './records.js';

/**
 * Splitting (anti-circumvention): several decisions that each stay under the threshold can
 * together grant what the statute wants ratified. At adoption, the decision's *related*
 * decisions are the other decisions that already count (adopted, awaiting ratification,
 * ratified or settled), outside its own lineage, that were each under the threshold frozen into
 * them and that share, by the rule's scope, the applicant and a year (`applicant_year`) or a
 * programme and year (`programme_year`). When this decision's total plus theirs reaches the
 * threshold, it is suspected of splitting.
 */
export const SPLITTING_STATUSES = ['adopted', 'pending_ratification', 'ratified', 'settled'] as const satisfies readonly DecisionStatus[];

export interface SplittingSubject {
  id: string;
  applicantOrganisationId: string | null;
  totalAmountCents: Cents;
  commitments: readonly { programmeId: string; year: number }[];
}

export interface SplittingCandidate extends SplittingSubject {
  status: DecisionStatus;
  /** The threshold frozen into it at adoption. */
  thresholdCents: Cents;
}

export interface SplittingQuestion {
  decision: SplittingSubject;
  /** The decisions it amends, directly or through earlier amendments: never related to it. */
  lineageIds: readonly string[];
  candidates: readonly SplittingCandidate[];
  rule: Pick<StatuteRule, 'thresholdCents' | 'splitting'>;
}

function sharesScope(scope: StatuteRule['splitting']['scope'], decision: SplittingSubject, other: SplittingSubject): boolean {
  switch (scope) {
    case 'none':
      return false;
    case 'applicant_year': {
      if (decision.applicantOrganisationId === null || other.applicantOrganisationId !== decision.applicantOrganisationId) return false;
      const years = new Set(decision.commitments.map((c) => c.year));
      return other.commitments.some((c) => years.has(c.year));
    }
    case 'programme_year': {
      const keys = new Set(decision.commitments.map((c) => `${c.programmeId}/${c.year}`));
      return other.commitments.some((c) => keys.has(`${c.programmeId}/${c.year}`));
    }
  }
}

/** The related decisions of `question.decision`, in the order of their ids. */
export function relatedDecisions(question: SplittingQuestion): SplittingCandidate[] {
  const { decision, rule } = question;
  const excluded = new Set([decision.id, ...question.lineageIds]);
  const counting = new Set<DecisionStatus>(SPLITTING_STATUSES);
  return question.candidates
    .filter(
      (other) =>
        !excluded.has(other.id) &&
        counting.has(other.status) &&
        other.totalAmountCents < other.thresholdCents &&
        sharesScope(rule.splitting.scope, decision, other),
    )
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The splitting verdict frozen into a decision at adoption. A decision that reaches the
 * threshold on its own is not splitting anything: the threshold itself sends it to the colleges.
 */
export function assessSplitting(question: SplittingQuestion): Splitting {
  const { decision, rule } = question;
  if (rule.splitting.scope === 'none' || decision.totalAmountCents >= rule.thresholdCents) return NOT_SUSPECTED;
  const related = relatedDecisions(question);
  const cumulativeCents = sumCents([decision.totalAmountCents, ...related.map((other) => other.totalAmountCents)]);
  if (related.length === 0 || cumulativeCents < rule.thresholdCents) return NOT_SUSPECTED;
  return { suspected: true, cumulativeCents, relatedDecisionIds: related.map((other) => other.id) };
}
