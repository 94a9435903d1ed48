import { type Cents } from './money.js';
import { DomainError, Problems } from './errors.js';
import { assertTransition, PENDING_STATUSES, type DecisionStatus } from './decision-lifecycle.js';
import type { StatuteRule } from './records.js';

/**
 * The statute's three-college rule: a contribution of the threshold (EUR 100,000 in version 1
 * of the statute rules) or more binds only once the colleges of all centre municipalities have
 * approved it; one rejection rejects it. The threshold is data: see `statute.ts`.
 */

import { VOTE_OUTCOMES, type VoteOutcome } from './records.js';
export { VOTE_OUTCOMES, type VoteOutcome };

export interface CastVote {
  municipalityId: string;
  outcome: VoteOutcome;
}

/**
 * Whether the colleges must ratify: the total reaches the threshold, and for an amendment
 * (wijzigingsbesluit) it is also higher than the total of the decision it amends.
 */
export function requiresRatification(
  totalAmountCents: Cents,
  rule: Pick<StatuteRule, 'thresholdCents'>,
  amendedTotalCents?: Cents | null,
): boolean {
  return totalAmountCents >= rule.thresholdCents && (amendedTotalCents === undefined || amendedTotalCents === null || totalAmountCents > amendedTotalCents);
}

export interface AdoptionOutcome {
  status: 'adopted' | 'pending_ratification';
  requiredMunicipalityIds: string[];
}

/**
 * Adopting freezes the set of centre municipalities into the decision when ratification is
 * required. Without any centre municipality such a decision could never bind: 409.
 */
export function adoptionOutcome(
  from: DecisionStatus,
  ratificationRequired: boolean,
  centreMunicipalityIds: readonly string[],
): AdoptionOutcome {
  if (!ratificationRequired) {
    assertTransition(from, 'adopt', 'adopted');
    return { status: 'adopted', requiredMunicipalityIds: [] };
  }
  assertTransition(from, 'adopt', 'pending_ratification');
  if (centreMunicipalityIds.length === 0) {
    throw new DomainError(
      'NO_CENTRE_MUNICIPALITIES',
      'This decision needs ratification, but no centre municipality exists to ratify it.',
    );
  }
  return { status: 'pending_ratification', requiredMunicipalityIds: [...centreMunicipalityIds].sort() };
}

/** The states in which a ratification deadline runs: while the decision awaits the colleges. */
export const RATIFICATION_DEADLINE_STATUSES = PENDING_STATUSES;

/**
 * Ratification is overdue from the day after its due date while the decision still awaits the
 * colleges; a decision without a due date (no period in its rule) is never overdue. Votes after
 * the due date still count: overdue is a signal, not a state. The job that announces it selects
 * the same decisions in SQL (`lockRatificationsOverdue`, pinned to this by its test).
 */
export function isRatificationOverdue(status: DecisionStatus, dueDate: string | null, today: string): boolean {
  return (RATIFICATION_DEADLINE_STATUSES as readonly DecisionStatus[]).includes(status) && dueDate !== null && today > dueDate;
}

/** The state that the recorded votes put a pending decision in. */
export function ratificationStatus(
  requiredMunicipalityIds: readonly string[],
  votes: readonly CastVote[],
): 'pending_ratification' | 'ratified' | 'rejected' {
  const required = new Set(requiredMunicipalityIds);
  const relevant = votes.filter((vote) => required.has(vote.municipalityId));
  if (relevant.some((vote) => vote.outcome === 'reject')) return 'rejected';
  const approvals = new Set(relevant.filter((v) => v.outcome === 'approve').map((v) => v.municipalityId));
  return approvals.size === required.size && required.size > 0 ? 'ratified' : 'pending_ratification';
}

export interface VoteTarget {
  status: DecisionStatus;
  boardMeetingDate: string;
  requiredMunicipalityIds: readonly string[];
  votes: readonly CastVote[];
}

export interface VoteRequest {
  municipalityId: string;
  outcome: VoteOutcome;
  decidedOn: string;
}

/**
 * Checks a vote in the contract's order (after authorisation, schema and existence, which the
 * caller has done) and returns the decision's resulting status. A decision whose state allows no
 * vote answers that alone (409); otherwise every problem of the vote is answered at once: the
 * municipality (400), the date (400), a vote already cast (409).
 */
export function decideVote(
  decision: VoteTarget,
  vote: VoteRequest,
  today: string,
): 'pending_ratification' | 'ratified' | 'rejected' {
  assertTransition(decision.status, 'vote');
  const problems = new Problems();
  if (!decision.requiredMunicipalityIds.includes(vote.municipalityId)) {
    problems.add(new DomainError(
      'VOTE_MUNICIPALITY_NOT_REQUIRED',
      `Municipality ${vote.municipalityId} is not asked to ratify this decision.`,
      [{ path: '/municipalityId', message: 'is not one of the decision\'s requiredMunicipalityIds' }],
    ));
  }
  if (vote.decidedOn < decision.boardMeetingDate || vote.decidedOn > today) {
    problems.add(new DomainError(
      'VOTE_DATE_OUT_OF_RANGE',
      `decidedOn must lie between the board meeting (${decision.boardMeetingDate}) and today (${today}).`,
      [{ path: '/decidedOn', message: `must be between ${decision.boardMeetingDate} and ${today}` }],
    ));
  }
  if (decision.votes.some((cast) => cast.municipalityId === vote.municipalityId)) {
    problems.add(new DomainError('VOTE_ALREADY_CAST', 'This municipality has already voted on this decision; votes are final.'));
  }
  problems.throwIfAny();
  const next = ratificationStatus(decision.requiredMunicipalityIds, [...decision.votes, vote]);
  assertTransition(decision.status, 'vote', next);
  return next;
}

/**
 * Whether the colleges were ever asked to ratify: adoption into `pending_ratification` froze the
 * municipalities that must approve, and nothing else sets them. True whatever came after
 * (ratified, rejected, withdrawn while pending, amended, settled).
 */
export function wasAskedToRatify(decision: { requiredMunicipalityIds: readonly string[] }): boolean {
  return decision.requiredMunicipalityIds.length > 0;
}

/**
 * The day a decision began to bind: the day its adoption took effect (`adoptedOn`) when it bound
 * at once, the day the last college decided when it needed ratification. Null while it does not
 * bind and never did (a draft, a pending or rejected decision).
 */
export function bindingSince(decision: {
  adoptedOn: string | null;
  status: DecisionStatus;
  ratification: { reason: string | null; votes: readonly { decidedOn: string }[] };
}): string | null {
  if (decision.adoptedOn === null || decision.status === 'pending_ratification' || decision.status === 'rejected') return null;
  if (decision.status === 'withdrawn') return null;
  if (decision.ratification.reason === null) return decision.adoptedOn;
  const days = decision.ratification.votes.map((vote) => vote.decidedOn).sort();
  return days[days.length - 1] ?? null;
}
