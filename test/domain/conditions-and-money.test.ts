import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import type { DecisionStatus } from '../../src/domain/decision-lifecycle.js';
import { assertConditionFulfillable, conditionStatus, type ConditionState } from '../../src/domain/conditions.js';
import { MAX_AMOUNT_CENTS, isPositiveCents, sumCents } from '../../src/domain/money.js';
import { amsterdamDateOf, fixedClock, isCalendarDate, todayInAmsterdam } from '../../src/domain/clock.js';

type Attempt =
  | { returned: unknown }
  | { threw: 'DomainError'; code: string; status: number }
  | { threw: 'Error'; message: string };

function attempt(fn: () => unknown): Attempt {
  try {
    return { returned: fn() };
  } catch (error) {
    if (error instanceof DomainError) return { threw: 'DomainError', code: error.code, status: error.status };
    if (error instanceof Error) return { threw: 'Error', message: error.message };
    throw error;
  }
}

const refused = (code: string, status: number): Attempt => ({ threw: 'DomainError', code, status });
const OK: Attempt = { returned: undefined };

const TODAY = '2026-02-15';

function openCondition(overrides: Partial<ConditionState> = {}): ConditionState {
  return { dueDate: '2026-03-31', fulfilledOn: null, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// conditionStatus
// ---------------------------------------------------------------------------------------------

t.test('an open condition that was due yesterday is overdue', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-02-14' }), TODAY), 'overdue');
});

t.test('an open condition that is due today is still open', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-02-15' }), TODAY), 'open');
});

t.test('an open condition that is due tomorrow is open', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-02-16' }), TODAY), 'open');
});

t.test('a fulfilled condition whose due date has long passed is fulfilled, not overdue', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2025-06-30', fulfilledOn: '2025-09-01' }), TODAY), 'fulfilled');
});

t.test('a fulfilled condition not yet due is fulfilled', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-12-31', fulfilledOn: '2026-02-01' }), TODAY), 'fulfilled');
});

t.test('a condition due on new year\'s eve is overdue on new year\'s day', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2025-12-31' }), '2026-01-01'), 'overdue');
  t.equal(conditionStatus(openCondition({ dueDate: '2025-12-31' }), '2025-12-31'), 'open');
});

// ---------------------------------------------------------------------------------------------
// assertConditionFulfillable
// ---------------------------------------------------------------------------------------------

const FULFILLABLE_IN: Record<DecisionStatus, boolean> = {
  draft: false,
  pending_ratification: true,
  adopted: true,
  ratified: true,
  rejected: false,
  withdrawn: false,
  superseded: false,
  settled: false,
};

for (const [state, allowed] of Object.entries(FULFILLABLE_IN) as Array<[DecisionStatus, boolean]>) {
  const sentence = allowed
    ? `lets an open condition of a '${state}' decision be fulfilled`
    : `refuses to fulfil a condition of a '${state}' decision with 409 DECISION_TRANSITION_NOT_ALLOWED`;
  t.test(sentence, async (t) => {
    t.same(
      attempt(() => assertConditionFulfillable(state, openCondition(), '2026-02-10', TODAY)),
      allowed ? OK : refused('DECISION_TRANSITION_NOT_ALLOWED', 409),
    );
  });
}

for (const state of ['pending_ratification', 'adopted', 'ratified'] as const) {
  t.test(`refuses to fulfil an already fulfilled condition of a '${state}' decision with 409 CONDITION_NOT_FULFILLABLE`, async (t) => {
    t.same(
      attempt(() => assertConditionFulfillable(state, openCondition({ fulfilledOn: '2026-02-01' }), '2026-02-10', TODAY)),
      refused('CONDITION_NOT_FULFILLABLE', 409),
    );
  });
}

t.test('refuses a fulfilment dated after today with 400 CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', async (t) => {
  t.same(
    attempt(() => assertConditionFulfillable('adopted', openCondition(), '2026-02-16', TODAY)),
    refused('CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', 400),
  );
  try {
    assertConditionFulfillable('adopted', openCondition(), '2026-02-16', TODAY);
  } catch (error) {
    t.match(error, { errors: [{ path: '/fulfilledOn' }] }, 'points at /fulfilledOn');
  }
});

t.test('accepts a fulfilment dated today', async (t) => {
  t.same(attempt(() => assertConditionFulfillable('adopted', openCondition(), TODAY, TODAY)), OK);
});

t.test('accepts a fulfilment of an overdue condition, dated in the past', async (t) => {
  t.same(attempt(() => assertConditionFulfillable('ratified', openCondition({ dueDate: '2026-01-01' }), '2025-12-01', TODAY)), OK);
});

t.test('a fulfilment on a withdrawn decision of an already fulfilled condition is a transition error', async (t) => {
  t.same(
    attempt(() => assertConditionFulfillable('withdrawn', openCondition({ fulfilledOn: '2026-02-01' }), '2026-02-10', TODAY)),
    refused('DECISION_TRANSITION_NOT_ALLOWED', 409),
  );
});

// ---------------------------------------------------------------------------------------------
// todayInAmsterdam
// ---------------------------------------------------------------------------------------------

const amsterdamToday = (instant: string): string => todayInAmsterdam(fixedClock(instant));

t.test('in winter (UTC+1) the Amsterdam date turns at 23:00 UTC', async (t) => {
  t.equal(amsterdamToday('2026-02-14T22:59:59Z'), '2026-02-14');
  t.equal(amsterdamToday('2026-02-14T23:00:00Z'), '2026-02-15');
  t.equal(amsterdamToday('2026-02-14T23:30:00Z'), '2026-02-15');
  t.equal(amsterdamToday('2026-02-15T00:30:00Z'), '2026-02-15');
  t.equal(amsterdamToday('2026-02-15T22:59:59.999Z'), '2026-02-15');
});

