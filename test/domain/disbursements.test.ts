import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import {
  committedCents,
  decideDisbursement,
  payableCents,
  releasedCents,
  type DisbursementFacts,
  type DisbursementRequest,
  type PayableCommitment,
} from '../../src/domain/disbursements.js';

/** Payments (voorschot, betaling): every check in its order, as a table. Today is 2026-03-01. */
const TODAY = '2026-03-01';
const C2026: PayableCommitment = { id: 'c-2026', programmeId: 'p', year: 2026, amountCents: 1_000_000, finalAmountCents: null, disbursedCents: 0 };
const C2027: PayableCommitment = { id: 'c-2027', programmeId: 'p', year: 2027, amountCents: 500_000, finalAmountCents: null, disbursedCents: 0 };

function facts(overrides: Partial<DisbursementFacts> = {}): DisbursementFacts {
  return { status: 'ratified', bindingSince: '2026-02-20', today: TODAY, commitments: [C2026, C2027], conditions: [], ...overrides };
}

const request = (overrides: Partial<DisbursementRequest> = {}): DisbursementRequest => ({
  commitmentId: 'c-2026',
  amountCents: 400_000,
  paidOn: '2026-02-25',
  ...overrides,
});

function outcome(f: DisbursementFacts, r: DisbursementRequest): string {
  try {
    return `ok ${decideDisbursement(f, r).id}`;
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.code}`;
    throw error;
  }
}

const blocking = { id: 'k1', description: 'Meetbare resultaatcriteria', fulfilledOn: null, blocksDisbursement: true };

const CASES: [string, DisbursementFacts, DisbursementRequest, string][] = [
  ['a payment within the commitment on a ratified decision', facts(), request(), 'ok c-2026'],
  ['on an adopted decision', facts({ status: 'adopted' }), request(), 'ok c-2026'],
  ['on a settled decision, within the final amount', facts({ status: 'settled', commitments: [{ ...C2026, finalAmountCents: 600_000 }] }), request({ amountCents: 600_000 }), 'ok c-2026'],
  ['the whole commitment at once', facts(), request({ amountCents: 1_000_000 }), 'ok c-2026'],
  ['on the day the decision began to bind', facts(), request({ paidOn: '2026-02-20' }), 'ok c-2026'],
  ['today', facts(), request({ paidOn: TODAY }), 'ok c-2026'],
  ['on a draft', facts({ status: 'draft', bindingSince: null }), request(), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['on a decision awaiting ratification', facts({ status: 'pending_ratification', bindingSince: null }), request(), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['on a rejected decision', facts({ status: 'rejected', bindingSince: null }), request(), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['on a withdrawn decision', facts({ status: 'withdrawn', bindingSince: null }), request(), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['on a superseded decision', facts({ status: 'superseded' }), request(), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['state before the commitment: a draft with an unknown commitment', facts({ status: 'draft' }), request({ commitmentId: 'x' }), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['a commitment of another decision', facts(), request({ commitmentId: 'x' }), '400 REFERENCED_RESOURCE_NOT_FOUND'],
  ['the commitment before the date: unknown commitment, date tomorrow', facts(), request({ commitmentId: 'x', paidOn: '2026-03-02' }), '400 REFERENCED_RESOURCE_NOT_FOUND'],
  ['paid the day before the decision bound', facts(), request({ paidOn: '2026-02-19' }), '400 DISBURSEMENT_DATE_OUT_OF_RANGE'],
  ['paid tomorrow', facts(), request({ paidOn: '2026-03-02' }), '400 DISBURSEMENT_DATE_OUT_OF_RANGE'],
  ['the date before the blocking condition', facts({ conditions: [blocking] }), request({ paidOn: '2026-03-02' }), '400 DISBURSEMENT_DATE_OUT_OF_RANGE'],
  ['an open blocking condition', facts({ conditions: [blocking] }), request(), '409 CONDITION_BLOCKS_DISBURSEMENT'],
  ['a fulfilled blocking condition', facts({ conditions: [{ ...blocking, fulfilledOn: '2026-02-21' }] }), request(), 'ok c-2026'],
  ['paid before the day the blocking condition was fulfilled', facts({ conditions: [{ ...blocking, fulfilledOn: '2026-02-26' }] }), request({ paidOn: '2026-02-25' }), '409 DISBURSEMENT_BLOCKED'],
  ['paid on the day the blocking condition was fulfilled', facts({ conditions: [{ ...blocking, fulfilledOn: '2026-02-26' }] }), request({ paidOn: '2026-02-26' }), 'ok c-2026'],
  ['a condition that does not block, fulfilled after paidOn', facts({ conditions: [{ ...blocking, blocksDisbursement: false, fulfilledOn: '2026-02-26' }] }), request({ paidOn: '2026-02-25' }), 'ok c-2026'],
  ['the blocked date before the amount', facts({ conditions: [{ ...blocking, fulfilledOn: '2026-02-26' }] }), request({ paidOn: '2026-02-25', amountCents: 2_000_000 }), '409 DISBURSEMENT_BLOCKED'],
  ['an open condition that does not block', facts({ conditions: [{ ...blocking, blocksDisbursement: false }] }), request(), 'ok c-2026'],
  ['the condition before the amount', facts({ conditions: [blocking] }), request({ amountCents: 2_000_000 }), '409 CONDITION_BLOCKS_DISBURSEMENT'],
  ['one cent above the commitment', facts(), request({ amountCents: 1_000_001 }), '409 DISBURSEMENT_EXCEEDS_COMMITMENT'],
  ['above what remains after earlier payments', facts({ commitments: [{ ...C2026, disbursedCents: 700_000 }] }), request({ amountCents: 300_001 }), '409 DISBURSEMENT_EXCEEDS_COMMITMENT'],
  ['exactly what remains', facts({ commitments: [{ ...C2026, disbursedCents: 700_000 }] }), request({ amountCents: 300_000 }), 'ok c-2026'],
  ['above the final amount once settled', facts({ status: 'settled', commitments: [{ ...C2026, finalAmountCents: 600_000 }] }), request({ amountCents: 600_001 }), '409 DISBURSEMENT_EXCEEDS_COMMITMENT'],
  ['within a pending amendment', facts({ pendingAmendment: [{ programmeId: 'p', year: 2026, amountCents: 400_000 }] }), request({ amountCents: 400_000 }), 'ok c-2026'],
  ['beyond what a pending amendment leaves room for', facts({ pendingAmendment: [{ programmeId: 'p', year: 2026, amountCents: 400_000 }] }), request({ amountCents: 400_001 }), '409 DISBURSEMENT_EXCEEDS_COMMITMENT'],
  ['a year the pending amendment drops', facts({ pendingAmendment: [{ programmeId: 'p', year: 2026, amountCents: 400_000 }] }), request({ commitmentId: 'c-2027', amountCents: 1 }), '409 DISBURSEMENT_EXCEEDS_COMMITMENT'],
];

for (const [name, f, r, expected] of CASES) {
  t.test(name, async (t) => t.equal(outcome(f, r), expected));
}

t.test('the refusal of an amount above what remains names the remaining amount', async (t) => {
  const f = facts({ commitments: [{ ...C2026, disbursedCents: 700_000 }] });
  t.throws(() => decideDisbursement(f, request({ amountCents: 300_001 })), { code: 'DISBURSEMENT_EXCEEDS_COMMITMENT', message: /EUR 3,000\.00 \(300000 cents\) remains/ });
});

t.test('the refusal of a blocked payment names the condition', async (t) => {
  t.throws(() => decideDisbursement(facts({ conditions: [blocking] }), request()), { message: /k1/ });
});

t.test('a date out of range names /paidOn', async (t) => {
  t.throws(() => decideDisbursement(facts(), request({ paidOn: '2026-03-02' })), { errors: [{ path: '/paidOn' }] });
});

t.test('committed, released and payable amounts', async (t) => {
  t.equal(committedCents({ amountCents: 100, finalAmountCents: null }), 100);
  t.equal(committedCents({ amountCents: 100, finalAmountCents: 0 }), 0, 'a final amount of 0 binds nothing');
  t.equal(releasedCents({ amountCents: 100, finalAmountCents: 60 }), 40);
  t.equal(releasedCents({ amountCents: 100, finalAmountCents: null }), 0, 'only settlement releases money');
  const paidBoth = { commitments: [{ ...C2026, disbursedCents: 300 }, { ...C2026, id: 'twin', disbursedCents: 200 }] };
  t.equal(payableCents(paidBoth.commitments[0]!, { ...paidBoth, pendingAmendment: [{ programmeId: 'p', year: 2026, amountCents: 1_000 }] }), 500, 'the amendment room counts both commitments of the programme and year');
  t.equal(payableCents(paidBoth.commitments[0]!, { ...paidBoth, pendingAmendment: [{ programmeId: 'p', year: 2026, amountCents: 400 }] }), 0, 'never below 0');
});
