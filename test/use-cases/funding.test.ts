import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { eszlFunding, listCommitmentsPage, programmeFunding, type FundingYear, type ProgrammeFunding } from '../../src/use-cases/funding.js';
import { bindingDecision, decisionBody, paid } from '../helpers/after-adoption.js';
import { startTestApp } from '../helpers/app.js';
import { expectStatus } from '../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme } from '../helpers/factories.js';

/**
 * The funding views, called directly: a programme's years and totals, the ESZL-wide view built
 * from the same rows (each programme as its own view, in code order, also without money; each
 * year the sum over the programmes), a year filter, and the commitments list's pages. The
 * programmes' codes are chosen so that code order differs from creation order.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const talent = await createProgramme(admin, { code: 'B-TALENT' });
const mkb = await createProgramme(admin, { code: 'C-MKB' });
const empty = await createProgramme(admin, { code: 'A-EMPTY' });
const at = (programmeId: string, year: number, amountCents: number) => ({ programmeId, year, amountCents });

const talentDecision = await bindingDecision(admin, centreIds, [at(talent.id, 2026, 3_000_000), at(talent.id, 2027, 1_000_000)]);
await paid(admin, talentDecision.id, talentDecision.commitments[0]!.id, 1_000_000);
const coFinancing = { funderName: 'Regio Deal Zuid-Limburg', kind: 'regio_deal', year: 2026, amountCents: 500_000, reference: 'RD4' };
expectStatus(await admin.post(`/api/v1/programmes/${talent.id}/co-financing`, coFinancing), 201, 'co-financing');
await bindingDecision(admin, centreIds, [at(mkb.id, 2026, 2_000_000)]);
await adopt(admin, (await createDecision(admin, decisionBody([at(mkb.id, 2026, 20_000_000)]))).id, 'pending_ratification');
await createDecision(admin, decisionBody([at(mkb.id, 2027, 1_000_000)]));

const NOTHING = { bindingCents: 0, pendingCents: 0, disbursedCents: 0, releasedCents: 0, remainingCents: 0, coFinancingCents: 0 };
const FIGURES = ['bindingCents', 'pendingCents', 'disbursedCents', 'releasedCents', 'remainingCents', 'coFinancingCents'] as const;

/** A year's figures added up over the programmes that have it. */
function sumOfYear(programmes: readonly ProgrammeFunding[], year: number): Record<string, number> {
  const years: FundingYear[] = programmes.flatMap((p) => p.years.filter((y) => y.year === year));
  return { year, ...Object.fromEntries(FIGURES.map((figure) => [figure, years.reduce((sum, y) => sum + y[figure], 0)])) };
}

t.test("a programme's money per year and in total; one without money has no years; an unknown one is RESOURCE_NOT_FOUND", async (t) => {
  const funding = await programmeFunding(ctx, talent.id);
  t.same(funding.years, [
    { year: 2026, ...NOTHING, bindingCents: 3_000_000, disbursedCents: 1_000_000, remainingCents: 2_000_000, coFinancingCents: 500_000, eszlShareBasisPoints: 8_571 },
    { year: 2027, ...NOTHING, bindingCents: 1_000_000, remainingCents: 1_000_000, eszlShareBasisPoints: 10_000 },
  ]);
  t.match(funding, { programmeId: talent.id, totalBindingCents: 4_000_000, totalDisbursedCents: 1_000_000, totalRemainingCents: 3_000_000, totalCoFinancingCents: 500_000 });
  t.same((await programmeFunding(ctx, mkb.id)).years.map((y) => [y.year, y.bindingCents, y.pendingCents]), [[2026, 2_000_000, 20_000_000]], 'a draft counts nowhere');
  t.same(await programmeFunding(ctx, empty.id), {
    programmeId: empty.id,
    years: [],
    totalBindingCents: 0,
    totalPendingCents: 0,
    totalDisbursedCents: 0,
    totalReleasedCents: 0,
    totalRemainingCents: 0,
    totalCoFinancingCents: 0,
  });
  await t.rejects(programmeFunding(ctx, randomUUID()), { code: 'RESOURCE_NOT_FOUND' });
});

t.test('the ESZL view holds every programme as its own view, in code order, and each year summed over them', async (t) => {
  const all = await eszlFunding(ctx, {});
  t.same(all.programmes.map((p) => p.programmeId), [empty.id, talent.id, mkb.id]);
  for (const programme of all.programmes) t.same(programme, await programmeFunding(ctx, programme.programmeId), 'the same view as the programme\'s own');
  t.same(all.years.map((y) => y.year), [2026, 2027]);
  for (const year of all.years) t.match(year, sumOfYear(all.programmes, year.year), `${year.year}: the sum over the programmes`);
  t.equal(all.years[0]!.eszlShareBasisPoints, 9_091, "the share from the summed money, not an average of the programmes' shares");
});

t.test('a year filter keeps every programme and only that year: in their years, their totals and the sums', async (t) => {
  const all = await eszlFunding(ctx, {});
  const only2027 = await eszlFunding(ctx, { year: 2027 });
  t.same(only2027.programmes.map((p) => [p.programmeId, p.years.map((y) => y.year)]), [[empty.id, []], [talent.id, [2027]], [mkb.id, []]]);
  t.same(only2027.years, all.years.filter((y) => y.year === 2027));
  t.match(only2027.programmes[1], { totalBindingCents: 1_000_000, totalDisbursedCents: 0, totalCoFinancingCents: 0 }, 'totals over the chosen year only');
  const none = await eszlFunding(ctx, { year: 2030 });
  t.same(none.years, []);
  t.same(none.programmes.map((p) => p.years), [[], [], []]);
});

t.test('the commitments list pages by nextCursor, each commitment once; a bad cursor is VALIDATION_FAILED', async (t) => {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listCommitmentsPage(ctx, { programmeId: mkb.id }, cursor, 1);
    t.equal(page.items.length, 1);
    ids.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  t.equal(ids.length, 3, 'the binding, the pending and the draft commitment');
  t.equal(new Set(ids).size, 3);
  t.same((await listCommitmentsPage(ctx, { programmeId: mkb.id, binding: true }, undefined, 10)).items.map((c) => [c.amountCents, c.decisionStatus, c.binding]), [[2_000_000, 'adopted', true]]);
  await t.rejects(listCommitmentsPage(ctx, {}, 'not-a-cursor', 10), { code: 'VALIDATION_FAILED' });
});
