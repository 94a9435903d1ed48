import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { reconcileFund, type SnapshotMoney } from '../../../../src/audit/fund-reconciliation.js';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Decision } from '../../../../src/use-cases/decision-views.js';
import { ADMIN_KEY, startTestApp } from '../../../helpers/app.js';
import { expectJson, expectStatus, okJson } from '../../../helpers/assertions.js';
import { runOfflineVerifier } from '../../../helpers/audit-verifier.js';
import { createTestDatabase, testDatabaseUrl } from '../../../helpers/database.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, listAll } from '../../../helpers/factories.js';
import { decisionBody, paid } from '../../../helpers/after-adoption.js';
import { rowsOf } from '../../../helpers/instances.js';

/**
 * GET /exports/snapshot holds every resource of the register, each as its own list, from one
 * consistent read, and never a secret or a hash; the offline verifier reconciles the fund from it
 * per year and names the year a tampered snapshot no longer reconciles. Today (Europe/Amsterdam)
 * is 2026-03-01.
 */
const TODAY = '2026-03-01';
const WEBHOOK_SIGNING_KEY = 'snapshot-webhook-signing-key-0123456789abcdef';
const AUTHORIZATION_MARKER = 'encrypted-receiver-authorization-value-of-the-test';

const database = await createTestDatabase({ poolSize: 16 });
t.teardown(() => database.close());
const ctx = await startTestApp(t, {
  database,
  clock: fixedClock(`${TODAY}T12:00:00Z`),
  env: { WEBHOOK_SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '0' },
});
const { admin } = ctx;
const tempDir = mkdtempSync(join(tmpdir(), 'eszl-snapshot-'));
t.teardown(() => rmSync(tempDir, { recursive: true, force: true }));

const SNAPSHOT_KEYS = [
  'generatedAt',
  'auditHeadSeq',
  'auditHeadHash',
  'organisations',
  'programmes',
  'decisions',
  'statuteRules',
  'fundContributions',
  'coFinancing',
  'collegeDecisions',
  'indicators',
  'disbursements',
  'webhookSubscriptions',
  'apiKeys',
  'fund',
];

type Snapshot = Omit<SnapshotMoney, 'decisions'> & Record<string, unknown> & { auditHeadSeq: number; decisions: Decision[] };

// The register: three centre municipalities that fund two years, a programme with co-financing,
// a decision that binds (paid in part, with an indicator and a report) and one that awaits the
// colleges (one college decision has approved it), a webhook subscription, and API keys.
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const contribute = (organisationId: string, year: number, amountCents: number) =>
  admin.post('/api/v1/fund/contributions', { organisationId, year, amountCents, receivedOn: '2026-01-15', reference: `Bijdrage ${year}` });
expectStatus(await contribute(heerlen.id, 2026, 50_000_000), 201, 'contribution 2026');
expectStatus(await contribute(maastricht.id, 2027, 30_000_000), 201, 'contribution 2027');
expectStatus(
  await admin.post(`/api/v1/programmes/${programme.id}/co-financing`, { funderName: 'Regio Deal Zuid-Limburg', kind: 'regio_deal', year: 2026, amountCents: 7_500_000, reference: 'RD-1' }),
  201,
  'co-financing',
);
const small = await createDecision(admin, decisionBody([{ programmeId: programme.id, year: 2026, amountCents: 5_000_000 }]));
const smallAdopted = await adopt(admin, small.id, 'adopted');
await paid(admin, small.id, smallAdopted.commitments[0]!.id, 1_000_000, TODAY);
const indicator = expectJson<{ id: string }>(
  await admin.post(`/api/v1/decisions/${small.id}/indicators`, { code: 'PLACEMENTS', name: 'Placements', unit: 'placements', targets: [{ period: '2026', value: 60 }] }),
  201,
  'indicator',
);
expectStatus(await admin.post(`/api/v1/decisions/${small.id}/indicators/${indicator.id}/reports`, { period: '2026', value: 12, reportedOn: TODAY }), 201, 'report');
const large = await createDecision(admin, decisionBody([{ programmeId: programme.id, year: 2027, amountCents: 20_000_000 }]));
await adopt(admin, large.id, 'pending_ratification');
expectStatus(
  await admin.post('/api/v1/college-decisions', {
    municipalityId: heerlen.id,
    decidedOn: '2026-02-03',
    reference: 'CB-2026-02-03',
    votes: [{ decisionId: large.id, outcome: 'approve' }],
  }),
  201,
  'college decision',
);
const subscription = expectJson<{ id: string; secret: string }>(
  await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: 'http://127.0.0.1:9/snapshot-hook', eventTypes: ['decision.adopted'] }),
  201,
  'subscription',
);
// A receiver's Authorization value is stored (encrypted) with a subscription; the snapshot must not show it.
await rowsOf(ctx.db.database, sql`update webhook_subscriptions set authorization_encrypted = ${AUTHORIZATION_MARKER} where id = ${subscription.id}::uuid`);
const auditorKey = await createKey(admin, 'auditor');
const collegeKey = await createKey(admin, 'college', sittardGeleen.id);
const auditor = ctx.as(auditorKey.key);

