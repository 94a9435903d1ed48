import t from 'tap';
import { MAX_AMOUNT_CENTS, sumCents } from '../../src/domain/money.js';
import { attempt, refused } from '../helpers/attempt.js';

// ---------------------------------------------------------------------------------------------
// sumCents
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
