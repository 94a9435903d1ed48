import t from 'tap';
import { decideAdoption } from '../../src/domain/adoption.js';
import { DomainError } from '../../src/domain/errors.js';
import {
  assertContributorIsMunicipality,
  assertFunderNamed,
  assertFundCovers,
  fundCoverage,
  fundPosition,
  uncommittedCents,
} from '../../src/domain/fund.js';

/** The ESZL fund's arithmetic, its coverage of a decision at adoption, and the fund check. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? `${error.status} ${error.code} ${error.errors?.map((e) => e.path).join(',') ?? ''}`.trim() : 'other';
  }
}

t.test('uncommitted money is contributed - binding - pending, and may be negative', async (t) => {
  t.equal(uncommittedCents({ contributedCents: 66_000_000, bindingCents: 39_000_000, pendingCents: 20_250_000 }), 6_750_000);
  t.equal(uncommittedCents({ contributedCents: 0, bindingCents: 1, pendingCents: 2 }), -3);
});

t.test('the position sums the years and gives each its uncommitted money, years in order', async (t) => {
  const position = fundPosition([
    { year: 2027, contributedCents: 30_000_000, bindingCents: 25_000_000, pendingCents: 0, disbursedCents: 0 },
    { year: 2026, contributedCents: 36_000_000, bindingCents: 14_000_000, pendingCents: 20_250_000, disbursedCents: 3_000_000 },
  ]);
  t.same(position, {
    contributedCents: 66_000_000,
    bindingCents: 39_000_000,
    pendingCents: 20_250_000,
    disbursedCents: 3_000_000,
    uncommittedCents: 6_750_000,
    years: [
      { year: 2026, contributedCents: 36_000_000, bindingCents: 14_000_000, pendingCents: 20_250_000, disbursedCents: 3_000_000, uncommittedCents: 1_750_000 },
      { year: 2027, contributedCents: 30_000_000, bindingCents: 25_000_000, pendingCents: 0, disbursedCents: 0, uncommittedCents: 5_000_000 },
    ],
  });
  t.same(fundPosition([]), { contributedCents: 0, bindingCents: 0, pendingCents: 0, disbursedCents: 0, uncommittedCents: 0, years: [] }, 'an empty fund');
});

t.test('coverage: sufficient when the uncommitted money before is at least the total (boundary at total - 1, total, total + 1)', async (t) => {
  t.same(fundCoverage(9_999_999, 10_000_000), { uncommittedCentsBefore: 9_999_999, sufficient: false });
  t.same(fundCoverage(10_000_000, 10_000_000), { uncommittedCentsBefore: 10_000_000, sufficient: true });
  t.same(fundCoverage(10_000_001, 10_000_000), { uncommittedCentsBefore: 10_000_001, sufficient: true });
  t.same(fundCoverage(-5, 1), { uncommittedCentsBefore: -5, sufficient: false }, 'an overcommitted fund covers nothing');
});

t.test('the fund check: block refuses an uncovered decision with 409 INSUFFICIENT_FUNDS, flag never refuses', async (t) => {
  const short = fundCoverage(100, 200);
  const enough = fundCoverage(200, 200);
  t.equal(codeOf(() => assertFundCovers('block', short)), '409 INSUFFICIENT_FUNDS');
  t.equal(codeOf(() => assertFundCovers('block', enough)), undefined);
  t.equal(codeOf(() => assertFundCovers('flag', short)), undefined);
  t.equal(codeOf(() => assertFundCovers('block', null)), undefined, 'without a coverage there is nothing to block on');
});

t.test('decideAdoption applies the fund check and freezes the coverage', async (t) => {
  const facts = (fundCheck: 'flag' | 'block', uncommitted: number) => ({
    status: 'draft' as const,
    totalAmountCents: 5_000_000,
    rule: { version: 1, thresholdCents: 10_000_000, splitting: { scope: 'applicant_year' as const, action: 'flag' as const }, ratificationPeriodDays: null, fundCheck },
    centreMunicipalityIds: ['gm-a'],
    adoptedOn: '2026-03-01',
    splitting: { suspected: false, cumulativeCents: null, relatedDecisionIds: [] },
    fundCoverage: fundCoverage(uncommitted, 5_000_000),
  });
  t.same(decideAdoption(facts('flag', 1_000)).fundCoverage, { uncommittedCentsBefore: 1_000, sufficient: false }, 'flag: adopted, shown insufficient');
  t.equal(decideAdoption(facts('flag', 1_000)).status, 'adopted');
  t.equal(codeOf(() => decideAdoption(facts('block', 4_999_999))), '409 INSUFFICIENT_FUNDS', 'block: refused');
  t.equal(decideAdoption(facts('block', 5_000_000)).status, 'adopted', 'block: adopted when covered exactly');
  t.equal(codeOf(() => decideAdoption({ ...facts('block', 0), status: 'adopted' })), '409 DECISION_TRANSITION_NOT_ALLOWED', 'the state is checked first');
});

t.test('only a municipality contributes; an unknown organisation is 400 too', async (t) => {
  t.equal(codeOf(() => assertContributorIsMunicipality({ kind: 'municipality' }, 'x')), undefined);
  for (const kind of ['foundation', 'applicant', 'employer', 'government', 'other']) {
    t.equal(codeOf(() => assertContributorIsMunicipality({ kind }, 'x')), '400 VALIDATION_FAILED /organisationId', kind);
  }
  t.equal(codeOf(() => assertContributorIsMunicipality(undefined, 'x')), '400 REFERENCED_RESOURCE_NOT_FOUND /organisationId');
});

t.test('co-financing names its funder by organisation, name or both', async (t) => {
  t.equal(codeOf(() => assertFunderNamed({ funderOrganisationId: 'o', funderName: null })), undefined);
  t.equal(codeOf(() => assertFunderNamed({ funderOrganisationId: null, funderName: 'Regio Deal' })), undefined);
  t.equal(codeOf(() => assertFunderNamed({ funderOrganisationId: null, funderName: null })), '400 VALIDATION_FAILED /funderOrganisationId,/funderName');
});
