import { count } from 'drizzle-orm';
import { organisations } from '../db/schema.js';
import type { ServiceContext } from '../use-cases/context.js';
import { createOrganisation } from '../use-cases/organisations.js';
import { createProgramme } from '../use-cases/programmes.js';
import { adoptDecision, createDecision } from '../use-cases/decisions.js';
import { castVote } from '../use-cases/votes.js';
import { seedDemoMoney } from './demo-money.js';
import { SYSTEM_CALLER } from '../use-cases/unit-of-work.js';
import { StoryTime } from './story-time.js';

/**
 * The real story behind the service: the ESZL board's principle decisions of 19 November 2025
 * for Welcome to Maastricht Region and Ambitieus MKB, and Maastricht's approval of 3 February 2026.
 * Loaded through the use cases, so every step is validated and recorded in the audit trail, and
 * then dated as the story happened (see story-time.ts), so `asOf` shows the decisions as they stood.
 */
export interface DemoData {
  foundationId: string;
  municipalityIds: { heerlen: string; sittardGeleen: string; maastricht: string };
  programmeIds: { wtmr: string; amkb: string };
  decisionIds: { wtmr: string; amkb: string };
  placementsIndicatorId: string;
}

export async function isRegisterEmpty(ctx: ServiceContext): Promise<boolean> {
  const [row] = await ctx.database.db.select({ n: count() }).from(organisations);
  return (row?.n ?? 0) === 0;
}

export async function seedDemo(ctx: ServiceContext, progress: (line: string) => void = () => undefined): Promise<DemoData> {
  const actor = SYSTEM_CALLER;
  const story = new StoryTime(ctx);
  const org = (at: string, name: string, kind: 'foundation' | 'municipality', centreMunicipality = false) =>
    story.step(at, () => createOrganisation(ctx, actor, { name, kind, centreMunicipality }));

  const eszl = await org('2025-11-03T08:00:00Z', 'Stichting Economische Samenwerking Zuid-Limburg (ESZL)', 'foundation');
  const heerlen = await org('2025-11-03T08:01:00Z', 'Gemeente Heerlen', 'municipality', true);
  const sittardGeleen = await org('2025-11-03T08:02:00Z', 'Gemeente Sittard-Geleen', 'municipality', true);
  const maastricht = await org('2025-11-03T08:03:00Z', 'Gemeente Maastricht', 'municipality', true);
  progress('organisations: ESZL, Heerlen, Sittard-Geleen, Maastricht');

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
    castVote(ctx, actor, wtmrDecision.id, {
      municipalityId: maastricht.id,
      outcome: 'approve',
      decidedOn: '2026-02-03',
      note: 'Conform',
    }),
  );
  progress('vote: Maastricht approves WTMR on 2026-02-03 ("Conform")');
  progress(
    (await story.retell())
      ? 'the audit trail dates each step as it happened (GET /decisions/{id}?asOf=2026-02-02 shows WTMR before the vote)'
      : 'the audit trail dates the story today: other changes were recorded meanwhile',
  );

  return {
    foundationId: eszl.id,
    municipalityIds: { heerlen: heerlen.id, sittardGeleen: sittardGeleen.id, maastricht: maastricht.id },
    programmeIds: { wtmr: wtmr.id, amkb: amkb.id },
    decisionIds: { wtmr: wtmrDecision.id, amkb: amkbDecision.id },
    placementsIndicatorId: money.placementsIndicatorId,
  };
}
