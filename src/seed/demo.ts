import type { ServiceContext } from '../use-cases/context.js';
import { createOrganisation } from '../use-cases/organisations.js';
import { createProgramme } from '../use-cases/programmes.js';
import { adoptDecision, createDecision } from '../use-cases/decisions.js';
import { recordCollegeDecision } from '../use-cases/college-decisions.js';
import { seedDemoMoney } from './demo-money.js';
import { SYSTEM_CALLER } from '../use-cases/unit-of-work.js';
import { StoryTime } from '../use-cases/story-time.js';

/**
 * The real story behind the service: the ESZL board's principle decisions of 19 November 2025
 * for Welcome to Maastricht Region and Ambitieus MKB, and Maastricht's college decision of
 * 3 February 2026 that approves both; Heerlen and Sittard-Geleen have not decided yet.
 * Loaded through the use cases, so every step is validated and recorded in the audit trail, and
 * then dated as the story happened (see story-time.ts), so `asOf` shows the decisions as they stood.
 */
export interface DemoData {
  foundationId: string;
  applicantIds: { wtmr: string };
  municipalityIds: { heerlen: string; sittardGeleen: string; maastricht: string };
  programmeIds: { wtmr: string; amkb: string };
  decisionIds: { wtmr: string; amkb: string };
  placementsIndicatorId: string;
}

