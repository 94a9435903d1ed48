import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { openDatabase } from '../../src/db/client.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { startTestApp, type Client } from '../helpers/app.js';
import { expectJson, expectStatus } from '../helpers/assertions.js';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/database.js';
import { createCentreMunicipalities, createDecision, createOrganisation, createProgramme } from '../helpers/factories.js';

/**
 * The adoption lock (src/db/adoption-lock.ts) is what makes splitting detection and fund coverage
 * hold under concurrency. Two app instances, each with a pool of its own, adopt at the same moment:
 * - splitting: pairs of decisions of one applicant and year (EUR 60,000 each, version 1 of the
 *   statute rules) that only together reach the threshold, round after round: never both
 *   unsuspected (exactly one is, the other names it);
 * - fund coverage: bursts of adoptions against one fund: in commit order (audit seq), each
 *   adoption's `uncommittedCentsBefore` is the previous one's minus the previous total.
 * Without the lock, both decisions of a pair read the register before either commits and both
 * come out unsuspected, and racing adoptions read the same uncommitted money; a run with the lock
 * call removed fails both checks. PGlite runs one transaction at a time, so this needs PostgreSQL.
 */
const onPostgres = testDatabaseUrl() !== undefined;
const SPLITTING_ROUNDS = Number(process.env.SPLITTING_ROUNDS ?? 50);
const FUND_ROUNDS = 10;
const FUND_BURST = 6;
const CLOCK = fixedClock('2026-03-01T12:00:00Z');
const POOL_SIZE = 10;
const CONTRIBUTED = 3_000_000_000;

async function twoInstances(t: Test): Promise<[Client, Client]> {
  const dbA = await createTestDatabase({ poolSize: POOL_SIZE });
  t.teardown(() => dbA.close());
  const env = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
  const appA = await startTestApp(t, { database: dbA, clock: CLOCK, env });
  const poolB = await openDatabase({ databaseUrl: dbA.url, dataDir: 'unused', poolSize: POOL_SIZE, connectTimeoutMs: 30_000 });
  const dbB: TestDatabase = { database: poolB, url: dbA.url, close: () => poolB.close() };
  t.teardown(() => dbB.close());
  const appB = await startTestApp(t, { database: dbB, clock: CLOCK, env });
  return [appA.admin, appB.admin];
}

function adopted(res: { statusCode: number; body: string }): Decision {
  return expectJson<Decision>(res, 200, 'adopt');
}

t.test('adoptions at the same moment on two instances see each other', { skip: onPostgres ? false : 'needs PostgreSQL (DATABASE_URL): PGlite runs one transaction at a time' }, async (t) => {
  const [a, b] = await twoInstances(t);
  const centre = await createCentreMunicipalities(a);
  const programme = await createProgramme(a);
  for (const municipality of Object.values(centre)) {
    const res = await a.post('/api/v1/fund/contributions', {
      organisationId: municipality.id,
      year: 2026,
      amountCents: CONTRIBUTED / 3,
      receivedOn: '2026-01-15',
      reference: `Bijdrage 2026 ${municipality.name}`,
    });
    expectStatus(res, 201, 'contribution');
  }
  const draft = (amountCents: number, applicantOrganisationId?: string) =>
    createDecision(a, {
      reference: `LOCK-${randomUUID()}`,
      title: 'Concurrent adoption',
      boardMeetingDate: '2026-02-10',
      ...(applicantOrganisationId && { applicantOrganisationId }),
      commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
    });

  await t.test(`${SPLITTING_ROUNDS} rounds of a EUR 60,000 + EUR 60,000 pair adopted at once: never both unsuspected`, async (t) => {
    let bothUnsuspected = 0;
    let wrongPartner = 0;
    for (let round = 0; round < SPLITTING_ROUNDS; round++) {
      const applicant = await createOrganisation(a, { kind: 'applicant' });
      const [x, y] = [await draft(6_000_000, applicant.id), await draft(6_000_000, applicant.id)];
      const [dx, dy] = await Promise.all([a.post(`/api/v1/decisions/${x.id}/adopt`), b.post(`/api/v1/decisions/${y.id}/adopt`)]).then((r) => r.map(adopted));
      const suspected = [dx!, dy!].filter((d) => d.splitting.suspected);
      if (suspected.length === 0) bothUnsuspected++;
      for (const d of suspected) if (d.splitting.relatedDecisionIds.join() !== (d.id === x.id ? y.id : x.id)) wrongPartner++;
      if (suspected.length !== 1) t.fail(`round ${round}: ${suspected.length} of the pair suspected`);
    }
    t.equal(bothUnsuspected, 0, 'no round left both decisions unsuspected');
    t.equal(wrongPartner, 0, 'each suspected decision names its partner');
  });

  await t.test(`${FUND_ROUNDS} bursts of ${FUND_BURST} adoptions: uncommittedCentsBefore follows commit order`, async (t) => {
    for (let round = 0; round < FUND_ROUNDS; round++) {
      const drafts = await Promise.all(Array.from({ length: FUND_BURST }, (_, i) => draft(1_000_000 + round * 10_000 + i)));
      await Promise.all(drafts.map((d, i) => (i % 2 === 0 ? a : b).post(`/api/v1/decisions/${d.id}/adopt`).then(adopted)));
    }
    // Every adoption of the register, in commit order.
    const events: { seq: number; data: { decision: Decision } }[] = [];
    let cursor: string | null = null;
    do {
      const res = await a.get(`/api/v1/audit-events?resourceType=decision&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const page = res.json<{ items: { seq: number; action: string; data: { decision: Decision } }[]; nextCursor: string | null }>();
      events.push(...page.items.filter((e) => e.action === 'decision.adopted'));
      cursor = page.nextCursor;
    } while (cursor !== null);
    t.equal(events.length, SPLITTING_ROUNDS * 2 + FUND_ROUNDS * FUND_BURST, 'every adoption is in the trail');
    let expected = CONTRIBUTED;
    let broken = 0;
    for (const { data } of events) {
      const coverage = data.decision.fundCoverage;
      if (coverage?.uncommittedCentsBefore !== expected) broken++;
      expected -= data.decision.totalAmountCents;
    }
    t.equal(broken, 0, 'each adoption saw the money the adoptions committed before it, and no other');
    t.equal(events.every((e) => e.data.decision.fundCoverage?.sufficient === true), true, 'the fund covered them all');
    const fund = (await a.get('/api/v1/fund')).json<{ uncommittedCents: number }>();
    t.equal(fund.uncommittedCents, expected, 'the fund\'s position agrees');
  });
});
