import type { ServiceContext } from '../use-cases/context.js';
import { recordCoFinancing } from '../use-cases/co-financing.js';
import { recordFundContribution } from '../use-cases/fund.js';
import { defineIndicator } from '../use-cases/indicators.js';
import { SYSTEM_CALLER } from '../use-cases/unit-of-work.js';

/**
 * The money around the demo story: the three centre municipalities' contributions to the ESZL
 * fund (EUR 360,000 for 2026 and EUR 300,000 for 2027, against the EUR 592,500 that WTMR and AMKB
 * commit), the co-financing of both programmes by the Regio Deal, WTMR's Employer Board and the
 * ministry, and WTMR's placements indicator. The amounts of the contributions and the co-financing
 * are illustrative. Loaded before the decisions are adopted, so adoption finds the fund covering them.
 */
export interface DemoMoneyIds {
  municipalityIds: { heerlen: string; sittardGeleen: string; maastricht: string };
  programmeIds: { wtmr: string; amkb: string };
  wtmrDecisionId: string;
}

const EUR = (euros: number) => euros * 100;

export async function seedDemoMoney(ctx: ServiceContext, ids: DemoMoneyIds): Promise<{ placementsIndicatorId: string }> {
  const actor = SYSTEM_CALLER;
  const { heerlen, sittardGeleen, maastricht } = ids.municipalityIds;
  for (const organisationId of [heerlen, sittardGeleen, maastricht]) {
    for (const [year, euros, receivedOn] of [[2026, 120_000, '2025-12-18'], [2027, 100_000, '2026-10-01']] as const) {
      await recordFundContribution(ctx, actor, {
        organisationId,
        year,
        amountCents: EUR(euros),
        receivedOn,
        reference: `Bijdrage aanjaag- en programmabudget ESZL ${year}`,
      });
    }
  }

  const coFinancing = [
    { programmeId: ids.programmeIds.wtmr, kind: 'regio_deal', funderName: 'Regio Deal Zuid-Limburg, 4e tranche', year: 2026, euros: 150_000 },
    { programmeId: ids.programmeIds.wtmr, kind: 'regio_deal', funderName: 'Regio Deal Zuid-Limburg, 4e tranche', year: 2027, euros: 150_000 },
    { programmeId: ids.programmeIds.wtmr, kind: 'employers', funderName: 'Employer Board WTMR (6 employers x EUR 10,000)', year: 2026, euros: 60_000 },
    { programmeId: ids.programmeIds.amkb, kind: 'regio_deal', funderName: 'Regio Deal Zuid-Limburg, 6e tranche', year: 2026, euros: 200_000 },
    { programmeId: ids.programmeIds.amkb, kind: 'government', funderName: 'Ministerie van Economische Zaken', year: 2026, euros: 100_000 },
  ] as const;
  for (const { programmeId, kind, funderName, year, euros } of coFinancing) {
    await recordCoFinancing(ctx, actor, programmeId, { kind, funderName, year, amountCents: EUR(euros), reference: `${funderName} ${year}` });
  }

  const placements = await defineIndicator(ctx, actor, ids.wtmrDecisionId, {
    code: 'PLACEMENTS',
    name: 'Placements of international talent with employers in the region',
    unit: 'placements',
    targets: [
      { period: '2026', value: 60 },
      { period: '2027', value: 100 },
    ],
  });
  return { placementsIndicatorId: placements.id };
}
