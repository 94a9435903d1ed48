import t from 'tap';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { bindingDecision, pay } from '../helpers/after-adoption.js';
import { seededRng } from '../helpers/concurrency.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { createCentreMunicipalities, createProgramme } from '../helpers/factories.js';
import { rowsOf, startTwoInstances } from '../helpers/instances.js';

/**
 * "The sum paid on a commitment never exceeds its amount (its final amount once settled), under
 * any concurrency." Hundreds of payments on a few commitments, and settlements racing them, are
 * fired at two service instances on one PostgreSQL database at once. Afterwards no commitment is
 * paid beyond what binds, every 201 is a stored payment, and every 409 names the amount that
 * really remained when it was decided: one that a prefix of the accepted payments, in commit
 * order, leaves. Without the decision's row lock the conditional update (or the CHECK
 * constraint) would still refuse an over-payment, but with a detail that names no remaining
 * amount, or the wrong one: this test fails on that.
 */
const SEED = Number(process.env.CONCURRENCY_SEED ?? 20260301);
const AMOUNT = 5_000_000;
const DECISIONS = 8;
const PAYMENTS_PER_DECISION = 40;
const onPostgres = testDatabaseUrl() !== undefined;

const remainingIn = (detail: string) => Number(/\((\d+) cents\) remains/.exec(detail)?.[1] ?? NaN);

t.test(
  'concurrent payments on two instances never pay more than committed, and each refusal names what remained',
  { skip: onPostgres ? false : 'needs PostgreSQL (DATABASE_URL): PGlite runs one transaction at a time, so nothing would race' },
  async (t) => {
    const { apps, database } = await startTwoInstances(t, { clock: fixedClock('2026-03-01T12:00:00Z'), poolSize: 16 });
    const admin = apps[0].admin;
    const centre = await createCentreMunicipalities(admin);
    const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
    const programme = await createProgramme(admin);
    const rng = seededRng(SEED);

    const decisions: Decision[] = [];
    for (let i = 0; i < DECISIONS; i++) decisions.push(await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: AMOUNT }]));
    const planned = decisions.flatMap((decision) =>
      Array.from({ length: PAYMENTS_PER_DECISION }, (_, i) => ({ decision, amountCents: rng.int(50_000, 400_000), app: i % 2 })),
    );
    rng.shuffle(planned);
    const answers = await Promise.all(
      planned.map(async (p) => ({ ...p, res: await pay(apps[p.app as 0 | 1].admin, p.decision.id, p.decision.commitments[0]!.id, p.amountCents) })),
    );

    const byStatus = (res: LightMyRequestResponse) => `${res.statusCode} ${res.statusCode === 201 ? '' : res.json<{ code: string }>().code}`.trim();
    const unexpected = answers.filter((a) => !['201', '409 DISBURSEMENT_EXCEEDS_COMMITMENT'].includes(byStatus(a.res)));
    t.same(unexpected.map((a) => `${byStatus(a.res)} ${a.res.body.slice(0, 200)}`), [], 'every payment answered 201 or 409 DISBURSEMENT_EXCEEDS_COMMITMENT');

    const order = await rowsOf<{ id: string; amount: string }>(
      database,
      sql`select data->'disbursement'->>'id' as id, data->'disbursement'->>'amountCents' as amount
            from audit_events where action = 'disbursement.recorded' order by seq`,
    );
    const commitOrder = new Map(order.map((row, i) => [row.id, i]));
    let refusals = 0;
    for (const decision of decisions) {
      const own = answers.filter((a) => a.decision === decision);
      const accepted = own.filter((a) => a.res.statusCode === 201).map((a) => a.res.json<{ id: string; amountCents: number }>());
      accepted.sort((a, b) => commitOrder.get(a.id)! - commitOrder.get(b.id)!);
      const paidSum = accepted.reduce((sum, p) => sum + p.amountCents, 0);
      const [stored] = await rowsOf<{ disbursed: string; rows: string }>(
        database,
        sql`select c.disbursed_cents::text as disbursed, (select coalesce(sum(amount_cents), 0)::text from disbursements where commitment_id = c.id) as rows
              from decision_commitments c where c.decision_id = ${decision.id}`,
      );
      t.ok(paidSum <= AMOUNT, `decision ${decision.id}: ${paidSum} paid of ${AMOUNT}`);
      t.equal(Number(stored!.disbursed), paidSum, 'disbursed_cents is the sum of the accepted payments');
      t.equal(Number(stored!.rows), paidSum, 'and of the stored payment rows');
      const possible = new Set([AMOUNT]);
      let left = AMOUNT;
      for (const payment of accepted) possible.add((left -= payment.amountCents));
      const wrong = own
        .filter((a) => a.res.statusCode === 409)
        .map((a) => ({ asked: a.amountCents, remaining: remainingIn(a.res.json<{ detail: string }>().detail) }))
        .filter((r) => !possible.has(r.remaining) || r.remaining >= r.asked);
      refusals += own.filter((a) => a.res.statusCode === 409).length;
      t.same(wrong, [], 'every refusal names an amount that really remained, below the amount asked');
    }
    t.ok(refusals > 0, `the storm had ${refusals} refusals to check`);
  },
);

t.test(
  'settlements racing payments never leave a commitment paid beyond its final amount',
  { skip: onPostgres ? false : 'needs PostgreSQL (DATABASE_URL): PGlite runs one transaction at a time, so nothing would race' },
  async (t) => {
    const { apps, database } = await startTwoInstances(t, { clock: fixedClock('2026-03-01T12:00:00Z'), poolSize: 16 });
    const admin = apps[0].admin;
    const centre = await createCentreMunicipalities(admin);
    const programme = await createProgramme(admin);
    const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
    const FINAL = 3_000_000;
    const work: Promise<LightMyRequestResponse>[] = [];
    const ids: string[] = [];
    for (let i = 0; i < DECISIONS; i++) {
      const decision = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: AMOUNT }]);
      ids.push(decision.id);
      for (let k = 0; k < 16; k++) {
        const app = apps[k % 2]!;
        if (k === 8) {
          work.push(app.admin.post(`/api/v1/decisions/${decision.id}/settle`, { settledOn: '2026-03-01', reference: `VS-${i}`, finalAmounts: [{ commitmentId: decision.commitments[0]!.id, amountCents: FINAL }] }));
        }
        work.push(pay(app.admin, decision.id, decision.commitments[0]!.id, 300_000));
      }
    }
    const answers = await Promise.all(work);
    const codes = new Set(answers.map((res) => (res.statusCode < 300 ? String(res.statusCode) : `${res.statusCode} ${res.json<{ code: string }>().code}`)));
    t.same([...codes].filter((c) => !['200', '201', '409 DISBURSEMENT_EXCEEDS_COMMITMENT', '409 AMOUNT_BELOW_DISBURSED'].includes(c)), [], `answers: ${[...codes].join(', ')}`);
    const over = await rowsOf<{ id: string }>(
      database,
      sql`select c.id from decision_commitments c where c.disbursed_cents > coalesce(c.final_amount_cents, c.amount_cents)
            or c.disbursed_cents <> (select coalesce(sum(amount_cents), 0) from disbursements d where d.commitment_id = c.id)`,
    );
    t.same(over, [], 'no commitment is paid beyond what binds, and disbursed_cents is the sum of its payments');
    const settled = await rowsOf<{ n: number }>(database, sql`select count(*)::int as n from decisions where status = 'settled'`);
    t.comment(`${settled[0]?.n} of ${ids.length} decisions were settled while payments ran`);
  },
);
