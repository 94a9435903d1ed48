import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { eventHash, type AuditEvent, type ChainVerdict as Verdict, type UnhashedEvent } from '../../../../src/audit/chain.js';
import { fixedClock } from '../../../../src/domain/clock.js';
import { startTestApp } from '../../../helpers/app.js';
import { expectJson } from '../../../helpers/assertions.js';
import { runOfflineVerifier } from '../../../helpers/audit-verifier.js';
import { createCentreMunicipalities, createKey, createOrganisation, createProgramme } from '../../../helpers/factories.js';

/**
 * Tampering with the stored audit trail directly in SQL, as someone with database access could:
 * each edit, deletion, insertion and reordering must make `GET /audit-events/verify` answer
 * valid:false naming the first affected seq, and the offline verifier must reach the same
 * verdict on a fresh export (or, where the export cannot show it, with the head published
 * before the tampering). The table is restored from a backup after every case.
 */

const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const db = ctx.db.database.db;


// A history of a few dozen events: keys, organisations, a programme, decisions, votes, a condition.
const auditor = ctx.as((await createKey(admin, 'auditor')).key);
const secretariatKey = await createKey(admin, 'secretariat');
const secretariat = ctx.as(secretariatKey.key);
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const applicant = await createOrganisation(secretariat, { kind: 'applicant', name: 'Stichting WTMR' });
const programme = await createProgramme(secretariat, { code: 'WTMR' });
const colleges = [
  [ctx.as((await createKey(admin, 'college', heerlen.id)).key), heerlen.id],
  [ctx.as((await createKey(admin, 'college', sittardGeleen.id)).key), sittardGeleen.id],
  [ctx.as((await createKey(admin, 'college', maastricht.id)).key), maastricht.id],
] as const;

async function ok(response: Promise<{ statusCode: number; body: string }>, status: number): Promise<{ id: string; conditions: { id: string }[] }> {
  return expectJson(await response, status, 'set-up step');
}

