import t from 'tap';
import { assertAmendable, assertSettleableWithoutAmendment, carryOver, isLiveAmendment, type AmendmentCommitment } from '../../src/domain/amendments.js';
import { DECISION_STATUSES, type DecisionStatus } from '../../src/domain/decision-lifecycle.js';
import { DomainError } from '../../src/domain/errors.js';
import { requiresRatification } from '../../src/domain/ratification.js';

/** Amendments (wijzigingsbesluit): who may be amended, and where money already paid goes. */
function outcome(fn: () => unknown): string {
  try {
    const value = fn();
    return value instanceof Map ? `ok ${[...value.entries()].map(([k, v]) => `${k}=${v}`).join(' ')}` : 'ok';
  } catch (error) {
    if (error instanceof DomainError) return `${error.status} ${error.code}`;
    throw error;
  }
}

t.test('only an adopted or ratified decision without a live amendment may be amended', async (t) => {
  const amendable: DecisionStatus[] = ['adopted', 'ratified'];
  for (const status of DECISION_STATUSES) {
    t.equal(outcome(() => assertAmendable(status, null)), amendable.includes(status) ? 'ok' : '409 DECISION_TRANSITION_NOT_ALLOWED', status);
    if (amendable.includes(status)) t.equal(outcome(() => assertAmendable(status, 'other')), '409 AMENDMENT_IN_PROGRESS', `${status} with a live amendment`);
  }
});

t.test('a live amendment is one in draft or awaiting ratification; settling waits for it', async (t) => {
  t.same(DECISION_STATUSES.filter(isLiveAmendment), ['draft', 'pending_ratification']);
  t.equal(outcome(() => assertSettleableWithoutAmendment('a')), '409 AMENDMENT_IN_PROGRESS');
  t.equal(outcome(() => assertSettleableWithoutAmendment(null)), 'ok');
});

const amendment = (...items: [string, string, number, number][]): AmendmentCommitment[] =>
  items.map(([id, programmeId, year, amountCents]) => ({ id, programmeId, year, amountCents }));
const paid = (...items: [string, number, number][]) => items.map(([programmeId, year, disbursedCents]) => ({ programmeId, year, disbursedCents }));

const CARRY: [string, ReturnType<typeof paid>, AmendmentCommitment[], string][] = [
  ['nothing paid: nothing carried', paid(['p', 2026, 0]), amendment(['a', 'p', 2026, 100]), 'ok a=0'],
  ['paid money lands on the commitment of the same programme and year', paid(['p', 2026, 60]), amendment(['a', 'p', 2026, 100], ['b', 'p', 2027, 100]), 'ok a=60 b=0'],
  ['exactly what was paid is enough', paid(['p', 2026, 100]), amendment(['a', 'p', 2026, 100]), 'ok a=100'],
  ['two paid commitments of one programme and year add up', paid(['p', 2026, 30], ['p', 2026, 40]), amendment(['a', 'p', 2026, 100]), 'ok a=70'],
  ['spread over two commitments of the amendment, in order', paid(['p', 2026, 150]), amendment(['a', 'p', 2026, 100], ['b', 'p', 2026, 100]), 'ok a=100 b=50'],
  ['less than was paid', paid(['p', 2026, 101]), amendment(['a', 'p', 2026, 100]), '409 AMOUNT_BELOW_DISBURSED'],
  ['a paid year the amendment drops', paid(['p', 2027, 1]), amendment(['a', 'p', 2026, 100]), '409 AMOUNT_BELOW_DISBURSED'],
  ['another programme does not count', paid(['q', 2026, 1]), amendment(['a', 'p', 2026, 100]), '409 AMOUNT_BELOW_DISBURSED'],
  ['a dropped year that was never paid is fine', paid(['p', 2027, 0]), amendment(['a', 'p', 2026, 100]), 'ok a=0'],
];
for (const [name, before, after, expected] of CARRY) {
  t.test(`carry-over: ${name}`, async (t) => t.equal(outcome(() => carryOver(before, after)), expected));
}

t.test('a shortfall names the programme, the year and both amounts', async (t) => {
  t.throws(() => carryOver(paid(['p', 2026, 150], ['q', 2027, 5]), amendment(['a', 'p', 2026, 100])), {
    message: /programme p in 2026: EUR 1\.50 \(150 cents\) was paid, the amendment commits EUR 1\.00 \(100 cents\); programme q in 2027/,
  });
});

t.test('an amendment needs the colleges again only for an increase that reaches the threshold', async (t) => {
  const rule = { thresholdCents: 10_000_000 };
  t.equal(requiresRatification(25_000_000, rule, 20_250_000), true, 'AMKB raised to EUR 250,000');
  t.equal(requiresRatification(15_000_000, rule, 20_250_000), false, 'lowered: binds at once');
  t.equal(requiresRatification(20_250_000, rule, 20_250_000), false, 'the same total: binds at once');
  t.equal(requiresRatification(9_000_000, rule, 5_000_000), false, 'an increase below the threshold');
  t.equal(requiresRatification(10_000_000, rule, 5_000_000), true, 'an increase onto the threshold');
  t.equal(requiresRatification(10_000_000, rule, null), true, 'no amendment: the threshold alone');
});
