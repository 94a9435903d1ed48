import { type Cents } from './money.js';
import { DomainError } from './errors.js';
import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';
import type { StatuteRule } from './records.js';
import { amsterdamDateOf } from './clock.js';

/**
 * The statute's three-college rule: a contribution of the threshold (EUR 100,000 in version 1
 * of the statute rules) or more binds only once the colleges of all centre municipalities have
 * approved it; one rejection rejects it. The threshold is data: see `statute.ts`.
 */

export const VOTE_OUTCOMES = ['approve', 'reject'] as const;
export type VoteOutcome = (typeof VOTE_OUTCOMES)[number];

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
 * caller has done) and returns the decision's resulting status.
 */
export function decideVote(
  decision: VoteTarget,
  vote: VoteRequest,
  today: string,
): 'pending_ratification' | 'ratified' | 'rejected' {
  assertTransition(decision.status, 'vote');
  if (!decision.requiredMunicipalityIds.includes(vote.municipalityId)) {
    throw new DomainError(
      'VOTE_MUNICIPALITY_NOT_REQUIRED',
      `Municipality ${vote.municipalityId} is not asked to ratify this decision.`,
      [{ path: '/municipalityId', message: 'is not one of the decision\'s requiredMunicipalityIds' }],
    );
  }
  if (vote.decidedOn < decision.boardMeetingDate || vote.decidedOn > today) {
    throw new DomainError(
      'VOTE_DATE_OUT_OF_RANGE',
      `decidedOn must lie between the board meeting (${decision.boardMeetingDate}) and today (${today}).`,
      [{ path: '/decidedOn', message: `must be between ${decision.boardMeetingDate} and ${today}` }],
    );
  }
  if (decision.votes.some((cast) => cast.municipalityId === vote.municipalityId)) {
    throw new DomainError('VOTE_ALREADY_CAST', 'This municipality has already voted on this decision; votes are final.');
  }
  const next = ratificationStatus(decision.requiredMunicipalityIds, [...decision.votes, vote]);
  assertTransition(decision.status, 'vote', next);
  return next;
}

/**
 * The day a decision began to bind: the adoption day (Europe/Amsterdam) when it bound at once,
 * the day the last college decided when it needed ratification. Null while it does not bind
 * and never did (a draft, a pending or rejected decision).
 */
export function bindingSince(decision: {
  adoptedAt: string | null;
  status: DecisionStatus;
  ratification: { reason: string | null; votes: readonly { decidedOn: string }[] };
}): string | null {
  if (decision.adoptedAt === null || decision.status === 'pending_ratification' || decision.status === 'rejected') return null;
  if (decision.status === 'withdrawn') return null;
  if (decision.ratification.reason === null) return amsterdamDateOf(new Date(decision.adoptedAt));
  const days = decision.ratification.votes.map((vote) => vote.decidedOn).sort();
  return days[days.length - 1] ?? null;
}
