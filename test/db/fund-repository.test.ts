import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fundMoneyByYear } from '../../src/db/fund-repository.js';
import { fixedClock } from '../../src/domain/clock.js';
import { startTestApp } from '../helpers/app.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme } from '../helpers/factories.js';

/**
 * The fund's money per year: contributions by their year, binding and pending money by
 * commitment year, a settled commitment by its final amount, disbursements of binding decisions,
 * and a pending amendment by its increase over the decision it amends only.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const db = ctx.db.database.db;
const { heerlen } = await createCentreMunicipalities(admin);
const wtmr = await createProgramme(admin);
const amkb = await createProgramme(admin);

const draft = (commitments: [string, number, number][]) =>
  createDecision(admin, {
    reference: `FR-${randomUUID()}`,
    title: 'Decision',
    boardMeetingDate: '2026-02-10',
    commitments: commitments.map(([programmeId, year, amountCents]) => ({ programmeId, year, amountCents })),
  });

t.test('money per year, with settlement, payments and a pending amendment counted as the contract says', async (t) => {
  for (const [year, amountCents] of [[2026, 50_000_000], [2028, 1_000]] as const) {
    const res = await admin.post('/api/v1/fund/contributions', { organisationId: heerlen.id, year, amountCents, receivedOn: '2026-01-10', reference: 'Bijdrage' });
    t.equal(res.statusCode, 201);
  }
  const bound = await adopt(admin, (await draft([[wtmr.id, 2026, 6_000_000], [amkb.id, 2027, 2_000_000]])).id, 'adopted');
  const settled = await adopt(admin, (await draft([[wtmr.id, 2027, 3_000_000]])).id, 'adopted');
  const pay = async (decisionId: string, commitmentId: string, amountCents: number) => {
    const res = await admin.post(`/api/v1/decisions/${decisionId}/disbursements`, { commitmentId, amountCents, paidOn: '2026-03-01', reference: 'Betaling' });
    t.equal(res.statusCode, 201, `payment (${res.body.slice(0, 200)})`);
  };
  await pay(bound.id, bound.commitments[0]!.id, 1_000_000);
  await pay(settled.id, settled.commitments[0]!.id, 2_000_000);
  const settle = await admin.post(`/api/v1/decisions/${settled.id}/settle`, {
    settledOn: '2026-03-01',
    finalAmounts: [{ commitmentId: settled.commitments[0]!.id, amountCents: 2_500_000 }],
    reference: 'Vaststelling',
  });
  t.equal(settle.statusCode, 200, `settled (${settle.body.slice(0, 200)})`);
  // An amendment of `bound` awaiting ratification: WTMR 2026 up from 6,000,000 to 14,000,000, AMKB 2027 down to 2,000,000 (not below what was paid).
  const amendmentDraft = await admin.post(`/api/v1/decisions/${bound.id}/amendments`, {
    reference: `FR-${randomUUID()}`,
    title: 'Amendment',
    boardMeetingDate: '2026-02-20',
    commitments: [
      { programmeId: wtmr.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: amkb.id, year: 2027, amountCents: 1_000_000 },
    ],
  });
  t.equal(amendmentDraft.statusCode, 201, `amendment (${amendmentDraft.body.slice(0, 200)})`);
  await adopt(admin, amendmentDraft.json<{ id: string }>().id, 'pending_ratification');
  await adopt(admin, (await draft([[amkb.id, 2026, 12_000_000]])).id, 'pending_ratification');
  const withdrawn = await draft([[amkb.id, 2026, 99_000]]);
  t.equal((await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'No' })).statusCode, 200);
  await draft([[amkb.id, 2026, 77_000]]);

  t.same(await fundMoneyByYear(db), [
    { year: 2026, contributedCents: 50_000_000, bindingCents: 6_000_000, pendingCents: 8_000_000 + 12_000_000, disbursedCents: 1_000_000 },
    { year: 2027, contributedCents: 0, bindingCents: 2_000_000 + 2_500_000, pendingCents: 0, disbursedCents: 2_000_000 },
    { year: 2028, contributedCents: 1_000, bindingCents: 0, pendingCents: 0, disbursedCents: 0 },
  ]);
});
