import t, { type Test } from 'tap';
import { sql, type SQL } from 'drizzle-orm';
import { openDatabase, type Database } from '../../../src/db/client.js';
import { fixedClock } from '../../../src/domain/clock.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { expectJson } from '../../helpers/assertions.js';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../../helpers/database.js';
import { createCentreMunicipalities, createKey, createProgramme } from '../../helpers/factories.js';
import {
  inconsistencies,
  seededRng,
  type Outcome,
  type Rng,
  type VoteAttempt,
  type VoteRow,
  type WithdrawAttempt,
} from '../../helpers/concurrency.js';

/**
 * The contract's concurrency promise for ratification votes: "These hold under any concurrency,
 * across any number of service instances on one database: a decision never has two votes from
 * one municipality, never ends ratified with a rejection or a missing approval, and never changes
 * state after ratified, rejected or withdrawn."
 *
 * On PostgreSQL (DATABASE_URL set) two app instances, each with a pool of its own, share one
 * database, and hundreds of conflicting votes and withdrawals on many decisions are fired at them
 * at once. Every request must be answered 201/200 or 409 (never 400, never 5xx), and afterwards
 * every decision's state must be the one its accepted votes and withdrawal imply. Without
 * DATABASE_URL the same storm runs against one PGlite-backed app, which serialises transactions:
 * a smoke test of the same assertions, not of the locking.
 *
 * The storm is random but seeded (CONCURRENCY_SEED overrides the seed), so a failure names the
 * seed that reproduces its plan; the interleaving itself is up to the database.
 */

const ROUNDS = 3;
const DECISIONS_PER_ROUND = 40;
const MIN_VOTES_PER_ROUND = 400;
const POOL_SIZE = 20;
const SEED = Number(process.env.CONCURRENCY_SEED ?? 20260301);
const CLOCK = fixedClock('2026-03-01T12:00:00Z');
const BOARD_MEETING_DATE = '2026-02-02';
const THRESHOLD_CENTS = 10_000_000;

interface Totals {
  requests: number;
  votes: number;
  withdraws: number;
  status: Record<number, number>;
  decisions: Record<string, number>;
  ms: number;
}

const totals: Totals = { requests: 0, votes: 0, withdraws: 0, status: {}, decisions: {}, ms: 0 };

/** Rows of a raw query, on node-postgres and PGlite alike. */
async function query<T>(database: Database, text: SQL): Promise<T[]> {
  const result = (await database.db.execute(text)) as unknown as { rows: T[] };
  return result.rows;
}

/** Runs `work` over `items` with at most `width` of them in flight: setup, not the storm. */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += width) {
    results.push(...(await Promise.all(items.slice(start, start + width).map((item, i) => work(item, start + i)))));
  }
  return results;
}

