import t from 'tap';
import { fundingRows, listProgrammeIds } from '../../src/db/funding-repository.js';
import { coFinancing, disbursements } from '../../src/db/schema.js';
import { decision, organisation, programme, repositoryDatabase } from '../helpers/register-rows.js';

/**
 * The funding figures per programme and year, added up in one statement: binding money by
 * decision state (the final amount once settled), pending money (for an amendment only its
 * increase), payments, released money and co-financing; filtered by programme and year.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const wtmr = await programme(db, 'WTMR');
const amkb = await programme(db, 'AMKB');
const grens = await programme(db, 'GRENS');
const funder = await organisation(db, { kind: 'government' });
const c = (programmeId: string, year: number, amountCents: number, extra: { finalAmountCents?: number; disbursedCents?: number } = {}) => ({ programmeId, year, amountCents, ...extra });

const adopted = await decision(db, { status: 'adopted', commitments: [c(wtmr, 2026, 1_000), c(amkb, 2026, 10)] });
await decision(db, { status: 'ratified', commitments: [c(wtmr, 2026, 2_000)] });
const settled = await decision(db, { status: 'settled', commitments: [c(wtmr, 2027, 3_000, { finalAmountCents: 2_500 })] });
await decision(db, { status: 'pending_ratification', commitments: [c(wtmr, 2026, 4_000)] });
for (const status of ['draft', 'withdrawn', 'rejected'] as const) await decision(db, { status, commitments: [c(wtmr, 2026, 99_000)] });
// A superseded decision and its binding amendment: the amendment alone counts.
const superseded = await decision(db, { status: 'superseded', commitments: [c(amkb, 2027, 5_000)] });
await decision(db, { status: 'adopted', amends: superseded.id, commitments: [c(amkb, 2027, 6_000)] });
// Amendments awaiting the colleges: only what they commit above the decision they amend, per programme and year, never below 0.
const amended = await decision(db, { status: 'adopted', commitments: [c(amkb, 2028, 7_000)] });
await decision(db, { status: 'pending_ratification', amends: amended.id, commitments: [c(amkb, 2028, 7_500), c(amkb, 2029, 300)] });
const lowered = await decision(db, { status: 'adopted', commitments: [c(grens, 2026, 8_000)] });
await decision(db, { status: 'pending_ratification', amends: lowered.id, commitments: [c(grens, 2026, 1_000)] });
await db.insert(disbursements).values([
  { decisionId: adopted.id, commitmentId: adopted.commitmentIds[0]!, amountCents: 400, paidOn: '2026-03-01', reference: 'BET-1' },
  { decisionId: settled.id, commitmentId: settled.commitmentIds[0]!, amountCents: 2_500, paidOn: '2026-03-01', reference: 'BET-2' },
]);
await db.insert(coFinancing).values([
  { programmeId: wtmr, year: 2026, amountCents: 250, kind: 'regio_deal', funderOrganisationId: funder, reference: 'CF-1' },
  { programmeId: grens, year: 2031, amountCents: 900, kind: 'government', funderName: 'Euregio', reference: 'CF-2' },
]);

const row = (programmeId: string, year: number, figures: Partial<Record<'bindingCents' | 'pendingCents' | 'disbursedCents' | 'releasedCents' | 'coFinancingCents', number>>) => ({
  programmeId,
  year,
  bindingCents: 0,
  pendingCents: 0,
  disbursedCents: 0,
  releasedCents: 0,
  coFinancingCents: 0,
  ...figures,
});
const EVERY_ROW = [
  row(wtmr, 2026, { bindingCents: 3_000, pendingCents: 4_000, disbursedCents: 400, coFinancingCents: 250 }),
  row(wtmr, 2027, { bindingCents: 2_500, disbursedCents: 2_500, releasedCents: 500 }),
  row(amkb, 2026, { bindingCents: 10 }),
  row(amkb, 2027, { bindingCents: 6_000 }),
  row(amkb, 2028, { bindingCents: 7_000, pendingCents: 500 }),
  row(amkb, 2029, { pendingCents: 300 }),
  row(grens, 2026, { bindingCents: 8_000 }),
  row(grens, 2031, { coFinancingCents: 900 }),
].sort((a, b) => a.programmeId.localeCompare(b.programmeId) || a.year - b.year);

t.test('every programme and year with money of any kind, each figure counted as the contract says', async (t) => {
  t.same(await fundingRows(db), EVERY_ROW);
});

t.test('filtered by programme, by year, or both', async (t) => {
  t.same(await fundingRows(db, { programmeId: amkb }), EVERY_ROW.filter((r) => r.programmeId === amkb));
  t.same(await fundingRows(db, { year: 2026 }), EVERY_ROW.filter((r) => r.year === 2026));
  t.same(await fundingRows(db, { programmeId: wtmr, year: 2027 }), [row(wtmr, 2027, { bindingCents: 2_500, disbursedCents: 2_500, releasedCents: 500 })]);
  t.same(await fundingRows(db, { programmeId: wtmr, year: 2035 }), []);
});

t.test('every programme, in code order, with money or without', async (t) => {
  const empty = await programme(db, 'AAA-EMPTY');
  t.same(await listProgrammeIds(db), [empty, amkb, grens, wtmr]);
});
