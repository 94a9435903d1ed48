import t from 'tap';
import { leafHash, verifyInclusion } from '../../../src/audit/merkle.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson, problemOf } from '../../helpers/assertions.js';
import { appendEvents, chainHashes } from '../../helpers/audit-events.js';
import { createKey } from '../../helpers/factories.js';

/** GET /audit-events/{seq}/inclusion-proof: an event's chain hash, proven in a checkpoint's tree. */
const ctx = await startTestApp(t);
const { admin } = ctx;
const auditor = ctx.as((await createKey(admin, 'auditor')).key);
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);

interface Proof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  entry: string;
  hashes: string[];
}

// Asked before the first checkpoint exists, checked in the first test below (assertions on the
// root test before the set-up would let tap end the root test while the set-up still runs).
const proofBefore = await auditor.get('/api/v1/audit-events/1/inclusion-proof');

await appendEvents(ctx.db.database, 500);
await ctx.app.transparencyLog.run();
const status = (await auditor.get('/api/v1/tlog/status')).json<{ treeSize: number; rootHash: string }>();
const entries = await chainHashes(ctx.db.database);

t.test('before the first checkpoint no proof exists', async (t) => {
  problemOf(t, proofBefore, 404, 'RESOURCE_NOT_FOUND');
});

t.test('proves events against the latest checkpoint by default, and against an older tree when asked', async (t) => {
  const root = Buffer.from(status.rootHash, 'hex');
  for (const seq of [1, 2, 256, 257, 300, status.treeSize]) {
    const proof = okJson<Proof>(t, await auditor.get(`/api/v1/audit-events/${seq}/inclusion-proof`));
    t.match(proof, { seq, leafIndex: seq - 1, treeSize: status.treeSize, entry: entries[seq - 1]!.toString('hex') });
    t.ok(proof.hashes.length <= Math.ceil(Math.log2(status.treeSize)));
    const verdict = verifyInclusion(seq - 1, status.treeSize, leafHash(Buffer.from(proof.entry, 'hex')), proof.hashes.map((hash) => Buffer.from(hash, 'hex')), root);
    t.same(verdict, { ok: true }, `seq ${seq}`);
  }
  const older = okJson<Proof>(t, await admin.get('/api/v1/audit-events/3/inclusion-proof?treeSize=3'));
  t.match(older, { seq: 3, treeSize: 3 });
  t.equal(older.hashes.length, 1, 'leaf 2 of 3: the root of the first two is all it takes');
});

t.test('refuses a tree beyond the checkpoint, a seq outside the tree, and callers who are not auditors', async (t) => {
  problemOf(t, await auditor.get(`/api/v1/audit-events/1/inclusion-proof?treeSize=${status.treeSize + 1}`), 400, 'PROOF_OUT_OF_RANGE');
  problemOf(t, await auditor.get('/api/v1/audit-events/11/inclusion-proof?treeSize=10'), 400, 'PROOF_OUT_OF_RANGE');
  problemOf(t, await auditor.get(`/api/v1/audit-events/${status.treeSize + 1}/inclusion-proof`), 400, 'PROOF_OUT_OF_RANGE');
  problemOf(t, await auditor.get('/api/v1/audit-events/0/inclusion-proof'), 400, 'VALIDATION_FAILED');
  problemOf(t, await auditor.get('/api/v1/audit-events/1/inclusion-proof?treeSize=0'), 400, 'VALIDATION_FAILED');
  problemOf(t, await secretariat.get('/api/v1/audit-events/1/inclusion-proof'), 403);
});