export async function seedDemo(ctx: ServiceContext, progress: (line: string) => void = () => undefined): Promise<DemoData> {
  const actor = SYSTEM_CALLER;
  const story = new StoryTime(ctx);
  const org = (at: string, name: string, kind: 'foundation' | 'municipality' | 'applicant', centreMunicipality = false) =>
    story.step(at, () => createOrganisation(ctx, actor, { name, kind, centreMunicipality }));

  const eszl = await org('2025-11-03T08:00:00Z', 'Stichting Economische Samenwerking Zuid-Limburg (ESZL)', 'foundation');
  const heerlen = await org('2025-11-03T08:01:00Z', 'Gemeente Heerlen', 'municipality', true);
  const sittardGeleen = await org('2025-11-03T08:02:00Z', 'Gemeente Sittard-Geleen', 'municipality', true);
  const maastricht = await org('2025-11-03T08:03:00Z', 'Gemeente Maastricht', 'municipality', true);
  const wtmrApplicant = await org('2025-11-03T08:04:00Z', 'Welcome to Maastricht Region', 'applicant');
  progress('organisations: ESZL, Heerlen, Sittard-Geleen, Maastricht, applicant Welcome to Maastricht Region');

  const wtmr = await story.step('2025-11-03T09:00:00Z', () => createProgramme(ctx, actor, {
    code: 'WTMR',
    name: 'Welcome to Maastricht Region',
    description: 'Attracting and retaining international talent for the region.',
    ownerOrganisationId: eszl.id,
  }));
  const amkb = await story.step('2025-11-03T09:01:00Z', () => createProgramme(ctx, actor, {
    code: 'AMKB',
    name: 'Ambitieus MKB',
    description: 'Growth programme for ambitious small and medium-sized enterprises; kwartiermaker phase.',
    ownerOrganisationId: eszl.id,
  }));
  progress('programmes: WTMR, AMKB');

  const wtmrDecision = await story.step('2025-11-12T09:00:00Z', () => createDecision(ctx, actor, {
    reference: 'ESZL-PB-2025-11-19-WTMR',
    title: 'Principebesluit bijdrage Welcome to Maastricht Region 2026-2027',
    summary: 'The board grants EUR 140,000 for 2026 and EUR 250,000 for 2027 from ESZL\'s means to WTMR.',
    boardMeetingDate: '2025-11-19',
    applicantOrganisationId: wtmrApplicant.id,
    // WTMR continues the 2024 contribution of EUR 200,000 (college decision of December 2023).
    relatedDecisions: [{ externalReference: '2023.048225', relation: 'continues' }],
    commitments: [
      { programmeId: wtmr.id, year: 2026, amountCents: 14_000_000, purpose: 'Welcome to Maastricht Region 2026' },
      { programmeId: wtmr.id, year: 2027, amountCents: 25_000_000, purpose: 'Welcome to Maastricht Region 2027' },
    ],
    conditions: [
      {
        description: 'WTMR submits measurable result criteria, including at least the expected number of placements.',
        dueDate: '2026-02-15',
        // No money is paid before the criteria are in.
        blocksDisbursement: true,
      },
    ],
  }));
  const amkbDecision = await story.step('2025-11-12T09:05:00Z', () => createDecision(ctx, actor, {
    reference: 'ESZL-PB-2025-11-19-AMKB',
    title: 'Principebesluit bijdrage Ambitieus MKB, kwartiermakersfase',
    summary: 'The board grants EUR 202,500 for the kwartiermaker phase of Ambitieus MKB.',
    boardMeetingDate: '2025-11-19',
    commitments: [{ programmeId: amkb.id, year: 2026, amountCents: 20_250_000, purpose: 'Kwartiermakersfase' }],
  }));
  // Before the board meeting: what the municipalities brought into the fund, the co-financing, the indicator.
  const money = await story.step('2025-11-17T10:00:00Z', () =>
    seedDemoMoney(ctx, {
      municipalityIds: { heerlen: heerlen.id, sittardGeleen: sittardGeleen.id, maastricht: maastricht.id },
      programmeIds: { wtmr: wtmr.id, amkb: amkb.id },
      wtmrDecisionId: wtmrDecision.id,
    }),
  );
  progress('fund: EUR 660,000 from the three municipalities; co-financing of WTMR and AMKB; WTMR placements indicator (2026: 60)');
  await story.step('2025-11-19T14:00:00Z', () => adoptDecision(ctx, actor, wtmrDecision.id));
  await story.step('2025-11-19T14:05:00Z', () => adoptDecision(ctx, actor, amkbDecision.id));
  progress('decisions of 2025-11-19: WTMR (EUR 390,000) and AMKB (EUR 202,500), adopted, awaiting ratification');

  await story.step('2026-02-03T15:00:00Z', () =>
    recordCollegeDecision(ctx, actor, {
      municipalityId: maastricht.id,
      decidedOn: '2026-02-03',
      reference: 'Collegebesluit Maastricht 2026-02-03',
      // An example of the municipality's public decision register; no hash of it is known here.
      documents: [
        {
          title: 'Collegebesluit principebesluiten ESZL (WTMR, AMKB)',
          url: 'https://www.gemeentemaastricht.nl/bestuur/collegebesluiten',
          kind: 'college_decision',
          issuedOn: '2026-02-03',
        },
      ],
      votes: [
        { decisionId: wtmrDecision.id, outcome: 'approve', note: 'Conform' },
        { decisionId: amkbDecision.id, outcome: 'approve', note: 'Conform' },
      ],
    }),
  );
  progress('college decision: Maastricht approves WTMR and AMKB on 2026-02-03 ("Conform"); Heerlen and Sittard-Geleen have not voted');
  progress(
    (await story.retell())
      ? 'the audit trail dates each step as it happened (GET /decisions/{id}?asOf=2026-02-02 shows WTMR before the vote)'
      : 'the audit trail dates the story today: other changes were recorded meanwhile',
  );

  return {
    foundationId: eszl.id,
    applicantIds: { wtmr: wtmrApplicant.id },
    municipalityIds: { heerlen: heerlen.id, sittardGeleen: sittardGeleen.id, maastricht: maastricht.id },
    programmeIds: { wtmr: wtmr.id, amkb: amkb.id },
    decisionIds: { wtmr: wtmrDecision.id, amkb: amkbDecision.id },
    placementsIndicatorId: money.placementsIndicatorId,
  };
}