t.test('in summer (UTC+2) the Amsterdam date turns at 22:00 UTC', async (t) => {
  t.equal(amsterdamToday('2026-07-14T21:59:59Z'), '2026-07-14');
  t.equal(amsterdamToday('2026-07-14T22:00:00Z'), '2026-07-15');
  t.equal(amsterdamToday('2026-07-14T23:30:00Z'), '2026-07-15');
  t.equal(amsterdamToday('2026-07-15T00:30:00Z'), '2026-07-15');
});

t.test('new year arrives in Amsterdam an hour before it does in UTC', async (t) => {
  t.equal(amsterdamToday('2025-12-31T22:59:59Z'), '2025-12-31');
  t.equal(amsterdamToday('2025-12-31T23:00:00Z'), '2026-01-01');
});

t.test('the days on which daylight saving time starts and ends still begin at local midnight', async (t) => {
  t.equal(amsterdamToday('2026-03-28T22:59:59Z'), '2026-03-28', 'the evening before summer time starts');
  t.equal(amsterdamToday('2026-03-28T23:00:00Z'), '2026-03-29', 'summer time starts on 2026-03-29');
  t.equal(amsterdamToday('2026-10-24T21:59:59Z'), '2026-10-24', 'the evening before winter time starts');
  t.equal(amsterdamToday('2026-10-24T22:00:00Z'), '2026-10-25', 'winter time starts on 2026-10-25');
});

t.test('a fixed clock accepts a Date and cannot be moved by mutating what it returns', async (t) => {
  const clock = fixedClock(new Date('2026-02-14T23:30:00Z'));
  clock.now().setUTCFullYear(1999);
  t.equal(clock.now().toISOString(), '2026-02-14T23:30:00.000Z');
  t.equal(todayInAmsterdam(clock), '2026-02-15');
  t.equal(amsterdamDateOf(new Date('2026-07-14T22:00:00Z')), '2026-07-15');
});

// ---------------------------------------------------------------------------------------------
// isCalendarDate
// ---------------------------------------------------------------------------------------------

t.test('recognises real calendar dates and refuses impossible or malformed ones', async (t) => {
  const cases: Array<[string, boolean]> = [
    ['2026-02-15', true],
    ['2026-02-28', true],
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2000-02-29', true],
    ['2100-02-29', false],
    ['2026-04-30', true],
    ['2026-04-31', false],
    ['2026-12-31', true],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['2026-1-01', false],
    ['2026-01-1', false],
    ['26-01-01', false],
    ['2026/01/01', false],
    ['2026-01-01T00:00:00Z', false],
    [' 2026-01-01', false],
    ['2026-01-01\n', false],
    ['', false],
  ];
  for (const [value, expected] of cases) t.equal(isCalendarDate(value), expected, JSON.stringify(value));
});

// ---------------------------------------------------------------------------------------------
// sumCents and isPositiveCents
// ---------------------------------------------------------------------------------------------

t.test('sums amounts of cents exactly', async (t) => {
  t.equal(sumCents([]), 0);
  t.equal(sumCents([1, 2, 3]), 6);
  t.equal(sumCents([5_000_000, 4_999_999, 1]), 10_000_000);
  t.equal(sumCents([Number.MAX_SAFE_INTEGER - 1, 1]), 9_007_199_254_740_991);
  t.equal(sumCents([Number.MAX_SAFE_INTEGER]), 9_007_199_254_740_991);
});

t.test('detects a sum beyond MAX_SAFE_INTEGER with 400 AMOUNT_OUT_OF_RANGE instead of rounding', async (t) => {
  t.same(attempt(() => sumCents([Number.MAX_SAFE_INTEGER, 1])), refused('AMOUNT_OUT_OF_RANGE', 400));
  t.same(
    attempt(() => sumCents([4_503_599_627_370_496, 4_503_599_627_370_496])),
    refused('AMOUNT_OUT_OF_RANGE', 400),
    '2^52 + 2^52 = 2^53 is one past the safe range',
  );
  t.same(
    attempt(() => sumCents(Array.from({ length: 9008 }, () => MAX_AMOUNT_CENTS))),
    refused('AMOUNT_OUT_OF_RANGE', 400),
    'many maximal amounts',
  );
});

t.test('refuses amounts that are not integer numbers of cents with 400 AMOUNT_OUT_OF_RANGE', async (t) => {
  const bad = [1.5, 0.1, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53];
  for (const value of bad) {
    t.same(attempt(() => sumCents([100, value])), refused('AMOUNT_OUT_OF_RANGE', 400), String(value));
  }
});

t.test('the largest single amount is EUR 10 billion', async (t) => {
  t.equal(MAX_AMOUNT_CENTS, 1_000_000_000_000);
});

t.test('recognises positive amounts of cents up to the maximum and nothing else', async (t) => {
  const cases: Array<[number, boolean]> = [
    [0, false],
    [-0, false],
    [-1, false],
    [1, true],
    [10_000_000, true],
    [999_999_999_999, true],
    [1_000_000_000_000, true],
    [1_000_000_000_001, false],
    [Number.MAX_SAFE_INTEGER, false],
    [0.5, false],
    [1.5, false],
    [Number.NaN, false],
    [Number.POSITIVE_INFINITY, false],
  ];
  for (const [value, expected] of cases) t.equal(isPositiveCents(value), expected, String(value));
});
