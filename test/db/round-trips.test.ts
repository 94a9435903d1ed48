import t, { type Test } from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import { countRoundTrips, type RoundTripCounts } from '../../src/db/round-trips.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { startTestApp } from '../helpers/app.js';
import { expectStatus } from '../helpers/assertions.js';
import { testDatabaseUrl } from '../helpers/database.js';
import { createCentreMunicipalities, createProgramme } from '../helpers/factories.js';

/**
 * Statements and round trips per write, counted on the pool's connections while one request
 * runs alone. Each bound is what the use case needs today: a change that adds a round trip to a
 * write fails here and must say why. Adoption has one round trip of slack: the fund's second
 * read depends on its first, and whether it overlaps the other reads of its batch depends on
 * timing. Counts only mean something on PostgreSQL (PGlite has no network and no pool).
 */
if (testDatabaseUrl() === undefined) {
  t.pass('round trips are counted on PostgreSQL only (DATABASE_URL unset)');
} else {
  const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
  const { admin } = ctx;
  const counter = countRoundTrips(ctx.db.database.pool!);
  const centre = await createCentreMunicipalities(admin);
  const programme = await createProgramme(admin);
  let serial = 0;
  const body = (amountCents: number) => ({
    reference: `PB-RT-${++serial}`,
    title: 'Principebesluit',
    boardMeetingDate: '2026-01-22',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
    conditions: [{ description: 'Meetbare resultaatcriteria aanleveren', dueDate: '2026-02-15' }],
  });

  /** Runs one request alone and returns its JSON body and what it cost. */
  async function measured<T>(request: () => ReturnType<typeof admin.post>, status: number): Promise<{ json: T; counts: RoundTripCounts }> {
    counter.reset(); 
    const res = await request();
    const counts = counter.read();
    expectStatus(res, status, 'measured request');
    return { json: JSON.parse(res.body) as T, counts };
  }

  const rows: [string, RoundTripCounts, number][] = [];
  function expectAtMost(t: Test, name: string, counts: RoundTripCounts, roundTrips: number): void {
    rows.push([name, counts, roundTrips]);
    t.ok(counts.statements >= counts.roundTrips, `${name}: ${counts.statements} statements in ${counts.roundTrips} round trips`);
    t.ok(counts.roundTrips <= roundTrips, `${name}: ${counts.roundTrips} round trips, at most ${roundTrips}`);
  }

  t.test('each write costs a bounded number of round trips', async (t) => {
    const small = await measured<Decision>(() => admin.post('/api/v1/decisions', body(5_000_000)), 201);
    expectAtMost(t, 'create decision', small.counts, 4);
    const keyed = await measured<Decision>(() => admin.post('/api/v1/decisions', body(5_000_000), { 'idempotency-key': `rt-${serial}` }), 201);
    expectAtMost(t, 'create decision, Idempotency-Key', keyed.counts, 5);

    const adopted = await measured<Decision>(() => admin.post(`/api/v1/decisions/${small.json.id}/adopt`), 200);
    t.equal(adopted.json.status, 'adopted');
    expectAtMost(t, 'adopt (binds)', adopted.counts, 8);

    const large = await measured<Decision>(() => admin.post('/api/v1/decisions', body(20_000_000)), 201);
    const pending = await measured<Decision>(() => admin.post(`/api/v1/decisions/${large.json.id}/adopt`), 200);
    t.equal(pending.json.status, 'pending_ratification');
    expectAtMost(t, 'adopt (needs ratification)', pending.counts, 7);

    const ids = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
    for (const [i, municipalityId] of ids.entries()) {
      const vote = await measured(() => admin.post(`/api/v1/decisions/${large.json.id}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-02-20' }), 201);
      expectAtMost(t, i === 2 ? 'vote (ratifies)' : 'vote', vote.counts, 3);
    }

    const commitmentId = adopted.json.commitments[0]!.id;
    const payment = await measured(
      () => admin.post(`/api/v1/decisions/${small.json.id}/disbursements`, { commitmentId, amountCents: 1_000_000, paidOn: '2026-03-01', reference: 'BET-RT-1' }),
      201,
    );
    expectAtMost(t, 'disbursement', payment.counts, 4);

    const first = await measured<Decision>(() => admin.post('/api/v1/decisions', body(20_000_000)), 201);
    const second = await measured<Decision>(() => admin.post('/api/v1/decisions', body(30_000_000)), 201);
    for (const d of [first, second]) await measured(() => admin.post(`/api/v1/decisions/${d.json.id}/adopt`), 200);
    const college = await measured(
      () =>
        admin.post('/api/v1/college-decisions', {
          municipalityId: centre.maastricht.id,
          decidedOn: '2026-02-20',
          reference: 'COL-RT-1',
          votes: [
            { decisionId: first.json.id, outcome: 'approve' },
            { decisionId: second.json.id, outcome: 'approve' },
          ],
        }),
      201,
    );
    expectAtMost(t, 'college decision, 2 votes', college.counts, 8);

    t.comment(['| write | statements | round trips | bound |', '| --- | ---: | ---: | ---: |', ...rows.map(([name, c, bound]) => `| ${name} | ${c.statements} | ${c.roundTrips} | ${bound} |`)].join('\n'));
  });
}
