import { randomUUID } from 'node:crypto';
import t from 'tap';
import { verifyEvidence } from '../../../src/audit/evidence.js';
import { parseVkey } from '../../../src/audit/vkey.js';
import { amsterdamDateOf } from '../../../src/domain/clock.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp } from '../../helpers/app.js';
import { runOfflineVerifier } from '../../helpers/audit-verifier.js';
import { expectStatus, okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createDecision, createKey, createProgramme } from '../../helpers/factories.js';

/** GET /decisions/{id}/evidence: a decision's events with their proofs, checkable with the log key alone. */
const ctx = await startTestApp(t);
const { admin } = ctx;
const auditor = ctx.as((await createKey(admin, 'auditor')).key);
const reader = ctx.as((await createKey(admin, 'reader')).key);
const programme = await createProgramme(admin);
const today = amsterdamDateOf(new Date());
const draft = await createDecision(admin, {
  reference: `ESZL-PB-${randomUUID().slice(0, 8)}`,
  title: 'Kwartiermaker',
  boardMeetingDate: today,
  commitments: [{ programmeId: programme.id, year: 2026, amountCents: 5_000_000 }],
});
expectStatus(await admin.patch(`/api/v1/decisions/${draft.id}`, { summary: 'A smaller grant' }), 200, 'patch');
await adopt(admin, draft.id, 'adopted');
const other = await createDecision(admin, { reference: `ESZL-PB-${randomUUID().slice(0, 8)}`, title: 'Other', boardMeetingDate: today, commitments: [{ programmeId: programme.id, year: 2026, amountCents: 100 }] });

interface Evidence {
  decisionId: string;
  checkpoint: string;
  events: { event: { seq: number; action: string; resourceId: string; hash: string }; proof: { treeSize: number; hashes: string[] } }[];
}
const policy = () => ({ log: parseVkey(ctx.app.transparencyLog.settings.signer!.verifierKey), witnesses: [], quorum: 0 });

// Asked before the first checkpoint exists, checked in the first test below (assertions on the
// root test before the set-up would let tap end the root test while the set-up still runs).
const evidenceBefore = await auditor.get(`/api/v1/decisions/${draft.id}/evidence`);

await ctx.app.transparencyLog.run();

t.test('there is no evidence before the first checkpoint', async (t) => {
  problemOf(t, evidenceBefore, 404, 'RESOURCE_NOT_FOUND');
});

t.test('holds every event of the decision, proven against the served checkpoint, and verifies with the log key alone', async (t) => {
  const evidence = okJson<Evidence>(t, await auditor.get(`/api/v1/decisions/${draft.id}/evidence`));
  t.equal(evidence.decisionId, draft.id);
  // Adopted without fund contributions: the register also notes the fund's shortfall.
  t.same(evidence.events.map((e) => e.event.action), ['decision.created', 'decision.updated', 'decision.adopted', 'decision.fund_insufficient']);
  t.ok(evidence.events.every((e) => e.event.resourceId === draft.id));
  const verdict = verifyEvidence(evidence, policy());
  t.match(verdict, { ok: true, lines: [/size \d+/, /events: 4 about decision/] });
  const exported = (await admin.get('/api/v1/exports/audit-events')).body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { seq: number });
  t.same(evidence.events.map((e) => e.event), exported.filter((event) => evidence.events.some((e) => e.event.seq === event.seq)), 'each event exactly as the export writes it');
});

t.test('events after the checkpoint wait for the next one', async (t) => {
  expectStatus(await admin.patch(`/api/v1/decisions/${other.id}`, { title: 'Other, renamed' }), 200, 'patch');
  const before = okJson<Evidence>(t, await auditor.get(`/api/v1/decisions/${other.id}/evidence`));
  t.equal(before.events.length, 1);
  await ctx.app.transparencyLog.run();
  const after = okJson<Evidence>(t, await admin.get(`/api/v1/decisions/${other.id}/evidence`));
  t.equal(after.events.length, 2);
  t.match(verifyEvidence(after, policy()), { ok: true });
});

t.test('the offline verifier checks a saved evidence file with the log key alone, and names what a corrupted one breaks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'evidence-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const evidence = okJson<Evidence>(t, await auditor.get(`/api/v1/decisions/${draft.id}/evidence`));
  const file = join(dir, 'evidence.json');
  writeFileSync(file, JSON.stringify(evidence, null, 2));
  const logKey = ctx.app.transparencyLog.settings.signer!.verifierKey;
  const good = await runOfflineVerifier('evidence', file, '--log-key', logKey);
  t.equal(good.status, 0, good.stdout + good.stderr);
  t.equal(good.fields.verdict, 'VALID');
  const corrupted = JSON.parse(JSON.stringify(evidence)) as Evidence;
  corrupted.events[1]!.event.action = 'decision.withdrawn';
  writeFileSync(file, JSON.stringify(corrupted));
  const bad = await runOfflineVerifier('evidence', file, '--log-key', logKey);
  t.equal(bad.status, 1);
  t.match(bad.fields, { verdict: 'INVALID', failure: `event seq ${evidence.events[1]!.event.seq}: its hash does not match its content (the event was changed)` });
  const usage = await runOfflineVerifier('evidence', file);
  t.equal(usage.status, 2);
  t.match(usage.stderr, /--log-key is required/);
});

t.test('answers 404 for a decision without events, 400 for a bad id, 403 for a reader', async (t) => {
  problemOf(t, await auditor.get(`/api/v1/decisions/${randomUUID()}/evidence`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await auditor.get('/api/v1/decisions/not-a-uuid/evidence'), 400, 'VALIDATION_FAILED');
  problemOf(t, await reader.get(`/api/v1/decisions/${draft.id}/evidence`), 403);
});
