import t from 'tap';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../../../src/db/client.js';
import { fixedClock } from '../../../src/domain/clock.js';
import { startTestApp, type Client, type TestApp } from '../../helpers/app.js';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../helpers/database.js';
import { createCentreMunicipalities, createKey, createProgramme } from '../../helpers/factories.js';
import { seededRng, type Rng } from '../../helpers/concurrency.js';

/**
 * College decisions under concurrency: "all votes or none" and "never two votes of one
 * municipality on one decision" must hold while college decisions and single votes of the same
 * municipalities race for the same decisions on two service instances. College decisions of two
 * municipalities name overlapping decisions in opposite orders, which deadlocks unless the
 * decisions are locked in one order (they are: by id, before any vote is checked).
 *
 * On PostgreSQL (DATABASE_URL set) two app instances with pools of their own share one database.
 * Without it the same storm runs against one PGlite-backed app, which serialises transactions: a
 * smoke test of the same assertions, not of the locking. Seeded (CONCURRENCY_SEED).
 */
const ROUNDS = 4;
const DECISIONS_PER_ROUND = 8;
const SEED = Number(process.env.CONCURRENCY_SEED ?? 20260203);
const CLOCK = fixedClock('2026-03-01T12:00:00Z');

interface Planned {
  kind: 'college' | 'single';
  client: Client;
  url: string;
  body: { municipalityId: string; reference: string; votes?: { decisionId: string }[] } & Record<string, unknown>;
}

