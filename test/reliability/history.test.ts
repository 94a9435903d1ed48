import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { sql, type SQL } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.js';
import { fixedClock } from '../../src/domain/clock.js';
import { ADMIN_KEY, startTestApp, type TestApp } from '../helpers/app.js';
import { seededRng } from '../helpers/concurrency.js';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../helpers/database.js';
import { createCentreMunicipalities, createKey, createOrganisation, createProgramme } from '../helpers/factories.js';
import { checkHistory, type DbSnapshot, type FundingAnswer, type SqlFundingRow, type VerifyAnswer } from './support/history-check.js';
import { SUCCESS, type HistoryEntry } from './support/history-model.js';
import { Workload, type Fixture } from './support/history-workload.js';

/**
 * Jepsen-style history checking. 32 requests are kept in flight at every moment against the
 * service (on PostgreSQL: two app instances, each with a pool of 16, on one database), each a
 * random create / adopt / vote / withdraw / fulfil-condition / add-condition / payment /
 * amendment / settlement, most of them aimed at a few recent decisions so that they collide.
 * Every request is recorded with its answer and its start and end time; afterwards
 * `checkHistory` (support/history-check.ts) holds the history against the database: every
 * acknowledged write is there and matches one audit event, the commit order respects real time,
 * the acknowledged writes replay legally in commit order through a sequential model of the
 * register (support/history-model.ts), every refusal is the one the model gives in a state the
 * register had while the request was in flight, the invariants of the contract hold on the raw
 * rows, the money adds up (support/history-money.ts: binding money per programme and year is the
 * one binding decision of each lineage, at final amounts once settled; nothing is paid beyond
 * what binds; no superseded decision binds or is paid after it was superseded), funding per
 * programme and year is the same from both funding endpoints, from SQL and from the replay, and
 * the audit chain verifies.
 *
 * HISTORY_OPS sets the size (default 10,000 on PostgreSQL, 2,000 on PGlite), HISTORY_SEED the seed.
 */

const onPostgres = testDatabaseUrl() !== undefined;
const SEED = Number(process.env.HISTORY_SEED ?? 20260301);
const OPS = Number(process.env.HISTORY_OPS ?? (onPostgres ? 10_000 : 2_000));
const IN_FLIGHT = 32;
const POOL_SIZE = 16;
const CLOCK = fixedClock('2026-03-01T12:00:00Z');

/** Rows of a raw query, on node-postgres and PGlite alike. */
async function query<T>(database: Database, text: SQL): Promise<T[]> {
  const result = (await database.db.execute(text)) as unknown as { rows: T[] };
  return result.rows;
}

