import t from 'tap';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { amend, bindingDecision, decisionBody, pay } from '../helpers/after-adoption.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { adopt, createCentreMunicipalities, createProgramme } from '../helpers/factories.js';
import { rowsOf, startTwoInstances } from '../helpers/instances.js';

/**
 * Amendments under concurrency, on two service instances sharing one PostgreSQL database:
 * amendments of one decision started at once leave at most one live; an amendment binding while
 * payments run under the decision it amends never leaves the amendment committing less than was
 * paid (a ratification that would could not even be recorded), and no payment lands on a
 * superseded decision.
 */
const onPostgres = testDatabaseUrl() !== undefined;
const skip = onPostgres ? false : 'needs PostgreSQL (DATABASE_URL): PGlite runs one transaction at a time, so nothing would race';
const CLOCK = fixedClock('2026-03-01T12:00:00Z');

const answer = (res: LightMyRequestResponse) => (res.statusCode < 300 ? String(res.statusCode) : `${res.statusCode} ${res.json<{ code: string }>().code}`);

t.test('amendments of one decision started at once on two instances: exactly one is live', { skip }, async (t) => {
  const { apps, database } = await startTwoInstances(t, { clock: CLOCK, poolSize: 16 });
  const admin = apps[0].admin;
  const centre = await createCentreMunicipalities(admin);
  const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
  const programme = await createProgramme(admin);
  const amended: Decision[] = [];
  for (let i = 0; i < 8; i++) amended.push(await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 5_000_000 }]));
  const attempts = amended.flatMap((decision) =>
    Array.from({ length: 6 }, (_, k) => ({ decision, promise: apps[k % 2]!.admin.post(`/api/v1/decisions/${decision.id}/amendments`, decisionBody([{ programmeId: programme.id, year: 2026, amountCents: 4_000_000 + k }])) })),
  );
  const answers = await Promise.all(attempts.map(async (a) => ({ decision: a.decision, res: await a.promise })));
  for (const decision of amended) {
    const own = answers.filter((a) => a.decision === decision).map((a) => answer(a.res));
    t.same(own.sort(), ['201', '409 AMENDMENT_IN_PROGRESS', '409 AMENDMENT_IN_PROGRESS', '409 AMENDMENT_IN_PROGRESS', '409 AMENDMENT_IN_PROGRESS', '409 AMENDMENT_IN_PROGRESS'], `decision ${decision.id}: one 201`);
  }
  const live = await rowsOf<{ amends: string; n: number }>(
    database,
    sql`select amends, count(*)::int as n from decisions where amends is not null and status in ('draft', 'pending_ratification') group by amends having count(*) > 1`,
  );
  t.same(live, [], 'no decision has two live amendments');
});

