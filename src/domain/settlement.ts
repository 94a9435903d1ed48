import { assertSettleableWithoutAmendment } from './amendments.js';
import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';
import { DomainError, type ErrorCode, type FieldError } from './errors.js';
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

interface Problem extends FieldError {
  code: ErrorCode;
}

/** Every problem at once; the code of them all when they share one, else VALIDATION_FAILED. */
function invalid(problems: readonly Problem[]): DomainError {
  const codes = new Set(problems.map((p) => p.code));
  const code = codes.size === 1 ? problems[0]!.code : 'VALIDATION_FAILED';
  return new DomainError(
    code,
    `The settlement is not valid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
    problems.map(({ path, message }) => ({ path, message })),
  );
}

/**
 * Checks a settlement in this order and returns the final amount per commitment id: 409 when the
 * decision is not adopted or ratified, 409 while an amendment of it is live, 400 for every
 * problem of the input at once (`finalAmounts` must name each commitment exactly once, a final
 * amount may not exceed the commitment, `settledOn` lies between the day the decision began to
 * bind and today), 409 when a final amount is below what was already paid.
 */
export function decideSettlement(facts: SettlementFacts, request: SettlementRequest): Map<string, Cents> {
  assertTransition(facts.status, 'settle', 'settled');
  assertSettleableWithoutAmendment(facts.liveAmendmentId);
  const problems: Problem[] = [];
  const byId = new Map(facts.commitments.map((c) => [c.id, c]));
  const named = new Map<string, number>();
  request.finalAmounts.forEach((final, i) => {
    const commitment = byId.get(final.commitmentId);
    if (commitment === undefined) {
      problems.push({ code: 'REFERENCED_RESOURCE_NOT_FOUND', path: `/finalAmounts/${i}/commitmentId`, message: `is not a commitment of this decision` });
    } else if (named.has(final.commitmentId)) {
      problems.push({ code: 'VALIDATION_FAILED', path: `/finalAmounts/${i}/commitmentId`, message: `names the commitment of /finalAmounts/${named.get(final.commitmentId)} again` });
    } else if (final.amountCents > commitment.amountCents) {
      problems.push({ code: 'AMOUNT_OUT_OF_RANGE', path: `/finalAmounts/${i}/amountCents`, message: `must not exceed the committed ${commitment.amountCents}` });
    }
    if (!named.has(final.commitmentId)) named.set(final.commitmentId, i);
  });
  facts.commitments.forEach((c) => {
    if (!named.has(c.id)) problems.push({ code: 'VALIDATION_FAILED', path: '/finalAmounts', message: `must name commitment ${c.id}` });
  });
  const earliest = facts.bindingSince ?? facts.today;
  if (request.settledOn < earliest || request.settledOn > facts.today) {
    problems.push({ code: 'SETTLEMENT_DATE_OUT_OF_RANGE', path: '/settledOn', message: `must be between ${earliest} and ${facts.today}` });
  }
  if (problems.length > 0) throw invalid(problems);

  const finals = new Map(request.finalAmounts.map((f) => [f.commitmentId, f.amountCents]));
  const belowPaid = facts.commitments.flatMap((c) => {
    const final = finals.get(c.id)!;
    return final < c.disbursedCents ? [{ i: named.get(c.id)!, c, final }] : [];
  });
  if (belowPaid.length > 0) {
    throw new DomainError(
      'AMOUNT_BELOW_DISBURSED',
      `A final amount is below what was already paid: ${belowPaid
        .map(({ c, final }) => `commitment ${c.id}: final ${describeCents(final)}, paid ${describeCents(c.disbursedCents)}`)
        .join('; ')}.`,
      belowPaid.map(({ i, c }) => ({ path: `/finalAmounts/${i}/amountCents`, message: `must be at least the ${c.disbursedCents} already paid` })),
    );
  }
  return finals;
}
