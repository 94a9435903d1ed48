import { DomainError, referenceNotFound } from './errors.js';
import { sumCents, type Cents } from './money.js';
import type { FundCheck, FundCoverage } from './records.js';

/**
 * The ESZL fund: the centre municipalities bring the "aanjaag- en programmabudget" together in
 * ESZL, and the board's decisions commit it. What is neither binding nor awaiting the colleges
 * is uncommitted; it may be negative when the board committed more than was brought in.
 */
export interface FundMoney {
  contributedCents: Cents;
  bindingCents: Cents;
  pendingCents: Cents;
  disbursedCents: Cents;
}

export interface FundYear extends FundMoney {
  year: number;
  uncommittedCents: Cents;
}

export interface FundPosition extends FundMoney {
  uncommittedCents: Cents;
  years: FundYear[];
}

/** `contributed - binding - pending`: money the board can still commit. */
export function uncommittedCents(money: Pick<FundMoney, 'contributedCents' | 'bindingCents' | 'pendingCents'>): Cents {
  return sumCents([money.contributedCents, -money.bindingCents, -money.pendingCents]);
}

/** The fund's position from its money per year (contributions by their year, commitments by theirs). */
export function fundPosition(years: readonly (FundMoney & { year: number })[]): FundPosition {
  const sorted = [...years].sort((a, b) => a.year - b.year);
  const total = (field: keyof FundMoney) => sumCents(sorted.map((year) => year[field]));
  const totals: FundMoney = {
    contributedCents: total('contributedCents'),
    bindingCents: total('bindingCents'),
    pendingCents: total('pendingCents'),
    disbursedCents: total('disbursedCents'),
  };
  return {
    ...totals,
    uncommittedCents: uncommittedCents(totals),
    years: sorted.map((year) => ({
      year: year.year,
      contributedCents: year.contributedCents,
      bindingCents: year.bindingCents,
      pendingCents: year.pendingCents,
      disbursedCents: year.disbursedCents,
      uncommittedCents: uncommittedCents(year),
    })),
  };
}

/**
 * Whether ESZL's uncommitted means covered a decision when it was adopted, over all years
 * together: frozen into the decision so everyone sees it afterwards.
 */
export function fundCoverage(uncommittedCentsBefore: Cents, totalAmountCents: Cents): FundCoverage {
  return { uncommittedCentsBefore, sufficient: uncommittedCentsBefore >= totalAmountCents };
}

/** With the statute's `fundCheck: block`, a decision the fund does not cover cannot be adopted. */
export function assertFundCovers(fundCheck: FundCheck, coverage: FundCoverage | null): void {
  if (fundCheck === 'block' && coverage !== null && !coverage.sufficient) {
    throw new DomainError(
      'INSUFFICIENT_FUNDS',
      `The ESZL fund's uncommitted means (${coverage.uncommittedCentsBefore} cents) do not cover this decision, and the statute rule blocks such an adoption.`,
    );
  }
}

/** Only a municipality brings money into the fund. */
export function assertContributorIsMunicipality(organisation: { kind: string } | undefined, organisationId: string): void {
  if (organisation === undefined) throw referenceNotFound('/organisationId', 'Organisation', organisationId);
  if (organisation.kind !== 'municipality') {
    throw new DomainError('VALIDATION_FAILED', 'Only a municipality contributes to the ESZL fund.', [
      { path: '/organisationId', message: `organisation ${organisationId} is a ${organisation.kind}, not a municipality` },
    ]);
  }
}

/** Co-financing names its funder: an organisation of the register, a name, or both; never neither. */
export function assertFunderNamed(funder: { funderOrganisationId: string | null; funderName: string | null }): void {
  if (funder.funderOrganisationId === null && funder.funderName === null) {
    const message = 'name the funder by funderOrganisationId, funderName or both';
    throw new DomainError('VALIDATION_FAILED', 'Co-financing needs a funder: funderOrganisationId, funderName or both.', [
      { path: '/funderOrganisationId', message },
      { path: '/funderName', message },
    ]);
  }
}
