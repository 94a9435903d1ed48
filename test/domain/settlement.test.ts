import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import { decideSettlement, type SettlementFacts, type SettlementRequest } from '../../src/domain/settlement.js';

/** Settlement (vaststelling): every check in its order, as a table. Today is 2026-04-15. */
const TODAY = '2026-04-15';

function facts(overrides: Partial<SettlementFacts> = {}): SettlementFacts {
  return {
    status: 'ratified',
    liveAmendmentId: null,
    bindingSince: '2026-02-12',
    today: TODAY,
    commitments: [
      { id: 'a', amountCents: 1_000, disbursedCents: 400 },
      { id: 'b', amountCents: 500, disbursedCents: 0 },
    ],
    ...overrides,
  };
}

const request = (finals: [string, number][], settledOn = '2026-04-10'): SettlementRequest => ({
  settledOn,
  finalAmounts: finals.map(([commitmentId, amountCents]) => ({ commitmentId, amountCents })),
});

function outcome(f: SettlementFacts, r: SettlementRequest): string {
  try {
    return `ok ${[...decideSettlement(f, r).entries()].map(([k, v]) => `${k}=${v}`).join(' ')}`;
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.code} ${(error.errors ?? []).map((e) => e.path).join(',')}`.trim();
    throw error;
  }
}

const CASES: [string, SettlementFacts, SettlementRequest, string][] = [
  ['final amounts below the commitments', facts(), request([['a', 900], ['b', 0]]), 'ok a=900 b=0'],
  ['final amounts equal to the commitments', facts(), request([['b', 500], ['a', 1_000]]), 'ok b=500 a=1000'],
  ['a final amount equal to what was paid', facts(), request([['a', 400], ['b', 500]]), 'ok a=400 b=500'],
  ['on an adopted decision', facts({ status: 'adopted' }), request([['a', 900], ['b', 0]]), 'ok a=900 b=0'],
  ['on the day the decision began to bind, and today', facts(), request([['a', 900], ['b', 0]], '2026-02-12'), 'ok a=900 b=0'],
  ['on a draft', facts({ status: 'draft' }), request([['a', 900], ['b', 0]]), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['on a pending decision', facts({ status: 'pending_ratification' }), request([['a', 900], ['b', 0]]), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['twice', facts({ status: 'settled' }), request([['a', 900], ['b', 0]]), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['a superseded decision', facts({ status: 'superseded' }), request([['a', 900], ['b', 0]]), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['with a live amendment', facts({ liveAmendmentId: 'x' }), request([['a', 900], ['b', 0]]), '409 AMENDMENT_IN_PROGRESS'],
  ['state before input: a draft with nonsense', facts({ status: 'draft' }), request([['zz', 1]], '2030-01-01'), '409 DECISION_TRANSITION_NOT_ALLOWED'],
  ['a commitment left out', facts(), request([['a', 900]]), '400 VALIDATION_FAILED /finalAmounts'],
  ['a commitment named twice', facts(), request([['a', 900], ['b', 0], ['a', 800]]), '400 VALIDATION_FAILED /finalAmounts/2/commitmentId'],
  ['a commitment of another decision', facts(), request([['a', 900], ['b', 0], ['zz', 1]]), '400 REFERENCED_RESOURCE_NOT_FOUND /finalAmounts/2/commitmentId'],
  ['a final amount above the commitment', facts(), request([['a', 1_001], ['b', 0]]), '400 AMOUNT_OUT_OF_RANGE /finalAmounts/0/amountCents'],
  ['settled tomorrow', facts(), request([['a', 900], ['b', 0]], '2026-04-16'), '400 SETTLEMENT_DATE_OUT_OF_RANGE /settledOn'],
  ['settled before the decision bound', facts(), request([['a', 900], ['b', 0]], '2026-02-11'), '400 SETTLEMENT_DATE_OUT_OF_RANGE /settledOn'],
  [
    'every input problem at once',
    facts(),
    request([['a', 1_001], ['zz', 1]], '2026-04-16'),
    '400 AMOUNT_OUT_OF_RANGE /finalAmounts/0/amountCents,/finalAmounts/1/commitmentId,/finalAmounts,/settledOn',
  ],
  ['input problems and money already paid at once, input first', facts(), request([['a', 100]]), '400 VALIDATION_FAILED /finalAmounts,/finalAmounts/0/amountCents'],
  ['a live amendment with a bad date: the amendment first', facts({ liveAmendmentId: 'x' }), request([['a', 900], ['b', 0]], '2026-04-16'), '409 AMENDMENT_IN_PROGRESS /,/settledOn'],
  ['a final amount below what was paid', facts(), request([['a', 399], ['b', 0]]), '409 AMOUNT_BELOW_DISBURSED /finalAmounts/0/amountCents'],
];

for (const [name, f, r, expected] of CASES) {
  t.test(name, async (t) => t.equal(outcome(f, r), expected));
}

t.test('the refusal below what was paid names both amounts', async (t) => {
  t.throws(() => decideSettlement(facts(), request([['a', 399], ['b', 0]])), { message: /final EUR 3\.99 \(399 cents\), paid EUR 4\.00 \(400 cents\)/ });
});