t.test('college decisions and single votes racing on two instances: no duplicate vote, never a partial college decision', async (t) => {
  const onPostgres = testDatabaseUrl() !== undefined;
  const dbA = await createTestDatabase({ poolSize: 10 });
  t.teardown(() => dbA.close());
  const env = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
  const appA = await startTestApp(t, { database: dbA, clock: CLOCK, env });
  const apps: TestApp[] = [appA];
  if (onPostgres) {
    const poolB = await openDatabase({ databaseUrl: dbA.url, dataDir: 'unused', poolSize: 10, connectTimeoutMs: 30_000 });
    const dbB: TestDatabase = { database: poolB, url: dbA.url, close: () => poolB.close() };
    t.teardown(() => dbB.close());
    apps.push(await startTestApp(t, { database: dbB, clock: CLOCK, env }));
  } else {
    t.comment('DATABASE_URL is not set: one PGlite-backed app, transactions serialised; the cross-instance race runs on PostgreSQL only.');
  }
  const { admin } = appA;
  const centre = await createCentreMunicipalities(admin);
  // Heerlen and Maastricht race; Sittard-Geleen never votes, so every decision stays pending and every refusal is a duplicate.
  const voters = [centre.heerlen.id, centre.maastricht.id];
  const keys = new Map<string, string>();
  for (const id of voters) keys.set(id, (await createKey(admin, 'college', id)).key);
  const programme = await createProgramme(admin);
  const statuses: Record<string, number> = {};

  for (let round = 1; round <= ROUNDS; round++) {
    const rng = seededRng(SEED + round);
    const decisionIds: string[] = [];
    for (let i = 0; i < DECISIONS_PER_ROUND; i++) {
      const created = await admin.post('/api/v1/decisions', {
        reference: `CD-STORM-${SEED}-${round}-${i}`,
        title: 'Storm decision',
        boardMeetingDate: '2026-02-02',
        commitments: [{ programmeId: programme.id, year: 2026, amountCents: 10_000_000 }],
      });
      const id = created.json<{ id: string }>().id;
      if ((await admin.post(`/api/v1/decisions/${id}/adopt`)).statusCode !== 200) throw new Error('adopt failed');
      decisionIds.push(id);
    }
    const plan = planRound(rng, round, decisionIds);
    const responses = await Promise.all(plan.map((p) => p.client.post(p.url, p.body)));

    const unexpected = plan.flatMap((p, i) => {
      const res = responses[i]!;
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const code = res.statusCode === 409 ? res.json<{ code: string }>().code : undefined;
      return res.statusCode === 201 || code === 'VOTE_ALREADY_CAST' ? [] : [`${p.kind} -> ${res.statusCode} ${res.body.slice(0, 300)}`];
    });
    t.same(unexpected, [], `round ${round}: every request answered 201 or 409 VOTE_ALREADY_CAST`);

    const votes = await queryRows<{ decision_id: string; municipality_id: string; reference: string; college_decision_id: string | null }>(
      appA.db.database.db,
      sql`select decision_id::text, municipality_id::text, reference, college_decision_id::text from ratification_votes
           where decision_id in (${sql.join(decisionIds.map((id) => sql`${id}::uuid`), sql`, `)})`,
    );
    const pairs = votes.map((v) => `${v.decision_id}/${v.municipality_id}`);
    t.equal(new Set(pairs).size, pairs.length, `round ${round}: no municipality voted twice on a decision`);
    const accepted = plan.filter((_, i) => responses[i]!.statusCode === 201);
    t.equal(votes.length, accepted.reduce((n, p) => n + (p.body.votes?.length ?? 1), 0), `round ${round}: the vote rows are exactly those of the 201 answers`);
    for (const [i, p] of plan.entries()) {
      if (p.kind !== 'college') continue;
      const own = votes.filter((v) => v.reference === p.body.reference);
      const ok = responses[i]!.statusCode === 201;
      const id = ok ? responses[i]!.json<{ id: string }>().id : undefined;
      const whole = ok ? own.length === p.body.votes!.length && own.every((v) => v.college_decision_id === id) : own.length === 0;
      t.ok(whole, `round ${round}: college decision ${p.body.reference} (${ok ? 201 : responses[i]!.statusCode}) has ${own.length} of ${p.body.votes!.length} votes`);
    }
    const rows = await queryRows<{ reference: string }>(appA.db.database.db, sql`select reference from college_decisions where reference like ${`R${round}-%`}`);
    t.same(
      rows.map((r) => r.reference).sort(),
      plan.filter((p, i) => p.kind === 'college' && responses[i]!.statusCode === 201).map((p) => p.body.reference).sort(),
      `round ${round}: a college decision row exists exactly for each 201`,
    );
  }
  t.comment(`answers over ${ROUNDS} rounds (${onPostgres ? 'PostgreSQL, 2 instances' : 'PGlite, 1 instance'}): ${JSON.stringify(statuses)}`);

  /** Per municipality: three college decisions over random overlapping subsets (in random order), and single votes. */
  function planRound(rng: Rng, round: number, decisionIds: string[]): Planned[] {
    const plan: Planned[] = [];
    for (const municipalityId of voters) {
      // Either instance; the municipality's college key or the admin key.
      const client = () => {
        const app = apps[rng.int(0, apps.length - 1)]!;
        return rng.chance(0.5) ? app.as(keys.get(municipalityId)!) : app.admin;
      };
      for (let c = 0; c < 3; c++) {
        const chosen = rng.shuffle([...decisionIds]).slice(0, rng.int(2, 5));
        plan.push({
          kind: 'college',
          client: client(),
          url: '/api/v1/college-decisions',
          body: {
            municipalityId,
            decidedOn: '2026-02-20',
            reference: `R${round}-${municipalityId.slice(0, 8)}-${c}`,
            votes: chosen.map((decisionId) => ({ decisionId, outcome: 'approve' })),
          },
        });
      }
      for (const decisionId of rng.shuffle([...decisionIds]).slice(0, 5)) {
        plan.push({
          kind: 'single',
          client: client(),
          url: `/api/v1/decisions/${decisionId}/votes`,
          body: { municipalityId, outcome: 'approve', decidedOn: '2026-02-21', reference: `single-${round}` },
        });
      }
    }
    return rng.shuffle(plan);
  }
});
