import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { eventHash, GENESIS_HASH, type AuditEvent, type ChainVerdict } from '../../../../src/audit/chain.js';
import { readAuditEvents, toAuditEvent } from '../../../../src/db/audit-repository.js';
import { generateSigningKeyPem } from '../../../../src/audit/signing-key.js';
import { startTestApp } from '../../../helpers/app.js';
import { runOfflineVerifier } from '../../../helpers/audit-verifier.js';
import { createKey, createOrganisation, createProgramme } from '../../../helpers/factories.js';

/**
 * What a signed checkpoint adds to the hash chain: someone with database access edits an event
 * and hashes the whole chain again, so the trail is consistent in itself and `verify` finds
 * nothing. An auditor who saved an earlier checkpoint still detects the rewrite offline; one who
 * also holds the checkpoint the service signs after the rewrite holds proof of a fork.
 */
const ctx = await startTestApp(t);
const { admin, app } = ctx;
const auditor = ctx.as((await createKey(admin, 'auditor')).key);
const db = ctx.db.database.db;
const dir = mkdtempSync(join(tmpdir(), 'eszl-rewrite-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function download(path: string, name: string): Promise<string> {
  const res = await auditor.get(path);
  if (res.statusCode !== 200) throw new Error(`${path}: ${res.statusCode} ${res.body}`);
  const file = join(dir, name);
  writeFileSync(file, res.body);
  return file;
}
const lastEvent = (text: string) => JSON.parse(text.trim().split('\n').pop()!) as AuditEvent;
const verifyOnline = async () => (await auditor.get('/api/v1/audit-events/verify')).json<ChainVerdict>();

for (let i = 0; i < 4; i++) await createOrganisation(admin, { name: `Organisation ${i}` });
await createProgramme(admin, { code: 'WTMR' });
const firstExport = await download('/api/v1/exports/audit-events', 'first.ndjson');
const checkpoint = (await app.auditCheckpoints.issue())!;
const savedCheckpoint = join(dir, 'monday.checkpoint');
writeFileSync(savedCheckpoint, (await auditor.get('/api/v1/audit-checkpoints/latest')).body);
const publicKey = (await app.inject({ method: 'GET', url: '/api/v1/audit-checkpoints/public-key' })).body.trim();
const head = lastEvent(readFileSync(firstExport, 'utf8'));

t.test('the first export matches the checkpoint saved with it', async (t) => {
  t.equal(head.seq, checkpoint.seq);
  const result = await runOfflineVerifier(firstExport, '--checkpoint', savedCheckpoint, '--public-key', publicKey);
  t.equal(result.status, 0, result.stdout);
  t.equal(result.fields.verdict, 'VALID');
  t.match(result.stdout, /checkpoint: .*monday\.checkpoint \(seq \d+\): matches/);
});

t.test('an incremental export continues the first and verifies from its head', async (t) => {
  for (let i = 0; i < 3; i++) await createOrganisation(admin, { name: `Later ${i}` });
  const continuation = await download(`/api/v1/exports/audit-events?afterSeq=${head.seq}`, 'continuation.ndjson');
  const lines = readFileSync(continuation, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as AuditEvent);
  t.same(lines.map((e) => e.seq), [head.seq + 1, head.seq + 2, head.seq + 3], 'only the events after afterSeq');
  const ok = await runOfflineVerifier(continuation, '--after-seq', String(head.seq), '--prev-hash', head.hash, '--checkpoint', savedCheckpoint, '--public-key', publicKey);
  t.equal(ok.status, 0, ok.stdout);
  t.same({ verdict: ok.fields.verdict, count: ok.fields.count }, { verdict: 'VALID', count: '3' });
  t.match(ok.stdout, /matches/, 'the checkpoint at the seq it continues from is checked against --prev-hash');
  const alone = await runOfflineVerifier(continuation);
  t.equal(alone.status, 1, 'without the previous head a continuation does not verify from the start');
  const wrong = await runOfflineVerifier(continuation, '--after-seq', String(head.seq), '--prev-hash', GENESIS_HASH);
  t.equal(wrong.fields.firstInvalidSeq, String(head.seq + 1), 'a wrong previous hash is named at the first event');
  const empty = await auditor.get(`/api/v1/exports/audit-events?afterSeq=${head.seq + 100}`);
  t.equal(empty.statusCode, 200);
  t.equal(empty.body, '', 'after the head: nothing');
});

/** Edits seq 3 and hashes every event from there on again, as the service would: a chain consistent in itself. */
async function rewriteFromSeq3(): Promise<void> {
  const events = (await readAuditEvents(db, 0, 1_000)).map(toAuditEvent);
  let prevHash = events[1]!.hash;
  for (const event of events.slice(2)) {
    const data = event.seq === 3 ? { ...(event.data as object), organisation: { ...(event.data as { organisation: object }).organisation, name: 'Forged' } } : event.data;
    const hash = eventHash(prevHash, { ...event, data });
    await db.execute(sql`update audit_events set data = ${JSON.stringify(data)}::jsonb, prev_hash = ${prevHash}, hash = ${hash} where seq = ${event.seq}`);
    prevHash = hash;
  }
  await db.execute(sql`update audit_head set hash = ${prevHash} where id = 1`);
}

t.test('a consistent rewrite: verify says valid, the offline verifier holding the earlier checkpoint says invalid', async (t) => {
  await rewriteFromSeq3();
  const online = await verifyOnline();
  t.equal(online.valid, true, 'the rewritten chain is consistent in itself');
  const rewritten = await download('/api/v1/exports/audit-events', 'rewritten.ndjson');
  const withoutCheckpoint = await runOfflineVerifier(rewritten);
  t.equal(withoutCheckpoint.fields.verdict, 'VALID', 'without an outside anchor nobody can tell');
  const withCheckpoint = await runOfflineVerifier(rewritten, '--checkpoint', savedCheckpoint, '--public-key', publicKey);
  t.equal(withCheckpoint.status, 1);
  t.equal(withCheckpoint.fields.verdict, 'INVALID');
  t.match(withCheckpoint.stdout, new RegExp(`seq ${checkpoint.seq}\\): the export has [0-9a-f]{64} there, the checkpoint ${checkpoint.headHash}: the trail was rewritten`));
});

t.test('the service re-signing the rewritten past gives the auditor proof of a fork', async (t) => {
  // The operator cuts the trail back to the signed seq and lets the service sign it again.
  await db.execute(sql`delete from audit_events where seq > ${checkpoint.seq}`);
  await db.execute(sql`update audit_head set seq = ${checkpoint.seq}, hash = (select hash from audit_events where seq = ${checkpoint.seq}) where id = 1`);
  await db.execute(sql`delete from audit_checkpoints`);
  const resigned = (await app.auditCheckpoints.issue())!;
  t.equal(resigned.seq, checkpoint.seq);
  t.not(resigned.headHash, checkpoint.headHash);
  const tuesday = join(dir, 'tuesday.checkpoint');
  writeFileSync(tuesday, resigned.note);
  const result = await runOfflineVerifier(await download('/api/v1/exports/audit-events', 'cut.ndjson'), '--checkpoint', savedCheckpoint, '--checkpoint', tuesday, '--public-key', publicKey);
  t.equal(result.status, 1);
  t.match(result.stdout, /fork: .*monday\.checkpoint and .*tuesday\.checkpoint are both signed for seq \d+/);
});

t.test('a checkpoint signed by another key, or a malformed key, is reported', async (t) => {
  const other = await startTestApp(t, { env: { AUDIT_SIGNING_KEY: generateSigningKeyPem() } });
  await createOrganisation(other.admin);
  const foreign = join(dir, 'foreign.checkpoint');
  writeFileSync(foreign, (await other.app.auditCheckpoints.issue())!.note);
  const result = await runOfflineVerifier(firstExport, '--checkpoint', foreign, '--public-key', publicKey);
  t.equal(result.status, 1);
  t.match(result.stdout, /foreign\.checkpoint: not a valid checkpoint of this key/);
  const usage = await runOfflineVerifier(firstExport, '--checkpoint', foreign, '--public-key', 'nonsense');
  t.equal(usage.status, 2);
});
