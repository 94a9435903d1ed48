import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';
import { DomainError } from './errors.js';
import { describeCents, sumCents, type Cents } from './money.js';

/**
 * Amendments (wijzigingsbesluit). An amendment is a new decision that, once it binds, takes the
 * place of the decision it amends: that one becomes `superseded` and no longer binds, so each
 * lineage (a decision and its amendments) binds through exactly one decision at a time. Money
 * already paid under the amended decision stays paid: it counts against the amendment's
 * commitments of the same programme and year, so an amendment may never commit less there than
 * was paid.
 */

/** An amendment in these states is live: the amended decision may get no second one, nor be settled. */
export const LIVE_AMENDMENT_STATUSES = ['draft', 'pending_ratification'] as const satisfies readonly DecisionStatus[];

export function isLiveAmendment(status: DecisionStatus): boolean {
  return (LIVE_AMENDMENT_STATUSES as readonly DecisionStatus[]).includes(status);
}

function assertNoLiveAmendment(liveAmendmentId: string | null, what: string): void {
  if (liveAmendmentId !== null) {
    throw new DomainError(
      'AMENDMENT_IN_PROGRESS',
      `This decision has amendment ${liveAmendmentId} in draft or awaiting ratification; it cannot be ${what} until that one binds, is rejected or is withdrawn.`,
    );
  }
}

/** A decision may be amended while it binds and is not settled, and while no other amendment of it is live. */
export function assertAmendable(status: DecisionStatus, liveAmendmentId: string | null): void {
  assertTransition(status, 'amend');
  assertNoLiveAmendment(liveAmendmentId, 'amended again');
}

/** Settling fixes the final amounts of the decision itself: not while an amendment would replace them. */
export function assertSettleableWithoutAmendment(liveAmendmentId: string | null): void {
  assertNoLiveAmendment(liveAmendmentId, 'settled');
}

export interface PaidCommitment {
  programmeId: string;
  year: number;
  disbursedCents: Cents;
}

export interface AmendmentCommitment {
  id: string;
  programmeId: string;
  year: number;
  amountCents: Cents;
}

/**
 * Where the money paid under the amended decision goes in the amendment: per programme and year,
 * what was paid is spread over the amendment's commitments of that programme and year in their
 * order, each up to its amount. Returns the paid amount per amendment commitment id (0 where
 * nothing was paid). An amendment that commits less than was paid in a programme and year (or
 * nothing there) answers 409 AMOUNT_BELOW_DISBURSED, naming each shortfall.
 */
export function carryOver(paid: readonly PaidCommitment[], amendment: readonly AmendmentCommitment[]): Map<string, Cents> {
  const paidByKey = new Map<string, { programmeId: string; year: number; cents: Cents }>();
  for (const c of paid) {
    const key = `${c.programmeId}/${c.year}`;
    const entry = paidByKey.get(key) ?? { programmeId: c.programmeId, year: c.year, cents: 0 };
    entry.cents = sumCents([entry.cents, c.disbursedCents]);
    paidByKey.set(key, entry);
  }
  const carried = new Map<string, Cents>(amendment.map((c) => [c.id, 0]));
  const shortfalls: string[] = [];
  for (const [key, { programmeId, year, cents }] of paidByKey) {
    let left = cents;
    for (const c of amendment) {
      if (left === 0) break;
      if (`${c.programmeId}/${c.year}` !== key) continue;
      const share = Math.min(left, c.amountCents);
      carried.set(c.id, share);
      left -= share;
    }
    if (left > 0) {
      const committed = sumCents(amendment.filter((c) => `${c.programmeId}/${c.year}` === key).map((c) => c.amountCents));
      shortfalls.push(`programme ${programmeId} in ${year}: ${describeCents(cents)} was paid, the amendment commits ${describeCents(committed)}`);
    }
  }
  if (shortfalls.length > 0) {
    throw new DomainError(
      'AMOUNT_BELOW_DISBURSED',
      `The amendment would leave less than was already paid under the decision it amends: ${shortfalls.join('; ')}.`,
    );
  }
  return carried;
}