async function takeSnapshot(): Promise<{ body: string; snapshot: Snapshot }> {
  const res = await auditor.get('/api/v1/exports/snapshot');
  const snapshot = expectJson<Snapshot>(res, 200, 'snapshot');
  return { body: res.body, snapshot };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

t.test('the snapshot holds every resource of the register, each as its own list, as the API lists them', async (t) => {
  const { snapshot } = await takeSnapshot();
  t.same(Object.keys(snapshot), SNAPSHOT_KEYS, 'the lists in their order: the first four as before, the new ones after them');
  t.same(snapshot.organisations, await listAll(admin, '/api/v1/organisations'), 'organisations');
  t.same(snapshot.programmes, await listAll(admin, '/api/v1/programmes'), 'programmes');
  t.same(snapshot.decisions, await listAll(admin, '/api/v1/decisions'), 'decisions, whole');
  t.same(snapshot.statuteRules, await listAll(admin, '/api/v1/statute-rules'), 'statute rules');
  t.same(snapshot.fundContributions, await listAll(admin, '/api/v1/fund/contributions'), 'fund contributions');
  t.equal((snapshot.fundContributions as unknown[]).length, 2);
  t.same(snapshot.coFinancing, await listAll(admin, `/api/v1/programmes/${programme.id}/co-financing`), 'co-financing');
  t.same(snapshot.collegeDecisions, await listAll(admin, '/api/v1/college-decisions'), 'college decisions with their votes');
  t.match(snapshot.collegeDecisions, [{ municipalityId: heerlen.id, votes: [{ decisionId: large.id, outcome: 'approve' }] }]);
  t.same(snapshot.indicators, await listAll(admin, `/api/v1/decisions/${small.id}/indicators`), 'indicators');
  t.match(snapshot.indicators, [{ code: 'PLACEMENTS', reports: [{ period: '2026', value: 12, reportedOn: TODAY }] }], 'with their reports');
  t.same(snapshot.disbursements, await listAll(admin, '/api/v1/disbursements'), 'disbursements, as their own list');
  t.equal((snapshot.disbursements as unknown[]).length, 1);
  t.same(snapshot.webhookSubscriptions, await listAll(admin, '/api/v1/webhook-subscriptions'), 'webhook subscriptions');
  t.same(snapshot.apiKeys, await listAll(admin, '/api/v1/api-keys'), 'API keys, revoked ones too');
  t.equal((snapshot.apiKeys as unknown[]).length, 3, 'the bootstrap admin key, the auditor and the college key');
  t.same(snapshot.fund, okJson(t, await admin.get('/api/v1/fund')), 'the fund view, as GET /fund answers it');
});

t.test('no secret, key, hash or Authorization value appears in a snapshot', async (t) => {
  const { body } = await takeSnapshot();
  for (const [what, secret] of [
    ['the admin key', ADMIN_KEY],
    ['the auditor key', auditorKey.key],
    ['the college key', collegeKey.key],
    ["the admin key's hash", sha256(ADMIN_KEY)],
    ["the auditor key's hash", sha256(auditorKey.key)],
    ["the college key's hash", sha256(collegeKey.key)],
    ["the subscription's signing secret", subscription.secret],
    ["the receiver's Authorization value", AUTHORIZATION_MARKER],
  ] as const) {
    t.notOk(body.includes(secret), `${what} is not in the snapshot`);
  }
  t.notMatch(body, /"(key|keyHash|secret|authorization\w*)":/i, 'no field named key, keyHash, secret or authorization');
});

t.test('the offline verifier reconciles the fund of a real snapshot per year, to the cent', async (t) => {
  const { body } = await takeSnapshot();
  const file = join(tempDir, 'snapshot.json');
  writeFileSync(file, body);
  const offline = await runOfflineVerifier('snapshot', file);
  t.equal(offline.status, 0, `exit 0 (stdout: ${offline.stdout} stderr: ${offline.stderr.slice(0, 300)})`);
  t.same(
    offline.stdout.trim().split('\n'),
    [
      'year 2026: contributed 50000000 - binding 5000000 - pending 0 = uncommitted 45000000 (paid 1000000): matches the fund view',
      'year 2027: contributed 30000000 - binding 0 - pending 20000000 = uncommitted 10000000 (paid 0): matches the fund view',
      'verdict: RECONCILED',
    ],
    'the figures of each year',
  );
});

t.test('the offline verifier rejects a tampered snapshot, naming the year', async (t) => {
  const { snapshot } = await takeSnapshot();
  const tamper = async (name: string, change: (copy: Snapshot) => void) => {
    const copy = structuredClone(snapshot);
    change(copy);
    const file = join(tempDir, `${name}.json`);
    writeFileSync(file, JSON.stringify(copy));
    return runOfflineVerifier('snapshot', file);
  };

  const contribution = await tamper('contribution', (copy) => {
    const first = copy.fundContributions.find((c) => c.year === 2026) as { amountCents: number };
    first.amountCents += 1;
  });
  t.equal(contribution.status, 1, 'a contribution one cent higher: exit 1');
  t.equal(contribution.fields.verdict, 'MISMATCH in 2026');
  t.match(contribution.stdout, /contributedCents: the lists add up to 50000001, the fund view says 50000000/);

  const view = await tamper('fund-view', (copy) => {
    const year = copy.fund.years.find((y) => y.year === 2027) as { bindingCents: number };
    year.bindingCents += 100;
  });
  t.equal(view.status, 1, 'a fund view that claims more binding money: exit 1');
  t.equal(view.fields.verdict, 'MISMATCH in 2027');
  t.match(view.stdout, /bindingCents: the lists add up to 0, the fund view says 100/);

  const dropped = await tamper('dropped-decision', (copy) => {
    copy.decisions = copy.decisions.filter((d) => d.id !== small.id);
    copy.disbursements = [];
  });
  t.equal(dropped.status, 1, 'a decision left out: exit 1');
  t.equal(dropped.fields.verdict, 'MISMATCH in 2026');

  const notOne = join(tempDir, 'not-a-snapshot.json');
  writeFileSync(notOne, '{"items":[]}');
  t.equal((await runOfflineVerifier('snapshot', notOne)).status, 2, 'a file that is no snapshot: exit 2');
});

t.test('every snapshot taken while many connections write is one consistent read', async (t) => {
  // Payments and contributions commit while snapshots are taken. Each snapshot must see one
  // moment: its fund view adds up from its own lists, each commitment's paid amount is the sum
  // of the payments listed on it, and it holds exactly the contributions its audit head covers.
  const commitmentId = (await listAll<Decision>(admin, '/api/v1/decisions')).find((d) => d.id === small.id)!.commitments[0]!.id;
  const writes = Array.from({ length: 40 }, (_, i) =>
    i % 2 === 0
      ? contribute([heerlen.id, sittardGeleen.id, maastricht.id][i % 3]!, 2026 + (i % 2), 1_000 + i)
      : admin.post(`/api/v1/decisions/${small.id}/disbursements`, { commitmentId, amountCents: 1_000 + i, paidOn: TODAY, reference: `BET-${i}` }),
  );
  const reads = Array.from({ length: 8 }, () => takeSnapshot());
  for (const res of await Promise.all(writes)) expectStatus(res, 201, 'concurrent write');
  const snapshots = (await Promise.all(reads)).map((read) => read.snapshot);

  const events = (await admin.get('/api/v1/exports/audit-events')).body
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { seq: number; action: string });
  for (const [i, snapshot] of snapshots.entries()) {
    const years = reconcileFund(snapshot);
    t.same(years.flatMap((year) => year.mismatches.map((field) => `${year.year} ${field}`)), [], `snapshot ${i}: the fund view adds up from its lists`);
    const commitment = snapshot.decisions.find((d) => d.id === small.id)!.commitments[0]!;
    const listedPaid = snapshot.disbursements.filter((d) => d.commitmentId === commitment.id).reduce((sum, d) => sum + d.amountCents, 0);
    t.equal(commitment.disbursedCents, listedPaid, `snapshot ${i}: the commitment's paid amount is the sum of the payments listed`);
    const recorded = events.filter((event) => event.seq <= snapshot.auditHeadSeq && event.action === 'fund.contribution_recorded').length;
    t.equal(snapshot.fundContributions.length, recorded, `snapshot ${i}: as many contributions as its audit head has recorded`);
  }
  const last = (await takeSnapshot()).snapshot;
  t.equal(last.fundContributions.length, 2 + 20, 'afterwards a snapshot holds every contribution');
  t.equal(last.disbursements.length, 1 + 20, 'and every payment');
  if (testDatabaseUrl() !== undefined) t.pass('on PostgreSQL the writes and snapshots ran on a pool of 16 connections');
});