t.test(`a random concurrent history of ${OPS} operations is consistent with the database (seed ${SEED})`, async (t) => {
  t.comment(`HISTORY_SEED=${SEED} HISTORY_OPS=${OPS}, ${IN_FLIGHT} requests in flight`);

  // Teardowns run in reverse registration order: apps and pool B first, the database is dropped last.
  const dbA = await createTestDatabase({ poolSize: POOL_SIZE });
  t.teardown(() => dbA.close());
  const env = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
  const appA = await startTestApp(t, { database: dbA, clock: CLOCK, env });
  const apps: TestApp[] = [appA];
  if (onPostgres) {
    const poolB = await openDatabase({ databaseUrl: dbA.url, dataDir: 'unused', poolSize: POOL_SIZE, connectTimeoutMs: 30_000 });
    const dbB: TestDatabase = { database: poolB, url: dbA.url, close: () => poolB.close() };
    t.teardown(() => dbB.close());
    apps.push(await startTestApp(t, { database: dbB, clock: CLOCK, env }));
    t.comment(`PostgreSQL: two app instances, each with a pool of ${POOL_SIZE}, on one database`);
  } else {
    t.comment(
      'DATABASE_URL is not set: the history runs against ONE PGlite-backed app, which serialises transactions. ' +
        'The checker is the same, but the cross-instance part (two apps, two pools, real row locks) ran only on PostgreSQL.',
    );
  }

  // Fixture: the three centre municipalities with a college key each, one other municipality, three programmes.
  const admin = appA.admin;
  const centre = await createCentreMunicipalities(admin);
  const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
  const other = await createOrganisation(admin, { name: 'Gemeente Kerkrade', kind: 'municipality', centreMunicipality: false });
  const collegeKeys = new Map<string, string>();
  for (const id of centreIds) collegeKeys.set(id, (await createKey(admin, 'college', id)).key);
  const secretariatKey = (await createKey(admin, 'secretariat')).key;
  // A fund that covers every adoption of the history, so adoption writes its one event only.
  const funded = await admin.post('/api/v1/fund/contributions', { organisationId: centre.heerlen.id, year: 2026, amountCents: 1_000_000_000_000, receivedOn: '2026-01-15', reference: 'History fund' });
  if (funded.statusCode !== 201) throw new Error(`fund contribution: ${funded.statusCode} ${funded.body}`);
  const programmeIds: string[] = [];
  for (const code of ['WTMR', 'AMKB', 'EUREGIO']) programmeIds.push((await createProgramme(admin, { code: `${code}-${SEED % 10_000}` })).id);
  const fixture: Fixture = {
    centreMunicipalityIds: centreIds,
    otherMunicipalityId: other.id,
    programmeIds,
    collegeKeys,
    secretariatKey,
    adminKey: ADMIN_KEY,
  };

  // The run: IN_FLIGHT workers, each issuing its next request as soon as its previous one is answered.
  const rng = seededRng(SEED);
  const workload = new Workload(rng, fixture, SEED);
  const history: HistoryEntry[] = [];
  let issued = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (issued < OPS) {
      const index = issued++;
      const op = workload.next();
      const app = rng.int(0, apps.length - 1);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const start = performance.now() - t0;
      const res = await apps[app]!.app.inject({
        method: 'POST',
        url: op.url,
        headers: { authorization: `Bearer ${op.key}`, 'content-type': 'application/json' },
        payload: JSON.stringify(op.body),
      });
      const end = performance.now() - t0;
      inFlight--;
      let response: unknown = null;
      try {
        response = JSON.parse(res.body);
      } catch {
        response = res.body.slice(0, 500);
      }
      const entry: HistoryEntry = {
        index,
        kind: op.kind,
        intent: op.intent,
        app,
        method: 'POST',
        url: op.url,
        body: op.body,
        decisionId: op.decisionId,
        conditionId: op.conditionId,
        reference: op.reference,
        status: res.statusCode,
        contentType: String(res.headers['content-type'] ?? ''),
        response,
        start,
        end,
      };
      workload.observe(entry);
      history[index] = entry;
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const runMs = performance.now() - t0;

  // What the database holds, read with SQL.
  const checkStarted = performance.now();
  const database = dbA.database;
  const snapshot: DbSnapshot = {
    decisions: (
      await query<{ id: string; reference: string; status: string; total: string; required: string[]; amends: string | null }>(
        database,
        sql`select id, reference, status, total_amount_cents::text as total, to_jsonb(required_municipality_ids) as required, amends from decisions`,
      )
    ).map((r) => ({ id: r.id, reference: r.reference, status: r.status, totalAmountCents: Number(r.total), requiredMunicipalityIds: r.required, amends: r.amends })),
    commitments: (
      await query<{ id: string; decision_id: string; position: number; programme_id: string; year: number; amount: string; final: string | null; disbursed: string }>(
        database,
        sql`select id, decision_id, position, programme_id, year, amount_cents::text as amount, final_amount_cents::text as final,
                   disbursed_cents::text as disbursed from decision_commitments`,
      )
    ).map((r) => ({
      id: r.id,
      decisionId: r.decision_id,
      position: r.position,
      programmeId: r.programme_id,
      year: r.year,
      amountCents: Number(r.amount),
      finalAmountCents: r.final === null ? null : Number(r.final),
      disbursedCents: Number(r.disbursed),
    })),
    conditions: (
      await query<{ id: string; decision_id: string; position: number; fulfilled_on: string | null; evidence: string | null; blocks: boolean }>(
        database,
        sql`select id, decision_id, position, fulfilled_on::text as fulfilled_on, evidence, blocks_disbursement as blocks from decision_conditions`,
      )
    ).map((r) => ({ id: r.id, decisionId: r.decision_id, position: r.position, fulfilledOn: r.fulfilled_on, evidence: r.evidence, blocksDisbursement: r.blocks })),
    votes: (
      await query<{ id: string; decision_id: string; municipality_id: string; outcome: string; decided_on: string }>(
        database,
        sql`select id, decision_id, municipality_id, outcome, decided_on::text as decided_on from ratification_votes`,
      )
    ).map((r) => ({ id: r.id, decisionId: r.decision_id, municipalityId: r.municipality_id, outcome: r.outcome, decidedOn: r.decided_on })),
    disbursements: (
      await query<{ id: string; decision_id: string; commitment_id: string; amount: string; paid_on: string }>(
        database,
        sql`select id, decision_id, commitment_id, amount_cents::text as amount, paid_on::text as paid_on from disbursements`,
      )
    ).map((r) => ({ id: r.id, decisionId: r.decision_id, commitmentId: r.commitment_id, amountCents: Number(r.amount), paidOn: r.paid_on })),
    audit: (
      await query<{ seq: string; action: string; resource_type: string; resource_id: string; data: unknown }>(
        database,
        sql`select seq::text as seq, action, resource_type, resource_id, data from audit_events order by seq`,
      )
    ).map((r) => ({ seq: Number(r.seq), action: r.action, resourceType: r.resource_type, resourceId: r.resource_id, data: r.data })),
  };
  // The funding figures straight from the tables, written here independently of the service's query.
  const sqlFunding: SqlFundingRow[] = (
    await query<{ programme_id: string; year: number; binding: string; pending: string; disbursed: string; released: string }>(
      database,
      sql`with per_decision as (
            select d.id, d.status, d.amends, c.programme_id, c.year, sum(c.amount_cents) as amount,
                   sum(coalesce(c.final_amount_cents, c.amount_cents)) as final
              from decision_commitments c join decisions d on d.id = c.decision_id
             group by d.id, d.status, d.amends, c.programme_id, c.year
          ), figures as (
            select p.programme_id, p.year,
                   case when p.status in ('adopted', 'ratified', 'settled') then p.final else 0 end as binding,
                   case when p.status = 'pending_ratification'
                        then greatest(p.amount - coalesce((select a.final from per_decision a where a.id = p.amends and a.programme_id = p.programme_id and a.year = p.year), 0), 0)
                        else 0 end as pending,
                   0 as disbursed,
                   case when p.status = 'settled' then p.amount - p.final else 0 end as released
              from per_decision p
            union all
            select c.programme_id, c.year, 0, 0, b.amount_cents, 0 from disbursements b join decision_commitments c on c.id = b.commitment_id
          )
          select programme_id, year, sum(binding)::text as binding, sum(pending)::text as pending,
                 sum(disbursed)::text as disbursed, sum(released)::text as released
            from figures group by programme_id, year`,
    )
  ).map((r) => ({
    programmeId: r.programme_id,
    year: r.year,
    bindingCents: Number(r.binding),
    pendingCents: Number(r.pending),
    disbursedCents: Number(r.disbursed),
    releasedCents: Number(r.released),
  }));

  // What the API says, through every instance: each programme's funding, and GET /funding.
  const funding: FundingAnswer[] = [];
  const verify: VerifyAnswer[] = [];
  for (const [app, instance] of apps.entries()) {
    for (const programmeId of programmeIds) {
      const res = await instance.admin.get(`/api/v1/programmes/${programmeId}/funding`);
      funding.push({ programmeId, app, via: 'programme', status: res.statusCode, body: res.json() });
    }
    const all = await instance.admin.get('/api/v1/funding');
    const body = all.json<{ programmes?: FundingAnswer['body'][]; years?: { year: number; bindingCents: number; disbursedCents: number }[] }>();
    for (const programmeId of programmeIds) {
      funding.push({ programmeId, app, via: 'funding', status: all.statusCode, body: body.programmes?.find((p) => p.programmeId === programmeId) ?? {} });
    }
    const summed = new Map<number, number>();
    for (const p of body.programmes ?? []) for (const y of p.years ?? []) summed.set(y.year, (summed.get(y.year) ?? 0) + y.bindingCents);
    t.same(
      (body.years ?? []).map((y) => [y.year, y.bindingCents]),
      [...summed.entries()].sort(([a], [b]) => a - b),
      `app ${app}: GET /funding's years are the sums over its programmes`,
    );
    const res = await instance.admin.get('/api/v1/audit-events/verify');
    verify.push({ app, status: res.statusCode, body: res.json() });
  }

  const { violations, stats } = checkHistory({ history, db: snapshot, centreMunicipalityIds: centreIds, programmeIds, funding, sqlFunding, verify });
  const checkMs = performance.now() - checkStarted;

  // The contract's invariants once more, straight from SQL and independent of the checker.
  const duplicates = await query<{ n: number }>(
    database,
    sql`select count(*)::int as n from (select 1 from ratification_votes group by decision_id, municipality_id having count(*) > 1) d`,
  );
  const ratifiedWithoutApproval = await query<{ id: string }>(
    database,
    sql`select d.id from decisions d where d.status = 'ratified' and (cardinality(d.required_municipality_ids) = 0 or exists (
          select 1 from unnest(d.required_municipality_ids) m(id)
          where not exists (select 1 from ratification_votes v where v.decision_id = d.id and v.municipality_id = m.id and v.outcome = 'approve')))`,
  );
  const bindingWithRejection = await query<{ id: string }>(
    database,
    sql`select d.id from decisions d where d.status in ('ratified', 'adopted', 'settled', 'superseded')
          and exists (select 1 from ratification_votes v where v.decision_id = d.id and v.outcome = 'reject')`,
  );
  const overPaid = await query<{ id: string }>(
    database,
    sql`select c.id from decision_commitments c where c.disbursed_cents > coalesce(c.final_amount_cents, c.amount_cents)`,
  );
  const twoBinding = await query<{ id: string }>(
    database,
    sql`select a.id from decisions a join decisions o on o.id = a.amends
         where a.status in ('adopted', 'ratified', 'settled') and o.status in ('adopted', 'ratified', 'settled')`,
  );
  t.equal(duplicates[0]?.n, 0, 'SQL: no municipality voted twice on a decision');
  t.same(ratifiedWithoutApproval, [], 'SQL: no decision is ratified without an approval from every required municipality');
  t.same(bindingWithRejection, [], 'SQL: no decision that binds or bound has a rejection');
  t.same(overPaid, [], 'SQL: no commitment is paid beyond what binds');
  t.same(twoBinding, [], 'SQL: no amendment binds beside the decision it amends');

  const kinds = Object.entries(stats.byKind)
    .map(([kind, counts]) => `${kind} ${JSON.stringify(counts)}`)
    .join('; ');
  t.comment(
    `${stats.operations} operations in ${(runMs / 1000).toFixed(1)} s (${Math.round(stats.operations / (runMs / 1000))}/s, ` +
      `max ${maxInFlight} in flight, ${apps.length} instance(s)); ${stats.acknowledged} acknowledged, ${stats.refusalsExplained} refusals explained; ` +
      `checked in ${(checkMs / 1000).toFixed(1)} s`,
  );
  t.comment(`answers: ${kinds}`);
  t.comment(
    `decisions: ${JSON.stringify(stats.finalStatuses)}; ${stats.auditEvents} audit events; ` +
      `up to ${stats.maxTransitionsPerDecision} acknowledged transitions on one decision`,
  );

  t.equal(history.length, OPS, `${OPS} operations recorded`);
  t.equal(maxInFlight, Math.min(IN_FLIGHT, OPS), `${Math.min(IN_FLIGHT, OPS)} requests were in flight at once`);
  t.equal(history.filter((e) => e.status >= 500).length, 0, 'no answer is 5xx');
  t.ok(stats.acknowledged > OPS / 4, 'a fair share of the operations was acknowledged');
  t.ok(history.some((e) => e.status === 409), 'the history has conflicts (409s) to explain');

  const byRule = new Map<string, number>();
  for (const v of violations) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
  if (violations.length > 0) {
    const file = join(tmpdir(), `history-${SEED}-${process.pid}.json`);
    await writeFile(file, JSON.stringify({ seed: SEED, ops: OPS, violations, history }, null, 1));
    t.comment(`violations by rule: ${JSON.stringify(Object.fromEntries(byRule))}; history written to ${file}`);
  }
  t.same(violations.slice(0, 25), [], `the checker found ${violations.length} violation(s)`);

  // The checker is not vacuous: each planted fault in a copy of this very history is found.
  await t.test('the checker finds planted faults', async (t) => {
    const acknowledgedOf = (h: HistoryEntry[], kind: HistoryEntry['kind']) => h.filter((e) => e.kind === kind && e.status === SUCCESS[kind]);
    /** `mutate` returns false when this history has nothing to plant the fault in (a tiny HISTORY_OPS). */
    const plant = (name: string, rule: string, mutate: (h: HistoryEntry[], db: DbSnapshot, f: FundingAnswer[]) => boolean) => {
      const began = performance.now();
      // Copies deep enough for the faults below (which change top-level fields only), cheap enough for 10,000 operations.
      const h = history.map((e) => ({ ...e }));
      const db: DbSnapshot = {
        decisions: snapshot.decisions.map((d) => ({ ...d })),
        commitments: [...snapshot.commitments],
        conditions: [...snapshot.conditions],
        votes: [...snapshot.votes],
        disbursements: [...snapshot.disbursements],
        audit: [...snapshot.audit],
      };
      const f = structuredClone(funding);
      if (!mutate(h, db, f)) {
        t.comment(`${name}: not planted, this history has no place for it`);
        return;
      }
      const found = checkHistory({ history: h, db, centreMunicipalityIds: centreIds, programmeIds, funding: f, sqlFunding, verify }).violations;
      t.ok(found.some((v) => v.rule === rule), `${name}: reported as ${rule} (${found.length} violation(s), ${(performance.now() - began).toFixed(0)} ms)`);
    };
    plant('an acknowledged vote missing from the database', 'acknowledged-write-lost', (h, db) => {
      const id = (acknowledgedOf(h, 'vote')[0]?.response as { id?: string } | undefined)?.id;
      db.votes = db.votes.filter((v) => v.id !== id);
      return id !== undefined;
    });
    plant('a second vote row of one municipality', 'invariant', (_h, db) => {
      const vote = db.votes[0];
      if (vote !== undefined) db.votes.push({ ...vote, id: '00000000-0000-4000-8000-000000000001' });
      return vote !== undefined;
    });
    plant('a ratified decision stored as pending', 'final-state', (_h, db) => {
      const ratified = db.decisions.find((d) => d.status === 'ratified');
      if (ratified !== undefined) ratified.status = 'pending_ratification';
      return ratified !== undefined;
    });
    plant('a commitment lost', 'commitments', (_h, db) => db.commitments.splice(0, 1).length === 1);
    plant('a vote.cast event lost', 'acknowledged-write-lost', (_h, db) => {
      const event = db.audit.find((x) => x.action === 'vote.cast');
      db.audit = db.audit.filter((e) => e !== event);
      return event !== undefined;
    });
    plant('a write acknowledged before an earlier-committed write started', 'real-time-order', (h) => {
      const last = acknowledgedOf(h, 'adopt').at(-1);
      if (last !== undefined) [last.start, last.end] = [-2, -1];
      return last !== undefined;
    });
    plant('"already voted" answered before any vote was cast', 'unexplained-refusal', (h) => {
      const refused = h.find((e) => e.kind === 'vote' && e.status === 409 && (e.response as { code?: string }).code === 'VOTE_ALREADY_CAST');
      if (refused !== undefined) [refused.start, refused.end] = [-2, -1];
      return refused !== undefined;
    });
    plant('funding off by one cent', 'funding', (_h, _db, f) => {
      const year = f.find((a) => (a.body.years ?? []).length > 0)?.body.years?.[0];
      if (year !== undefined) year.bindingCents += 1;
      return year !== undefined;
    });
    plant('a 201 for a request with an invalid body', 'accepted-invalid', (h) => {
      const invalid = h.find((e) => e.intent === 'invalid-body');
      if (invalid !== undefined) invalid.status = SUCCESS[invalid.kind];
      return invalid !== undefined;
    });
    plant('a commitment paid beyond its amount', 'money', (_h, db) => {
      const at = db.commitments.findIndex((c) => c.disbursedCents > 0);
      if (at !== -1) db.commitments[at] = { ...db.commitments[at]!, disbursedCents: db.commitments[at]!.amountCents + 1 };
      return at !== -1;
    });
    plant('an acknowledged payment missing from the database', 'acknowledged-write-lost', (_h, db) => db.disbursements.splice(0, 1).length === 1);
    plant('a superseded decision stored as binding', 'lineage', (_h, db) => {
      const superseded = db.decisions.find((d) => d.status === 'superseded');
      if (superseded !== undefined) superseded.status = 'ratified';
      return superseded !== undefined;
    });
    plant('"exceeds the commitment" answered before the decision bound', 'unexplained-refusal', (h) => {
      const refused = h.find((e) => e.kind === 'disburse' && (e.response as { code?: string }).code === 'DISBURSEMENT_EXCEEDS_COMMITMENT');
      if (refused !== undefined) [refused.start, refused.end] = [-2, -1];
      return refused !== undefined;
    });
    plant('disbursed money off by one cent', 'funding', (_h, _db, f) => {
      const year = f.find((a) => (a.body.years ?? []).some((y) => y.disbursedCents > 0))?.body.years?.find((y) => y.disbursedCents > 0);
      if (year !== undefined) year.disbursedCents -= 1;
      return year !== undefined;
    });
  });
});
