import { sumCents, type Cents } from './money.js';

/**
 * The money of a programme in one year, as the register counts it:
 * - binding: what decisions that bind commit there (final amounts once settled); superseded
 *   decisions do not bind, so each lineage of a decision and its amendments counts once;
 * - pending: what awaits the colleges; of an amendment only its increase over the decision it
 *   amends, as the amended decision's money still binds;
 * - disbursed: what was paid; released: what settlement released; remaining = binding - disbursed;
 * - co-financing: what other funders (Regio Deal, employers, government) bring in.
 */
export interface FundingFigures {
  bindingCents: Cents;
  pendingCents: Cents;
  disbursedCents: Cents;
  releasedCents: Cents;
  coFinancingCents: Cents;
}

export interface FundingYear extends FundingFigures {
  year: number;
  remainingCents: Cents;
  /**
   * ESZL's share of the binding money and the co-financing together, in basis points
   * (1/100 of a percent, 10000 = all of it), rounded half up; null when both are 0.
   */
  eszlShareBasisPoints: number | null;
}

export interface FundingTotals {
  totalBindingCents: Cents;
  totalPendingCents: Cents;
  totalDisbursedCents: Cents;
  totalReleasedCents: Cents;
  totalRemainingCents: Cents;
  totalCoFinancingCents: Cents;
}

export const NO_MONEY: FundingFigures = { bindingCents: 0, pendingCents: 0, disbursedCents: 0, releasedCents: 0, coFinancingCents: 0 };

export function eszlShareBasisPoints(bindingCents: Cents, coFinancingCents: Cents): number | null {
  const whole = BigInt(bindingCents) + BigInt(coFinancingCents);
  if (whole === 0n) return null;
  return Number((BigInt(bindingCents) * 20_000n + whole) / (2n * whole));
}

export function fundingYear(year: number, figures: FundingFigures): FundingYear {
  return {
    year,
    bindingCents: figures.bindingCents,
    pendingCents: figures.pendingCents,
    disbursedCents: figures.disbursedCents,
    releasedCents: figures.releasedCents,
    remainingCents: figures.bindingCents - figures.disbursedCents,
    coFinancingCents: figures.coFinancingCents,
    eszlShareBasisPoints: eszlShareBasisPoints(figures.bindingCents, figures.coFinancingCents),
  };
}

/** Figures added up (bigint-safe). */
export function sumFigures(list: readonly FundingFigures[]): FundingFigures {
  return {
    bindingCents: sumCents(list.map((f) => f.bindingCents)),
    pendingCents: sumCents(list.map((f) => f.pendingCents)),
    disbursedCents: sumCents(list.map((f) => f.disbursedCents)),
    releasedCents: sumCents(list.map((f) => f.releasedCents)),
    coFinancingCents: sumCents(list.map((f) => f.coFinancingCents)),
  };
}

export function fundingTotals(years: readonly FundingYear[]): FundingTotals {
  const sum = sumFigures(years);
  return {
    totalBindingCents: sum.bindingCents,
    totalPendingCents: sum.pendingCents,
    totalDisbursedCents: sum.disbursedCents,
    totalReleasedCents: sum.releasedCents,
    totalRemainingCents: sum.bindingCents - sum.disbursedCents,
    totalCoFinancingCents: sum.coFinancingCents,
  };
}

/** Year views of per-year figures, in year order. */
export function fundingYears(byYear: ReadonlyMap<number, FundingFigures>): FundingYear[] {
  return [...byYear.entries()].sort(([a], [b]) => a - b).map(([year, figures]) => fundingYear(year, figures));
}
