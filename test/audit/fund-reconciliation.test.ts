import t from 'tap';
import { reconcileFund, type SnapshotMoney } from '../../src/audit/fund-reconciliation.js';

/**
 * The fund reconciled from a snapshot's lists, by the register's rules: settled commitments at
 * their final amount, a pending amendment only by its increase, superseded and withdrawn money
 * not at all, payments by the year of the commitment paid on.
 */
const P = 'programme-1';
const commitment = (id: string, year: number, amountCents: number, finalAmountCents: number | null = null) => ({ id, programmeId: P, year, amountCents, finalAmountCents });

function register(fundYears: SnapshotMoney['fund']['years']): SnapshotMoney {
  return {
    fundContributions: [
      { year: 2026, amountCents: 50_000_000 },
      { year: 2026, amountCents: 10_000_000 },
      { year: 2027, amountCents: 30_000_000 },
    ],
    decisions: [
      { id: 'settled', status: 'settled', amends: null, commitments: [commitment('c1', 2026, 8_000_000, 6_000_000)] },
      { id: 'superseded', status: 'superseded', amends: null, commitments: [commitment('c2', 2027, 12_000_000)] },
      { id: 'amending', status: 'ratified', amends: 'superseded', commitments: [commitment('c3', 2027, 11_000_000)] },
      { id: 'increase', status: 'pending_ratification', amends: 'amending', commitments: [commitment('c4', 2027, 15_000_000)] },
      { id: 'withdrawn', status: 'withdrawn', amends: null, commitments: [commitment('c5', 2026, 99_000_000)] },
      { id: 'new', status: 'pending_ratification', amends: null, commitments: [commitment('c6', 2026, 20_000_000)] },
    ],
    disbursements: [
      { commitmentId: 'c1', amountCents: 2_000_000 },
      { commitmentId: 'c2', amountCents: 1_000_000 },
    ],
    fund: { years: fundYears },
  };
}

const RIGHT = [
  { year: 2026, contributedCents: 60_000_000, bindingCents: 6_000_000, pendingCents: 20_000_000, disbursedCents: 2_000_000, uncommittedCents: 34_000_000 },
  { year: 2027, contributedCents: 30_000_000, bindingCents: 11_000_000, pendingCents: 4_000_000, disbursedCents: 1_000_000, uncommittedCents: 15_000_000 },
];

t.test('a fund view that matches the lists reconciles in every year', async (t) => {
  const years = reconcileFund(register(RIGHT));
  t.same(years.map((year) => year.year), [2026, 2027]);
  t.same(years.map((year) => year.mismatches), [[], []]);
  t.same(years[1]!.recomputed, { contributedCents: 30_000_000n, bindingCents: 11_000_000n, pendingCents: 4_000_000n, disbursedCents: 1_000_000n, uncommittedCents: 15_000_000n });
});

t.test('each figure that differs is named with its year', async (t) => {
  const cases: [string, (years: typeof RIGHT) => void, number, string[]][] = [
    ['a cent more contributed', (years) => (years[0]!.contributedCents += 1), 2026, ['contributedCents']],
    ['binding money left out', (years) => (years[1]!.bindingCents = 0), 2027, ['bindingCents']],
    ['an amendment counted whole as pending', (years) => (years[1]!.pendingCents = 15_000_000), 2027, ['pendingCents']],
    ['uncommitted money inflated', (years) => (years[0]!.uncommittedCents += 500), 2026, ['uncommittedCents']],
  ];
  for (const [name, change, year, fields] of cases) {
    const fund = structuredClone(RIGHT);
    change(fund);
    const failing = reconcileFund(register(fund)).filter((result) => result.mismatches.length > 0);
    t.same(failing.map((result) => [result.year, result.mismatches]), [[year, fields]], name);
  }
});

t.test('a year only the fund view names, or only the lists, does not reconcile', async (t) => {
  const extra = reconcileFund(register([...RIGHT, { year: 2028, contributedCents: 1, bindingCents: 0, pendingCents: 0, disbursedCents: 0, uncommittedCents: 1 }]));
  t.same(extra.find((year) => year.year === 2028)?.mismatches, ['contributedCents', 'uncommittedCents']);
  const missing = reconcileFund(register(RIGHT.slice(0, 1)));
  t.same(missing.find((year) => year.year === 2027)?.fundView.contributedCents, 0n, 'a year missing from the view counts as zeros');
  t.ok(missing.find((year) => year.year === 2027)!.mismatches.length > 0);
});

t.test('a payment on a commitment no decision holds, or an amount that is no integer, is refused', async (t) => {
  const orphan = register(RIGHT);
  orphan.disbursements = [{ commitmentId: 'nowhere', amountCents: 1 }];
  t.throws(() => reconcileFund(orphan), /commitment nowhere/);
  const fractional = register(RIGHT);
  fractional.fundContributions = [{ year: 2026, amountCents: 0.5 }];
  t.throws(() => reconcileFund(fractional), /not an integer number of cents/);
});