const wtmr = await ok(
  secretariat.post('/api/v1/decisions', {
    reference: 'ESZL-2026-007',
    title: 'Welcome to Maastricht Region',
    boardMeetingDate: '2026-02-10',
    applicantOrganisationId: applicant.id,
    commitments: [
      { programmeId: programme.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: programme.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions: [{ description: 'Submit measurable result criteria', dueDate: '2026-02-15' }],
  }),
  201,
);
await ok(secretariat.patch(`/api/v1/decisions/${wtmr.id}`, { summary: 'Regional talent attraction' }), 200);
await ok(secretariat.post(`/api/v1/decisions/${wtmr.id}/adopt`), 200);
for (const [college, municipalityId] of colleges) {
  await ok(college.post(`/api/v1/decisions/${wtmr.id}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-02-20' }), 201);
}
await ok(
  secretariat.post(`/api/v1/decisions/${wtmr.id}/conditions/${wtmr.conditions[0]!.id}/fulfil`, { fulfilledOn: '2026-02-14', evidence: 'Criteria received' }),
  200,
);

async function verifyTrail(): Promise<Verdict> {
  const res = await auditor.get('/api/v1/audit-events/verify');
  if (res.statusCode !== 200) throw new Error(`verify: ${res.statusCode} ${res.body}`);
  return res.json<Verdict>();
}

async function listEvents(): Promise<AuditEvent[]> {
  const res = await auditor.get('/api/v1/audit-events?limit=200');
  return res.json<{ items: AuditEvent[] }>().items;
}

const ORIGINAL = await listEvents();
const HEAD_SEQ = ORIGINAL.length;
const HEAD_HASH = ORIGINAL[HEAD_SEQ - 1]!.hash;
const hashOf = (seq: number) => ORIGINAL[seq - 1]!.hash;

const tempDir = mkdtempSync(join(tmpdir(), 'eszl-audit-tamper-'));
t.teardown(() => rmSync(tempDir, { recursive: true, force: true }));

/** A fresh NDJSON export as an auditor downloads it, written to a file. */
async function exportToFile(name: string): Promise<{ file: string; lines: AuditEvent[] }> {
  const res = await auditor.get('/api/v1/exports/audit-events');
  if (res.statusCode !== 200) throw new Error(`export: ${res.statusCode}`);
  const file = join(tempDir, `${name}.ndjson`);
  writeFileSync(file, res.body);
  return { file, lines: res.body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEvent) };
}


/** A forged event with a hash recomputed exactly as the service would, over the given prevHash. */
function forge(seq: number, prevHash: string): AuditEvent {
  const event: UnhashedEvent = {
    seq,
    occurredAt: '2026-03-01T12:30:00.000Z',
    actor: { keyId: secretariatKey.id, role: 'secretariat', organisationId: null },
    action: 'decision.withdrawn',
    resourceType: 'decision',
    resourceId: wtmr.id,
    data: { forged: true, reason: 'never happened' },
  };
  return { ...event, prevHash, hash: eventHash(prevHash, event) };
}

async function insertRow(event: AuditEvent): Promise<void> {
  await db.execute(sql`
    insert into audit_events
      (seq, occurred_at, actor_key_id, actor_role, actor_organisation_id, action, resource_type, resource_id, data, prev_hash, hash)
    values
      (${event.seq}, ${event.occurredAt}, ${event.actor.keyId}, ${event.actor.role}, ${event.actor.organisationId}, ${event.action},
       ${event.resourceType}, ${event.resourceId}, ${JSON.stringify(event.data)}::jsonb, ${event.prevHash}, ${event.hash})
  `);
}

async function restore(): Promise<void> {
  await db.execute(sql`delete from audit_events`);
  await db.execute(sql`insert into audit_events select * from audit_backup`);
  await db.execute(sql`update audit_head set seq = b.seq, hash = b.hash from audit_head_backup b where audit_head.id = b.id`);
}

t.test('the history is valid before any tampering and is backed up', async (t) => {
  t.ok(HEAD_SEQ >= 12, `a dozen or more events (${HEAD_SEQ})`);
  t.same(await verifyTrail(), { valid: true, count: HEAD_SEQ, headHash: HEAD_HASH, firstInvalidSeq: null });
  await db.execute(sql`create table audit_backup as select * from audit_events`);
  await db.execute(sql`create table audit_head_backup as select * from audit_head`);
  const { file, lines } = await exportToFile('original');
  t.equal(lines.length, HEAD_SEQ);
  const offline = await runOfflineVerifier(file, '--head', HEAD_HASH);
  t.equal(offline.status, 0);
  t.same(offline.fields, { verdict: 'VALID', count: String(HEAD_SEQ), headHash: HEAD_HASH, firstInvalidSeq: 'none' });
});

interface TamperCase {
  name: string;
  tamper(): Promise<void>;
  /** What verify answers (count: the rows it read). */
  verify: { valid: boolean; count: number; firstInvalidSeq: number | null };
  /** What the offline verifier says on a fresh export, and on it with the head published before the tampering. */
  offline: { verdict: 'VALID' | 'INVALID'; count: number; firstInvalidSeq: string };
  offlineWithHead: { verdict: 'VALID' | 'INVALID'; firstInvalidSeq: string };
}

const HEAD_DIFFERS = 'head hash differs from --head';

const CASES: TamperCase[] = [
  {
    name: 'an edited data field of seq 5 is named at 5, online and offline',
    tamper: () => db.execute(sql`update audit_events set data = '{"forged":true}'::jsonb where seq = 5`).then(() => undefined),
    verify: { valid: false, count: HEAD_SEQ, firstInvalidSeq: 5 },
    offline: { verdict: 'INVALID', count: HEAD_SEQ, firstInvalidSeq: '5' },
    offlineWithHead: { verdict: 'INVALID', firstInvalidSeq: '5' },
  },
  {
    name: 'an edited actor role of seq 2 is named at 2, online and offline',
    tamper: () => db.execute(sql`update audit_events set actor_role = 'secretariat' where seq = 2`).then(() => undefined),
    verify: { valid: false, count: HEAD_SEQ, firstInvalidSeq: 2 },
    offline: { verdict: 'INVALID', count: HEAD_SEQ, firstInvalidSeq: '2' },
    offlineWithHead: { verdict: 'INVALID', firstInvalidSeq: '2' },
  },
  {
    name: 'a deleted row, seq 6, is named at 6 (seq 7 follows seq 5), online and offline',
    tamper: () => db.execute(sql`delete from audit_events where seq = 6`).then(() => undefined),
    verify: { valid: false, count: HEAD_SEQ - 1, firstInvalidSeq: 6 },
    offline: { verdict: 'INVALID', count: HEAD_SEQ - 1, firstInvalidSeq: '6' },
    offlineWithHead: { verdict: 'INVALID', firstInvalidSeq: '6' },
  },
  {
    // verify compares the chain's end with the recorded audit_head; an export of the remaining
    // rows is a valid chain on its own, and only the head published before gives it away.
    name: 'a deleted last row is named at the head seq by verify; offline only via the head published before',
    tamper: () => db.execute(sql`delete from audit_events where seq = ${HEAD_SEQ}`).then(() => undefined),
    verify: { valid: false, count: HEAD_SEQ - 1, firstInvalidSeq: HEAD_SEQ },
    offline: { verdict: 'VALID', count: HEAD_SEQ - 1, firstInvalidSeq: 'none' },
    offlineWithHead: { verdict: 'INVALID', firstInvalidSeq: HEAD_DIFFERS },
  },
  {
    // The forged row lies beyond the recorded head. verify reads every row and names it; the
    // export streams only up to the recorded head, so it holds exactly the genuine trail and the
    // offline verifier (which sees no forged row) finds it valid.
    name: 'a forged row appended as seq head+1 with a correct hash is named at head+1 by verify; the export leaves it out',
    tamper: () => insertRow(forge(HEAD_SEQ + 1, HEAD_HASH)),
    verify: { valid: false, count: HEAD_SEQ + 1, firstInvalidSeq: HEAD_SEQ + 1 },
    offline: { verdict: 'VALID', count: HEAD_SEQ, firstInvalidSeq: 'none' },
    offlineWithHead: { verdict: 'VALID', firstInvalidSeq: 'none' },
  },
  {
    // Appending with a correct hash and moving audit_head along leaves a chain that is valid in
    // itself: no verifier without an outside anchor can tell. The head hash published before
    // the tampering is that anchor.
    name: 'a forged row appended with a correct hash and audit_head moved along is caught only by the head published before',
    tamper: async () => {
      const forged = forge(HEAD_SEQ + 1, HEAD_HASH);
      await insertRow(forged);
      await db.execute(sql`update audit_head set seq = ${forged.seq}, hash = ${forged.hash} where id = 1`);
    },
    verify: { valid: true, count: HEAD_SEQ + 1, firstInvalidSeq: null },
    offline: { verdict: 'VALID', count: HEAD_SEQ + 1, firstInvalidSeq: 'none' },
    offlineWithHead: { verdict: 'INVALID', firstInvalidSeq: HEAD_DIFFERS },
  },
  {
    // seq is the primary key, so nothing can be shifted in between: the insertion is a fork, a
    // row after the head whose prevHash links back to seq 3.
    name: 'a forked row (seq head+1 linking to seq 3) is named at head+1 by verify; the export leaves it out',
    tamper: () => insertRow(forge(HEAD_SEQ + 1, hashOf(3))),
    verify: { valid: false, count: HEAD_SEQ + 1, firstInvalidSeq: HEAD_SEQ + 1 },
    offline: { verdict: 'VALID', count: HEAD_SEQ, firstInvalidSeq: 'none' },
    offlineWithHead: { verdict: 'VALID', firstInvalidSeq: 'none' },
  },
  {
    name: 'a forked row with audit_head moved onto it is named at head+1, online and offline',
    tamper: async () => {
      const forged = forge(HEAD_SEQ + 1, hashOf(3));
      await insertRow(forged);
      await db.execute(sql`update audit_head set seq = ${forged.seq}, hash = ${forged.hash} where id = 1`);
    },
    verify: { valid: false, count: HEAD_SEQ + 1, firstInvalidSeq: HEAD_SEQ + 1 },
    offline: { verdict: 'INVALID', count: HEAD_SEQ + 1, firstInvalidSeq: String(HEAD_SEQ + 1) },
    offlineWithHead: { verdict: 'INVALID', firstInvalidSeq: String(HEAD_SEQ + 1) },
  },
  {
    // The check constraint seq > 0 rules out negative temporaries: park seq 7 above the head.
    name: 'rows 7 and 8 swapped are named at 7 (the row now at 7 links to 7, not 6), online and offline',
    tamper: async () => {
      await db.execute(sql`update audit_events set seq = ${HEAD_SEQ + 100} where seq = 7`);
      await db.execute(sql`update audit_events set seq = 7 where seq = 8`);
      await db.execute(sql`update audit_events set seq = 8 where seq = ${HEAD_SEQ + 100}`);
    },
    verify: { valid: false, count: HEAD_SEQ, firstInvalidSeq: 7 },
    offline: { verdict: 'INVALID', count: HEAD_SEQ, firstInvalidSeq: '7' },
    offlineWithHead: { verdict: 'INVALID', firstInvalidSeq: '7' },
  },
];

for (const c of CASES) {
  t.test(c.name, async (t) => {
    await c.tamper();
    try {
      const verdict = await verifyTrail();
      t.same(
        { valid: verdict.valid, count: verdict.count, firstInvalidSeq: verdict.firstInvalidSeq },
        c.verify,
        `verify answers valid:${c.verify.valid}, count ${c.verify.count}, firstInvalidSeq ${c.verify.firstInvalidSeq}`,
      );

      const { file, lines } = await exportToFile(c.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60));
      t.equal(lines.length, c.offline.count, `the export holds ${c.offline.count} lines`);
      if (c.verify.count > c.offline.count) {
        t.notOk(
          lines.some((line) => line.seq > HEAD_SEQ),
          'the row beyond the recorded head is not in the export',
        );
      }
      const offline = await runOfflineVerifier(file);
      t.equal(offline.status, c.offline.verdict === 'VALID' ? 0 : 1, `the offline verifier exits ${c.offline.verdict === 'VALID' ? 0 : 1}`);
      t.same(
        { verdict: offline.fields.verdict, count: offline.fields.count, firstInvalidSeq: offline.fields.firstInvalidSeq },
        { verdict: c.offline.verdict, count: String(c.offline.count), firstInvalidSeq: c.offline.firstInvalidSeq },
        `offline: ${c.offline.verdict}, count ${c.offline.count}, firstInvalidSeq ${c.offline.firstInvalidSeq}`,
      );
      if (c.verify.firstInvalidSeq !== null && c.offline.verdict === 'INVALID' && c.offline.firstInvalidSeq !== HEAD_DIFFERS) {
        t.equal(offline.fields.firstInvalidSeq, String(c.verify.firstInvalidSeq), 'the offline verifier names the same seq as verify');
      }

      const anchored = await runOfflineVerifier(file, '--head', HEAD_HASH);
      t.equal(anchored.status, c.offlineWithHead.verdict === 'VALID' ? 0 : 1);
      t.same(
        { verdict: anchored.fields.verdict, firstInvalidSeq: anchored.fields.firstInvalidSeq },
        c.offlineWithHead,
        `with --head <hash published before>: ${c.offlineWithHead.verdict} (${c.offlineWithHead.firstInvalidSeq})`,
      );
    } finally {
      await restore();
    }
    t.same(await verifyTrail(), { valid: true, count: HEAD_SEQ, headHash: HEAD_HASH, firstInvalidSeq: null }, 'restored, the trail verifies again');
  });
}

t.test('after all the tampering and restoring the trail is exactly the original', async (t) => {
  t.same(await listEvents(), ORIGINAL);
  const res = await secretariat.post('/api/v1/organisations', { name: 'After the tampering', kind: 'other' });
  t.equal(res.statusCode, 201, 'the service still appends');
  const verdict = await verifyTrail();
  t.same({ valid: verdict.valid, count: verdict.count, firstInvalidSeq: verdict.firstInvalidSeq }, { valid: true, count: HEAD_SEQ + 1, firstInvalidSeq: null });
  await db.execute(sql`drop table audit_backup`);
  await db.execute(sql`drop table audit_head_backup`);
});
