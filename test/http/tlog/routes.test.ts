import t from 'tap';
import { openLogCheckpoint } from '../../../src/audit/log-checkpoint.js';
import { verifyConsistency } from '../../../src/audit/merkle.js';
import { parseVkey } from '../../../src/audit/vkey.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson, problemOf } from '../../helpers/assertions.js';
import { appendEvents } from '../../helpers/audit-events.js';
import { createKey } from '../../helpers/factories.js';

/** GET /tlog/consistency-proof and GET /tlog/status: auditors' views of the transparency log. */
const ctx = await startTestApp(t);
const { admin } = ctx;
const auditor = ctx.as((await createKey(admin, 'auditor')).key);
const reader = ctx.as((await createKey(admin, 'reader')).key);
const policy = () => ({ log: parseVkey(ctx.app.transparencyLog.settings.signer!.verifierKey), witnesses: [], quorum: 0 });

interface Status {
  treeSize: number;
  rootHash: string;
  checkpoint: string | null;
  logKey: string;
  latestSignedSize: number;
  integratedSize: number;
  witnesses: unknown[];
  quorumSize: number;
  rollbackSuspected: unknown;
  signingHalted: string | null;
}

// Asked before the first checkpoint exists, checked in the first test below (assertions on the
// root test before the set-up would let tap end the root test while the set-up still runs).
const statusBefore = await auditor.get('/api/v1/tlog/status');
const proofBefore = await auditor.get('/api/v1/tlog/consistency-proof?from=0&to=1');

await appendEvents(ctx.db.database, 40);
await ctx.app.transparencyLog.run();
const first = (await auditor.get('/api/v1/tlog/status')).json<Status>();
await appendEvents(ctx.db.database, 300);
await ctx.app.transparencyLog.run();
const second = (await auditor.get('/api/v1/tlog/status')).json<Status>();

t.test('the status before any checkpoint: an empty tree, no witnesses', async (t) => {
  const status = okJson<Status>(t, statusBefore);
  t.match(status, { treeSize: 0, rootHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', checkpoint: null, witnesses: [], quorumSize: 0, rollbackSuspected: null, signingHalted: null });
  t.equal(status.logKey, ctx.app.transparencyLog.settings.signer!.verifierKey);
  problemOf(t, proofBefore, 404, 'RESOURCE_NOT_FOUND');
});

t.test('the status shows the served checkpoint, which opens with the log key it names', async (t) => {
  t.ok(second.treeSize > first.treeSize);
  t.match(second, { integratedSize: second.treeSize, latestSignedSize: second.treeSize });
  const opened = openLogCheckpoint(second.checkpoint!, { ...policy(), log: parseVkey(second.logKey) });
  t.match(opened, { ok: true, checkpoint: { size: second.treeSize } });
  t.equal(opened.ok && opened.checkpoint.root.toString('hex'), second.rootHash);
});

t.test('a consistency proof links the two checkpoints, as RFC 6962 verifies it', async (t) => {
  const proof = okJson<{ from: number; to: number; hashes: string[] }>(t, await auditor.get(`/api/v1/tlog/consistency-proof?from=${first.treeSize}&to=${second.treeSize}`));
  t.match(proof, { from: first.treeSize, to: second.treeSize });
  const hashes = proof.hashes.map((hash) => Buffer.from(hash, 'hex'));
  t.same(verifyConsistency(first.treeSize, second.treeSize, hashes, Buffer.from(first.rootHash, 'hex'), Buffer.from(second.rootHash, 'hex')), { ok: true });
  t.same(okJson<{ hashes: string[] }>(t, await admin.get(`/api/v1/tlog/consistency-proof?from=0&to=${second.treeSize}`)).hashes, []);
  t.same(okJson<{ hashes: string[] }>(t, await admin.get(`/api/v1/tlog/consistency-proof?from=7&to=7`)).hashes, []);
});

t.test('refuses sizes beyond the checkpoint, from above to, bad numbers, and callers who are not auditors', async (t) => {
  problemOf(t, await auditor.get(`/api/v1/tlog/consistency-proof?from=1&to=${second.treeSize + 1}`), 400, 'PROOF_OUT_OF_RANGE');
  problemOf(t, await auditor.get('/api/v1/tlog/consistency-proof?from=9&to=8'), 400, 'PROOF_OUT_OF_RANGE');
  problemOf(t, await auditor.get('/api/v1/tlog/consistency-proof?from=-1&to=8'), 400, 'VALIDATION_FAILED');
  problemOf(t, await auditor.get('/api/v1/tlog/consistency-proof?to=8'), 400, 'VALIDATION_FAILED');
  problemOf(t, await auditor.get('/api/v1/tlog/status?x=1'), 400, 'VALIDATION_FAILED');
  problemOf(t, await reader.get('/api/v1/tlog/status'), 403);
  problemOf(t, await ctx.as(undefined).get('/api/v1/tlog/status'), 401);
});
