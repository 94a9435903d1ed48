import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
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
  await db.execute(sql`update decision_commitments set disbursed_cents = 1000000 where id = ${bound.commitments[0]!.id}::uuid`);
  await db.execute(sql`update decision_commitments set final_amount_cents = 2500000, disbursed_cents = 2000000 where decision_id = ${settled.id}::uuid`);
  await db.execute(sql`update decisions set status = 'settled', settled_on = '2026-03-01', settled_at = now() where id = ${settled.id}::uuid`);
  // An amendment of `bound` awaiting ratification: WTMR 2026 up from 6,000,000 to 14,000,000, AMKB 2027 down to 1,000,000.
  const amendment = await adopt(admin, (await draft([[wtmr.id, 2026, 14_000_000], [amkb.id, 2027, 1_000_000]])).id, 'pending_ratification');
  await db.execute(sql`update decisions set amends = ${bound.id}::uuid where id = ${amendment.id}::uuid`);
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