t.test('an increase ratified while payments run under the amended decision: the carry-over always fits', { skip }, async (t) => {
  const { apps, database } = await startTwoInstances(t, { clock: CLOCK, poolSize: 16 });
  const admin = apps[0].admin;
  const centre = await createCentreMunicipalities(admin);
  const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
  const programme = await createProgramme(admin);
  const at = (year: number, amountCents: number) => ({ programmeId: programme.id, year, amountCents });
  const work: Promise<{ kind: string; res: LightMyRequestResponse }>[] = [];
  const pairs: { original: Decision; amendment: Decision }[] = [];
  for (let i = 0; i < 6; i++) {
    const original = await bindingDecision(admin, centreIds, [at(2026, 4_000_000), at(2027, 1_000_000)]);
    // More in 2026 (so the colleges must ratify), less in 2027: while pending, 2027 payments must stay within EUR 5,000.
    const amendment = await amend(admin, original.id, [at(2026, 12_000_000), at(2027, 500_000)]);
    await adopt(admin, amendment.id, 'pending_ratification');
    for (const municipalityId of centreIds.slice(0, 2)) {
      await admin.post(`/api/v1/decisions/${amendment.id}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-02-25' });
    }
    pairs.push({ original, amendment });
    for (let k = 0; k < 12; k++) {
      const app = apps[k % 2]!;
      if (k === 5) {
        const vote = { municipalityId: centreIds[2], outcome: 'approve', decidedOn: '2026-02-26' };
        work.push(app.admin.post(`/api/v1/decisions/${amendment.id}/votes`, vote).then((res) => ({ kind: 'vote', res })));
      }
      work.push(pay(app.admin, original.id, original.commitments[1]!.id, 100_000).then((res) => ({ kind: 'pay', res })));
    }
  }
  const answers = await Promise.all(work);
  t.same(answers.filter((a) => a.kind === 'vote').map((a) => answer(a.res)), Array(pairs.length).fill('201'), 'every last vote was recorded');
  const payCodes = [...new Set(answers.filter((a) => a.kind === 'pay').map((a) => answer(a.res)))].sort();
  t.same(payCodes.filter((c) => !['201', '409 DECISION_TRANSITION_NOT_ALLOWED', '409 DISBURSEMENT_EXCEEDS_COMMITMENT'].includes(c)), [], `payments: ${payCodes.join(', ')}`);
  for (const { original, amendment } of pairs) {
    const [row] = await rowsOf<{ status: string; superseded: string; carried: string; paid: string }>(
      database,
      sql`select a.status, o.status as superseded,
                 (select disbursed_cents::text from decision_commitments where decision_id = a.id and year = 2027) as carried,
                 (select coalesce(sum(amount_cents), 0)::text from disbursements where decision_id = o.id) as paid
            from decisions a join decisions o on o.id = a.amends where a.id = ${amendment.id}`,
    );
    t.match(row, { status: 'ratified', superseded: 'superseded' }, `amendment of ${original.id} bound`);
    t.equal(row!.carried, row!.paid, 'everything paid under the amended decision was carried over');
    t.ok(Number(row!.paid) <= 500_000, `${row!.paid} paid in 2027, within the amendment`);
  }
});

t.test('a lower amendment adopted while payments run: no payment lands on a superseded decision', { skip }, async (t) => {
  const { apps, database } = await startTwoInstances(t, { clock: CLOCK, poolSize: 16 });
  const admin = apps[0].admin;
  const centre = await createCentreMunicipalities(admin);
  const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
  const programme = await createProgramme(admin);
  const work: Promise<{ kind: string; res: LightMyRequestResponse }>[] = [];
  for (let i = 0; i < 6; i++) {
    const original = await bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 4_000_000 }]);
    const amendment = await amend(admin, original.id, [{ programmeId: programme.id, year: 2026, amountCents: 2_000_000 }]);
    for (let k = 0; k < 12; k++) {
      const app = apps[k % 2]!;
      if (k === 6) work.push(app.admin.post(`/api/v1/decisions/${amendment.id}/adopt`).then((res) => ({ kind: 'adopt', res })));
      // Twelve payments of EUR 1,500 always fit into the amendment; of EUR 2,500, only the first eight.
      work.push(pay(app.admin, original.id, original.commitments[0]!.id, i % 2 ? 150_000 : 250_000).then((res) => ({ kind: 'pay', res })));
    }
  }
  const answers = await Promise.all(work);
  const codes = [...new Set(answers.map((a) => `${a.kind} ${answer(a.res)}`))].sort();
  const allowed = ['adopt 200', 'adopt 409 AMOUNT_BELOW_DISBURSED', 'pay 201', 'pay 409 DECISION_TRANSITION_NOT_ALLOWED'];
  t.same(codes.filter((c) => !allowed.includes(c)), [], `answers: ${codes.join(', ')}`);
  t.ok(codes.includes('adopt 200'), 'some amendments bound while payments ran');
  // In commit order (audit seq): no payment of a decision after the event that superseded it.
  const late = await rowsOf<{ id: string }>(
    database,
    sql`select p.resource_id as id from audit_events p join audit_events s on s.resource_id = p.resource_id and s.action = 'decision.superseded'
         where p.action = 'disbursement.recorded' and p.seq > s.seq`,
  );
  t.same(late, [], 'no payment was recorded on a decision after it was superseded');
  const mismatched = await rowsOf<{ id: string }>(
    database,
    sql`select a.id from decisions a join decisions o on o.id = a.amends
         where a.status = 'adopted' and (select sum(disbursed_cents) from decision_commitments where decision_id = a.id)
                                      <> (select coalesce(sum(amount_cents), 0) from disbursements where decision_id = o.id)`,
  );
  t.same(mismatched, [], 'every bound amendment carries exactly what was paid under the decision it replaced');
});
