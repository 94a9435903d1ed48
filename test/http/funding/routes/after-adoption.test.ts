import t from 'tap';
import { coFinancing } from '../../../../src/db/schema.js';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { EszlFunding, FundingYear, ProgrammeFunding } from '../../../../src/use-cases/funding.js';
import { startTestApp } from '../../../helpers/app.js';
import { okJson, problemOf } from '../../../helpers/assertions.js';
import { bindingDecision, decisionBody, eszlFunding, paid, programmeFunding, settle, yearOf } from '../../../helpers/after-adoption.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme } from '../../../helpers/factories.js';

/**
 * The funding views after adoption: disbursed, released, remaining and co-financing money per
 * programme and year, the ESZL share, and GET /funding over every programme. Co-financing rows
 * are written straight into their table (their routes belong to the fund's part of the register).
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const wtmr = await createProgramme(admin, { code: 'A-WTMR' });
const amkb = await createProgramme(admin, { code: 'B-AMKB' });
const empty = await createProgramme(admin, { code: 'C-EMPTY' });

async function coFinance(programmeId: string, year: number, amountCents: number) {
  await ctx.db.database.db.insert(coFinancing).values({ programmeId, funderName: 'Regio Deal Zuid-Limburg', kind: 'regio_deal', year, amountCents, reference: `RD-${year}` });
}

const zero: Omit<FundingYear, 'year'> = {
  bindingCents: 0,
  pendingCents: 0,
  disbursedCents: 0,
  releasedCents: 0,
  remainingCents: 0,
  coFinancingCents: 0,
  eszlShareBasisPoints: null,
};

t.test('every figure per programme and year, with co-financing and the ESZL share', async (t) => {
  const wtmrDecision = await bindingDecision(admin, centreIds, [
    { programmeId: wtmr.id, year: 2026, amountCents: 14_000_000 },
    { programmeId: wtmr.id, year: 2027, amountCents: 25_000_000 },
  ]);
  await paid(admin, wtmrDecision.id, wtmrDecision.commitments[0]!.id, 7_000_000);
  const small = await bindingDecision(admin, centreIds, [{ programmeId: wtmr.id, year: 2026, amountCents: 1_000_000 }]);
  okJson(t, await settle(admin, small, [400_000]));
  await adopt(admin, (await createDecision(admin, decisionBody([{ programmeId: wtmr.id, year: 2027, amountCents: 10_000_000 }]))).id, 'pending_ratification');
  await coFinance(wtmr.id, 2026, 14_400_000);
  await coFinance(wtmr.id, 2028, 5_000_000);

  const funding = await programmeFunding(admin, wtmr.id);
  t.same(funding.years, [
    { year: 2026, ...zero, bindingCents: 14_400_000, disbursedCents: 7_000_000, releasedCents: 600_000, remainingCents: 7_400_000, coFinancingCents: 14_400_000, eszlShareBasisPoints: 5_000 },
    { year: 2027, ...zero, bindingCents: 25_000_000, pendingCents: 10_000_000, remainingCents: 25_000_000, eszlShareBasisPoints: 10_000 },
    { year: 2028, ...zero, coFinancingCents: 5_000_000, eszlShareBasisPoints: 0 },
  ], 'a year with co-financing only appears too');
  t.same(
    { ...funding, years: undefined },
    {
      programmeId: wtmr.id,
      years: undefined,
      totalBindingCents: 39_400_000,
      totalPendingCents: 10_000_000,
      totalDisbursedCents: 7_000_000,
      totalReleasedCents: 600_000,
      totalRemainingCents: 32_400_000,
      totalCoFinancingCents: 19_400_000,
    },
  );
});

t.test('GET /funding lists every programme and sums the years over them', async (t) => {
  const amkbDecision = await bindingDecision(admin, centreIds, [{ programmeId: amkb.id, year: 2026, amountCents: 20_250_000 }]);
  await paid(admin, amkbDecision.id, amkbDecision.commitments[0]!.id, 10_000_000);
  const all = await eszlFunding(admin);
  t.same(all.programmes.map((p) => p.programmeId), [wtmr.id, amkb.id, empty.id], 'in code order, also without money');
  t.same(all.programmes[0], await programmeFunding(admin, wtmr.id), 'each is the programme funding object');
  t.same(all.programmes[2], { programmeId: empty.id, years: [], totalBindingCents: 0, totalPendingCents: 0, totalDisbursedCents: 0, totalReleasedCents: 0, totalRemainingCents: 0, totalCoFinancingCents: 0 });
  t.same(yearOf(all, 2026), {
    year: 2026,
    bindingCents: 34_650_000,
    pendingCents: 0,
    disbursedCents: 17_000_000,
    releasedCents: 600_000,
    remainingCents: 17_650_000,
    coFinancingCents: 14_400_000,
    eszlShareBasisPoints: 7_064,
  });
  t.same(all.years.map((y) => y.year), [2026, 2027, 2028]);

  const only2026 = await eszlFunding(admin, 2026);
  t.same(only2026.years, [yearOf(all, 2026)]);
  t.same(only2026.programmes.map((p) => p.years.map((y) => y.year)), [[2026], [2026], []]);
  t.equal(only2026.programmes[0]!.totalBindingCents, 14_400_000, 'totals over the chosen year only');
});

t.test('every role that reads the register reads the funding; a bad year is 400', async (t) => {
  for (const role of ['reader', 'auditor', 'secretariat']) {
    okJson<EszlFunding>(t, await ctx.as((await createKey(admin, role)).key).get('/api/v1/funding'));
    okJson<ProgrammeFunding>(t, await ctx.as((await createKey(admin, role)).key).get(`/api/v1/programmes/${wtmr.id}/funding`));
  }
  const college = await createKey(admin, 'college', centre.heerlen.id);
  okJson(t, await ctx.as(college.key).get('/api/v1/funding?year=2026'));
  problemOf(t, await admin.get('/api/v1/funding?year=1999'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/funding?year=twenty'), 400, 'VALIDATION_FAILED');
});
