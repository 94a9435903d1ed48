import t from 'tap';
import { eszlShareBasisPoints, fundingTotals, fundingYear, fundingYears, NO_MONEY, sumFigures } from '../../src/domain/funding.js';
import { describeCents } from '../../src/domain/money.js';

t.test('remaining money is binding minus disbursed', async (t) => {
  const year = fundingYear(2026, { ...NO_MONEY, bindingCents: 24_000_000, disbursedCents: 10_000_000, releasedCents: 1_000_000 });
  t.same(year, {
    year: 2026,
    bindingCents: 24_000_000,
    pendingCents: 0,
    disbursedCents: 10_000_000,
    releasedCents: 1_000_000,
    remainingCents: 14_000_000,
    coFinancingCents: 0,
    eszlShareBasisPoints: 10_000,
  });
});

t.test("ESZL's share in basis points, rounded half up", async (t) => {
  const CASES: [number, number, number | null][] = [
    [0, 0, null],
    [100, 0, 10_000],
    [0, 100, 0],
    [100, 100, 5_000],
    [1, 2, 3_333],
    [2, 1, 6_667],
    [1, 19_999, 1],
    [1, 20_001, 0],
    [14_000_000, 28_000_000, 3_333],
    [Number.MAX_SAFE_INTEGER, 1, 10_000],
  ];
  for (const [binding, co, expected] of CASES) t.equal(eszlShareBasisPoints(binding, co), expected, `${binding} of ${binding + co}`);
});

t.test('years in order, and totals that are the sums of the years', async (t) => {
  const years = fundingYears(
    new Map([
      [2027, { ...NO_MONEY, bindingCents: 25_000_000 }],
      [2026, { ...NO_MONEY, bindingCents: 14_000_000, disbursedCents: 7_000_000, coFinancingCents: 14_000_000, pendingCents: 5 }],
    ]),
  );
  t.same(years.map((y) => y.year), [2026, 2027]);
  t.same(fundingTotals(years), {
    totalBindingCents: 39_000_000,
    totalPendingCents: 5,
    totalDisbursedCents: 7_000_000,
    totalReleasedCents: 0,
    totalRemainingCents: 32_000_000,
    totalCoFinancingCents: 14_000_000,
  });
  t.same(sumFigures([]), NO_MONEY);
});

t.test('amounts in problem details are exact to the cent', async (t) => {
  t.equal(describeCents(0), 'EUR 0.00 (0 cents)');
  t.equal(describeCents(20_250_000), 'EUR 202,500.00 (20250000 cents)');
  t.equal(describeCents(1), 'EUR 0.01 (1 cents)');
  t.equal(describeCents(-150), '-EUR 1.50 (-150 cents)');
});
