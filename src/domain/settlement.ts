import { assertSettleableWithoutAmendment } from './amendments.js';
import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';
import { DomainError, Problems, type ErrorCode } from './errors.js';
import { describeCents, type Cents } from './money.js';

/**
 * Settlement (vaststelling, Awb title 4.2): the board fixes what each commitment finally amounts
 * to. From then on the final amounts bind and the rest of each commitment is released; payments
 * may go on up to the final amounts. Only settlement releases money.
 */
export interface SettleableCommitment {
  id: string;
  amountCents: Cents;
  disbursedCents: Cents;
}

export interface SettlementFacts {
  status: DecisionStatus;
  /** An amendment of this decision in draft or awaiting ratification, if any. */
  liveAmendmentId: string | null;
  /** The day the decision began to bind (see `bindingSince`). */
  bindingSince: string | null;
  today: string;
  commitments: readonly SettleableCommitment[];
}

export interface SettlementRequest {
  settledOn: string;
  finalAmounts: readonly { commitmentId: string; amountCents: Cents }[];
}

/**
 * Checks a settlement and returns the final amount per commitment id: 409 when the decision is
 * not adopted or ratified (answered alone); then every problem at once, in this order: 409 while
 * an amendment of it is live, 400 for the input (`finalAmounts` must name each commitment exactly
 * once, a final amount may not exceed the commitment, `settledOn` lies between the day the
 * decision began to bind and today), 409 when a final amount is below what was already paid.
 */
export function decideSettlement(facts: SettlementFacts, request: SettlementRequest): Map<string, Cents> {
  assertTransition(facts.status, 'settle', 'settled');
  const problems = new Problems();
  problems.check(() => assertSettleableWithoutAmendment(facts.liveAmendmentId));
  const invalid = (code: ErrorCode, path: string, message: string) =>
    problems.add(new DomainError(code, `The settlement is not valid: ${path} ${message}.`, [{ path, message }]));
  const byId = new Map(facts.commitments.map((c) => [c.id, c]));
  const named = new Map<string, number>();
  request.finalAmounts.forEach((final, i) => {
    const commitment = byId.get(final.commitmentId);
    if (commitment === undefined) {
      invalid('REFERENCED_RESOURCE_NOT_FOUND', `/finalAmounts/${i}/commitmentId`, `is not a commitment of this decision`);
    } else if (named.has(final.commitmentId)) {
      invalid('VALIDATION_FAILED', `/finalAmounts/${i}/commitmentId`, `names the commitment of /finalAmounts/${named.get(final.commitmentId)} again`);
    } else if (final.amountCents > commitment.amountCents) {
      invalid('AMOUNT_OUT_OF_RANGE', `/finalAmounts/${i}/amountCents`, `must not exceed the committed ${commitment.amountCents}`);
    }
    if (!named.has(final.commitmentId)) named.set(final.commitmentId, i);
  });
  facts.commitments.forEach((c) => {
    if (!named.has(c.id)) invalid('VALIDATION_FAILED', '/finalAmounts', `must name commitment ${c.id}`);
  });
  const earliest = facts.bindingSince ?? facts.today;
  if (request.settledOn < earliest || request.settledOn > facts.today) {
    invalid('SETTLEMENT_DATE_OUT_OF_RANGE', '/settledOn', `must be between ${earliest} and ${facts.today}`);
  }

  const finals = new Map(request.finalAmounts.map((f) => [f.commitmentId, f.amountCents]));
  const belowPaid = facts.commitments.flatMap((c) => {
    const final = finals.get(c.id);
    return final !== undefined && final < c.disbursedCents ? [{ i: named.get(c.id)!, c, final }] : [];
  });
  if (belowPaid.length > 0) {
    problems.add(new DomainError(
      'AMOUNT_BELOW_DISBURSED',
      `A final amount is below what was already paid: ${belowPaid
        .map(({ c, final }) => `commitment ${c.id}: final ${describeCents(final)}, paid ${describeCents(c.disbursedCents)}`)
        .join('; ')}.`,
      belowPaid.map(({ i, c }) => ({ path: `/finalAmounts/${i}/amountCents`, message: `must be at least the ${c.disbursedCents} already paid` })),
    ));
  }
  problems.throwIfAny();
  return finals;
}