t.test('conflicting votes and withdrawals from two service instances keep every decision consistent', async (t) => {
  const onPostgres = testDatabaseUrl() !== undefined;

  // Teardowns run in reverse registration order: app B, pool B, app A, then the database is dropped.
  const dbA = await createTestDatabase({ poolSize: POOL_SIZE });
  t.teardown(() => dbA.close());
  const env = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
  const appA = await startTestApp(t, { database: dbA, clock: CLOCK, env });

  let appB = appA;
  if (onPostgres) {
    const poolB = await openDatabase({ databaseUrl: dbA.url, dataDir: 'unused', poolSize: POOL_SIZE, connectTimeoutMs: 30_000 });
    const dbB: TestDatabase = { database: poolB, url: dbA.url, close: () => poolB.close() };
    t.teardown(() => dbB.close());
    appB = await startTestApp(t, { database: dbB, clock: CLOCK, env });
    t.not(appA.db.database.pool, appB.db.database.pool, 'app A and app B have pools of their own');
    t.comment(`PostgreSQL: two app instances, each with a pool of ${POOL_SIZE}, on one database`);
  } else {
    t.comment(
      'DATABASE_URL is not set: the storm runs against ONE PGlite-backed app, which serialises transactions. ' +
        'The cross-instance part (two apps, two pools, real row locks) runs only on PostgreSQL.',
    );
  }

  // Fixture: the three centre municipalities, a college key each, a secretariat key, one programme.
  const admin = appA.admin;
  const centre = await createCentreMunicipalities(admin);
  const municipalityIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
  const collegeKeys = new Map<string, string>();
  for (const id of municipalityIds) collegeKeys.set(id, (await createKey(admin, 'college', id)).key);
  const secretariatKey = (await createKey(admin, 'secretariat')).key;
  const programme = await createProgramme(admin);
  const apps = [appA, appB];

  for (let round = 1; round <= ROUNDS; round++) {
    await t.test(`round ${round} (seed ${SEED + round})`, async (t) => {
      await stormRound(t, round, SEED + round);
    });
  }

  await t.test('the audit trail stayed one unbroken chain', async (t) => {
    const [chain] = await query<{ n: number; min: number | null; max: number | null; broken: number; head: number }>(
      dbA.database,
      sql`select count(*)::int as n, min(seq)::int as min, max(seq)::int as max,
            (select count(*)::int from audit_events a join audit_events b on b.seq = a.seq + 1 where b.prev_hash <> a.hash) as broken,
            (select seq::int from audit_head where id = 1) as head
          from audit_events`,
    );
    t.equal(chain?.min, 1, 'seq starts at 1');
    t.equal(chain?.max, chain?.n, 'seq has no gaps');
    t.equal(chain?.head, chain?.max, 'the head points at the last event');
    t.equal(chain?.broken, 0, 'every event links to the hash of the one before');
  });

  const statusLine = Object.entries(totals.status)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  const decisionLine = Object.entries(totals.decisions)
    .map(([status, n]) => `${status}: ${n}`)
    .join(', ');
  t.comment(
    `totals over ${ROUNDS} rounds (${onPostgres ? 'PostgreSQL, 2 instances' : 'PGlite, 1 instance'}): ` +
      `${totals.requests} requests (${totals.votes} votes, ${totals.withdraws} withdrawals) in ${totals.ms} ms of storm; ` +
      `answers ${statusLine}; decisions ${decisionLine}`,
  );

  interface Planned {
    decision: number;
    app: number;
    client: Client;
    kind: 'vote' | 'withdraw';
    body: Record<string, unknown>;
  }

  function planDecision(rng: Rng, decision: number): Planned[] {
    const planned: Planned[] = [];
    const profile = rng.next();
    // unanimous: only duplicate approvals; partial: one college stays silent; otherwise mixed.
    const pApprove = profile < 0.25 ? 1 : 0.65;
    const silent = profile >= 0.85 ? rng.pick(municipalityIds) : undefined;
    for (const municipalityId of municipalityIds) {
      if (municipalityId === silent) continue;
      const count = rng.int(2, 5);
      for (let i = 0; i < count; i++) planned.push(voteRequest(rng, decision, municipalityId, rng.chance(pApprove) ? 'approve' : 'reject'));
    }
    if (rng.chance(0.3)) {
      const count = rng.int(1, 3);
      for (let i = 0; i < count; i++) {
        planned.push({ decision, app: 0, client: admin, kind: 'withdraw', body: { reason: `Withdrawn in storm, attempt ${i + 1}` } });
      }
    }
    // Alternate the instances over this decision's requests, so duplicates meet across instances.
    planned.forEach((p, i) => {
      p.app = i % apps.length;
      const key = p.kind === 'withdraw' ? (rng.chance(0.5) ? secretariatKey : null) : rng.chance(0.5) ? collegeKeys.get(p.body.municipalityId as string)! : null;
      p.client = key === null ? apps[p.app]!.admin : apps[p.app]!.as(key);
    });
    return planned;
  }

  function voteRequest(rng: Rng, decision: number, municipalityId: string, outcome: Outcome): Planned {
    const decidedOn = `2026-02-${String(rng.int(2, 28)).padStart(2, '0')}`;
    const body = { municipalityId, outcome, decidedOn, reference: `B&W ${rng.int(1, 9999)}`, note: `storm ${outcome}` };
    return { decision, app: 0, client: admin, kind: 'vote', body };
  }

  async function stormRound(t: Test, round: number, seed: number): Promise<void> {
    const rng = seededRng(seed);

    // Fresh decisions at or above the threshold, adopted into pending_ratification.
    const decisionIds = await inBatches(Array.from({ length: DECISIONS_PER_ROUND }, (_, i) => i), 10, async (i) => {
      const amountCents = THRESHOLD_CENTS + (i % 4 === 0 ? 0 : i * 250_000);
      const created = expectJson<{ id: string }>(
        await admin.post('/api/v1/decisions', {
          reference: `STORM-${seed}-${round}-${i}`,
          title: `Storm decision ${round}.${i}`,
          boardMeetingDate: BOARD_MEETING_DATE,
          commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
        }),
        201,
        'create decision',
      );
      const adopted = expectJson<{ status: string; ratification: { requiredMunicipalityIds: string[] } }>(
        await admin.post(`/api/v1/decisions/${created.id}/adopt`),
        200,
        'adopt decision',
      );
      if (adopted.status !== 'pending_ratification') throw new Error(`adopted into ${adopted.status}`);
      if ([...adopted.ratification.requiredMunicipalityIds].sort().join() !== [...municipalityIds].sort().join()) {
        throw new Error('requiredMunicipalityIds are not the three centre municipalities');
      }
      return created.id;
    });

    const plan = decisionIds.flatMap((_, decision) => planDecision(rng, decision));
    // Top up with extra duplicate votes until the round has enough of them.
    while (plan.filter((p) => p.kind === 'vote').length < MIN_VOTES_PER_ROUND) {
      const template = rng.pick(plan.filter((p) => p.kind === 'vote'));
      const extra = voteRequest(rng, template.decision, template.body.municipalityId as string, rng.chance(0.5) ? 'approve' : 'reject');
      extra.app = rng.int(0, apps.length - 1);
      extra.client = apps[extra.app]!.admin;
      plan.push(extra);
    }
    rng.shuffle(plan);

    // The storm: every request at once.
    const started = Date.now();
    const responses = await Promise.all(
      plan.map((p) => {
        const id = decisionIds[p.decision]!;
        return p.client.post(p.kind === 'vote' ? `/api/v1/decisions/${id}/votes` : `/api/v1/decisions/${id}/withdraw`, p.body);
      }),
    );
    const elapsed = Date.now() - started;

    const votes = plan.filter((p) => p.kind === 'vote').length;
    totals.requests += plan.length;
    totals.votes += votes;
    totals.withdraws += plan.length - votes;
    totals.ms += elapsed;
    const roundStatus: Record<number, number> = {};
    for (const res of responses) {
      roundStatus[res.statusCode] = (roundStatus[res.statusCode] ?? 0) + 1;
      totals.status[res.statusCode] = (totals.status[res.statusCode] ?? 0) + 1;
    }
    t.ok(votes >= MIN_VOTES_PER_ROUND, `${votes} votes and ${plan.length - votes} withdrawals on ${DECISIONS_PER_ROUND} decisions, ${plan.length} requests at once`);
    t.comment(`round ${round}: storm took ${elapsed} ms; answers ${JSON.stringify(roundStatus)}`);

    // Every answer is one the contract allows for a valid request: 201/200 or 409.
    const unexpected = plan.flatMap((p, i) => {
      const res = responses[i]!;
      const allowed = p.kind === 'vote' ? [201, 409] : [200, 409];
      return allowed.includes(res.statusCode) ? [] : [`${p.kind} ${JSON.stringify(p.body)} -> ${res.statusCode} ${res.body.slice(0, 300)}`];
    });
    t.same(unexpected.slice(0, 10), [], `every vote answered 201 or 409, every withdrawal 200 or 409 (${unexpected.length} did not)`);
    t.equal(responses.filter((res) => res.statusCode >= 500).length, 0, 'no 5xx');

    // Group the answers per decision.
    const attempts = decisionIds.map(() => ({ votes: [] as VoteAttempt[], withdraws: [] as WithdrawAttempt[] }));
    plan.forEach((p, i) => {
      const res = responses[i]!;
      const json = (() => {
        try {
          return res.json<{ code?: string; id?: string }>();
        } catch {
          return {} as { code?: string; id?: string };
        }
      })();
      if (p.kind === 'vote') {
        attempts[p.decision]!.votes.push({
          municipalityId: p.body.municipalityId as string,
          outcome: p.body.outcome as Outcome,
          status: res.statusCode,
          code: json.code,
          voteId: res.statusCode === 201 ? json.id : undefined,
        });
      } else {
        attempts[p.decision]!.withdraws.push({ status: res.statusCode, code: json.code });
      }
    });

    // What the database holds, read directly.
    const duplicates = await query<{ decision_id: string; municipality_id: string; n: number }>(
      dbA.database,
      sql`select decision_id, municipality_id, count(*)::int as n from ratification_votes group by 1, 2 having count(*) > 1`,
    );
    t.same(duplicates, [], 'no decision has two votes from one municipality');

    const voteRows = await query<{ id: string; decision_id: string; municipality_id: string; outcome: Outcome }>(
      dbA.database,
      sql`select id, decision_id, municipality_id, outcome from ratification_votes order by decision_id, cast_at, id`,
    );
    const statusRows = await query<{ id: string; status: string }>(dbA.database, sql`select id, status from decisions`);
    const auditRows = await query<{ resource_id: string; action: string; n: number }>(
      dbA.database,
      sql`select resource_id, action, count(*)::int as n from audit_events where resource_type = 'decision' group by 1, 2`,
    );
    const statusOf = new Map(statusRows.map((row) => [row.id, row.status]));
    const auditCount = (decisionId: string, action: string) =>
      auditRows.find((row) => row.resource_id === decisionId && row.action === action)?.n ?? 0;

    const problems: string[] = [];
    const ended: Record<string, number> = {};
    await inBatches(decisionIds, 10, async (decisionId, index) => {
      const rows: VoteRow[] = voteRows
        .filter((row) => row.decision_id === decisionId)
        .map((row) => ({ id: row.id, municipalityId: row.municipality_id, outcome: row.outcome }));
      const status = statusOf.get(decisionId) ?? 'missing';
      ended[status] = (ended[status] ?? 0) + 1;
      totals.decisions[status] = (totals.decisions[status] ?? 0) + 1;
      const found = inconsistencies({ requiredMunicipalityIds: municipalityIds, ...attempts[index]!, rows, status });

      // The API, asked through both instances, says the same as the database.
      const viaB = (await appB.admin.get(`/api/v1/decisions/${decisionId}`)).json<{ status: string; ratification: { votes: { id: string }[] } }>();
      if (viaB.status !== status) found.push(`GET decision says ${viaB.status}, the database ${status}`);
      const listed = (await appA.admin.get(`/api/v1/decisions/${decisionId}/votes`)).json<{ items: { id: string }[] }>().items;
      if (listed.map((v) => v.id).join() !== rows.map((r) => r.id).join()) found.push('GET votes does not list the rows in castAt order');
      if (viaB.ratification.votes.map((v) => v.id).join() !== rows.map((r) => r.id).join()) found.push('ratification.votes does not list the rows in castAt order');

      // Every accepted change left its audit events, and a settled decision settled once.
      if (auditCount(decisionId, 'vote.cast') !== rows.length) found.push(`${auditCount(decisionId, 'vote.cast')} vote.cast events for ${rows.length} votes`);
      for (const [action, settled] of [
        ['decision.ratified', 'ratified'],
        ['decision.rejected', 'rejected'],
        ['decision.withdrawn', 'withdrawn'],
      ] as const) {
        const expected = status === settled ? 1 : 0;
        if (auditCount(decisionId, action) !== expected) found.push(`${auditCount(decisionId, action)} ${action} events (expected ${expected})`);
      }

      for (const problem of found) problems.push(`decision #${index} ${decisionId}: ${problem}`);
    });
    t.comment(`round ${round}: decisions ${JSON.stringify(ended)}`);
    t.same(problems.slice(0, 20), [], `every decision's state is consistent with its votes and withdrawal (${problems.length} problems)`);
  }
});
