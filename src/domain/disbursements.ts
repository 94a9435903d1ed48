import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';
import { DomainError, Problems, referenceNotFound } from './errors.js';
import { describeCents, sumCents, type Cents } from './money.js';

/**
 * Payments of committed money (voorschot, betaling; Awb title 4.2). A payment is made on one
 * commitment of a decision that binds, never while (nor dated before) a condition that blocks payments is open, and
 * never beyond what the commitment still leaves unpaid: its amount, or its final amount once the
 * decision is settled (vaststelling), minus what was paid on it and on the commitments of the
 * decisions it amends.
 */
export interface PayableCommitment {
  id: string;
  programmeId: string;
  year: number;
  amountCents: Cents;
  finalAmountCents: Cents | null;
  disbursedCents: Cents;
}

export interface BlockingCondition {
  id: string;
  description: string;
  fulfilledOn: string | null;
  blocksDisbursement: boolean;
}

/** One programme and year of an amendment (wijzigingsbesluit): what it commits there. */
export interface ProgrammeYearAmount {
  programmeId: string;
  year: number;
  amountCents: Cents;
}

export interface DisbursementFacts {
  status: DecisionStatus;
  /** The day the decision began to bind (see `bindingSince`); null when it never bound. */
  bindingSince: string | null;
  today: string;
  commitments: readonly PayableCommitment[];
  conditions: readonly BlockingCondition[];
  /**
   * The commitments of an amendment of this decision that awaits the colleges. What is paid
   * meanwhile must still fit into the amendment, or its ratification could leave less than was
   * paid (see `amendments.ts`).
   */
  pendingAmendment?: readonly ProgrammeYearAmount[] | undefined;
}

export interface DisbursementRequest {
  commitmentId: string;
  amountCents: Cents;
  paidOn: string;
}

/** What binds of a commitment: its final amount once settled, its amount before. */
export function committedCents(commitment: Pick<PayableCommitment, 'amountCents' | 'finalAmountCents'>): Cents {
  return commitment.finalAmountCents ?? commitment.amountCents;
}

/** The money settlement released: the part of the amount that the final amount does not bind. */
export function releasedCents(commitment: Pick<PayableCommitment, 'amountCents' | 'finalAmountCents'>): Cents {
  return commitment.amountCents - committedCents(commitment);
}

const sameProgrammeYear = (a: { programmeId: string; year: number }, b: { programmeId: string; year: number }) =>
  a.programmeId === b.programmeId && a.year === b.year;

/**
 * What may still be paid on a commitment: what binds minus what was paid, and, while an
 * amendment awaits the colleges, no more than the amendment leaves room for in the commitment's
 * programme and year (its amount there minus what this decision paid there).
 */
export function payableCents(commitment: PayableCommitment, facts: Pick<DisbursementFacts, 'commitments' | 'pendingAmendment'>): Cents {
  const own = committedCents(commitment) - commitment.disbursedCents;
  if (facts.pendingAmendment === undefined) return own;
  const amended = sumCents(facts.pendingAmendment.filter((a) => sameProgrammeYear(a, commitment)).map((a) => a.amountCents));
  const paid = sumCents(facts.commitments.filter((c) => sameProgrammeYear(c, commitment)).map((c) => c.disbursedCents));
  return Math.max(0, Math.min(own, amended - paid));
}

/**
 * Checks a payment and returns the commitment it is made on: 409 when the decision does not bind
 * (answered alone); then every problem at once, in this order: 400 for a commitment of another
 * decision, 400 for `paidOn` before the decision bound or after today, 409 for an open condition
 * that blocks payments, 409 for a `paidOn` before the day such a condition was fulfilled
 * (payments were blocked then), 409 for an amount above what remains (the detail names the
 * remaining amount).
 */
export function decideDisbursement(facts: DisbursementFacts, request: DisbursementRequest): PayableCommitment {
  assertTransition(facts.status, 'disburse');
  const problems = new Problems();
  const commitment = facts.commitments.find((c) => c.id === request.commitmentId);
  if (commitment === undefined) problems.add(referenceNotFound('/commitmentId', 'Commitment of this decision', request.commitmentId));
  const earliest = facts.bindingSince ?? facts.today;
  if (request.paidOn < earliest || request.paidOn > facts.today) {
    problems.add(new DomainError(
      'DISBURSEMENT_DATE_OUT_OF_RANGE',
      `paidOn must lie between the day the decision began to bind (${earliest}) and today (${facts.today}).`,
      [{ path: '/paidOn', message: `must be between ${earliest} and ${facts.today}` }],
    ));
  }
  const blocking = facts.conditions.find((c) => c.blocksDisbursement && c.fulfilledOn === null);
  if (blocking !== undefined) {
    problems.add(new DomainError(
      'CONDITION_BLOCKS_DISBURSEMENT',
      `Condition ${blocking.id} ("${blocking.description.slice(0, 100)}") blocks payments until it is fulfilled.`,
    ));
  }
  const blockedOn = facts.conditions.find((c) => c.blocksDisbursement && c.fulfilledOn !== null && request.paidOn < c.fulfilledOn);
  if (blockedOn !== undefined) {
    problems.add(new DomainError(
      'DISBURSEMENT_BLOCKED',
      `Condition ${blockedOn.id} ("${blockedOn.description.slice(0, 100)}") blocked payments until it was fulfilled on ${blockedOn.fulfilledOn}; paidOn ${request.paidOn} lies before that.`,
    ));
  }
  const remaining = commitment === undefined ? undefined : payableCents(commitment, facts);
  if (commitment !== undefined && remaining !== undefined && request.amountCents > remaining) {
    const limit =
      remaining < committedCents(commitment) - commitment.disbursedCents
        ? ' (an amendment awaiting ratification commits less in this programme and year)'
        : '';
    problems.add(new DomainError(
      'DISBURSEMENT_EXCEEDS_COMMITMENT',
      `Only ${describeCents(remaining)} remains to be paid on commitment ${commitment.id}${limit}; ${describeCents(request.amountCents)} was asked.`,
      [{ path: '/amountCents', message: `exceeds the ${describeCents(remaining)} that remains to be paid on the commitment` }],
    ));
  }
  problems.throwIfAny();
  return commitment!;
}
