import { generateKeyPairSync, randomUUID } from 'node:crypto';
import t from 'tap';
import { leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';
import { noteSigner } from '../../src/audit/note.js';
import { systemClock } from '../../src/domain/clock.js';
import { integrateTree } from '../../src/use-cases/tlog-integration.js';
import { auditEventInclusionProof, decisionEvidence, tlogConsistencyProof } from '../../src/use-cases/tlog-proofs.js';
import { tlogSettings } from '../../src/use-cases/tlog-settings.js';
import { issueLogCheckpoint } from '../../src/use-cases/tlog-signing.js';
import { appendEvents, chainHashes } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * Proofs against the served checkpoint (or an older size under it), built from the stored tiles:
 * each verifies against the root of the tree of the chain hashes, computed here on its own; a
 * size beyond the checkpoint is out of range; a decision's evidence holds its events up to the
 * checkpoint, each with its proof.
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx = { database: db.database, clock: systemClock };
const signer = noteSigner('eszl-decisions/log', generateKeyPairSync('ed25519').privateKey);
const settings = tlogSettings({ origin: signer.name, signer, witnesses: [], witnessTimeoutMs: 1_000 });
const code = (expected: string) => ({ code: expected });

const decisionId = randomUUID();
let signed!: { note: string };
let leaves: Buffer[] = [];
const root = (size: number) => rootFromLeafHashes(leaves.slice(0, size));

// Set up inside a test: tap ends the file's root test (and closes the database) when no test is left to run.
t.test('no proof before the first checkpoint; then 300 events signed, 2 more after', async (t) => {
  await t.rejects(auditEventInclusionProof(ctx, settings, 1), code('RESOURCE_NOT_FOUND'), 'no checkpoint yet: no proof');
  await appendEvents(db.database, 100);
  await appendEvents(db.database, 3, { resourceId: decisionId });
  await appendEvents(db.database, 197);
  await integrateTree(ctx);
  const outcome = await issueLogCheckpoint(ctx, settings);
  if (outcome.kind !== 'signed') throw new Error(outcome.kind);
  signed = outcome.checkpoint;
  t.equal(outcome.checkpoint.size, 300);
  await appendEvents(db.database, 2, { resourceId: decisionId }); // after the checkpoint
  await integrateTree(ctx);
  leaves = (await chainHashes(db.database)).map((entry) => leafHash(entry));
  t.equal(leaves.length, 302);
});

t.test('an inclusion proof, against the checkpoint or an older size', async (t) => {
  const proof = await auditEventInclusionProof(ctx, settings, 5);
  t.match(proof, { seq: 5, leafIndex: 4, treeSize: 300 });
  t.equal(proof.entry, (await chainHashes(db.database))[4]!.toString('hex'), 'the entry is the chain hash');
  const hashes = proof.hashes.map((hash) => Buffer.from(hash, 'hex'));
  t.same(verifyInclusion(4, 300, leaves[4]!, hashes, root(300)), { ok: true });
  t.notSame(verifyInclusion(5, 300, leaves[5]!, hashes, root(300)), { ok: true }, 'not for another leaf');
  const older = await auditEventInclusionProof(ctx, settings, 250, 260);
  t.same(verifyInclusion(249, 260, leaves[249]!, older.hashes.map((h) => Buffer.from(h, 'hex')), root(260)), { ok: true }, 'an older tree');
  t.same(verifyInclusion(299, 300, leaves[299]!, (await auditEventInclusionProof(ctx, settings, 300)).hashes.map((h) => Buffer.from(h, 'hex')), root(300)), { ok: true }, 'the last leaf');
});

t.test('an inclusion proof out of range', async (t) => {
  await t.rejects(auditEventInclusionProof(ctx, settings, 5, 301), { code: 'PROOF_OUT_OF_RANGE', message: /Tree size 301 is beyond the latest checkpoint \(300\)/ });
  await t.rejects(auditEventInclusionProof(ctx, settings, 301), { code: 'PROOF_OUT_OF_RANGE', message: /Event 301 .* outside the tree of size 300/ }, 'an event after the checkpoint');
  await t.rejects(auditEventInclusionProof(ctx, settings, 20, 10), code('PROOF_OUT_OF_RANGE'));
  await t.rejects(auditEventInclusionProof(ctx, settings, 0), code('RESOURCE_NOT_FOUND'), 'no event 0');
});

t.test('a consistency proof', async (t) => {
  for (const [from, to] of [[100, 300], [1, 257], [256, 300], [300, 300], [0, 300]] as const) {
    const proof = await tlogConsistencyProof(ctx, settings, from, to);
    t.match(proof, { from, to });
    t.same(verifyConsistency(from, to, proof.hashes.map((h) => Buffer.from(h, 'hex')), root(from), root(to)), { ok: true }, `${from} to ${to}`);
  }
  await t.rejects(tlogConsistencyProof(ctx, settings, 100, 301), { code: 'PROOF_OUT_OF_RANGE', message: /beyond the latest checkpoint/ });
  await t.rejects(tlogConsistencyProof(ctx, settings, 200, 100), { code: 'PROOF_OUT_OF_RANGE', message: /from 200 is above to 100/ });
});

t.test('a decision\'s evidence: its events up to the checkpoint, each with its proof', async (t) => {
  const evidence = await decisionEvidence(ctx, settings, decisionId);
  t.equal(evidence.decisionId, decisionId);
  t.equal(evidence.checkpoint, signed.note);
  t.same(evidence.events.map((e) => e.event.seq), [101, 102, 103], 'the two events after the checkpoint are in the next one');
  for (const { event, proof } of evidence.events) {
    t.equal(event.resourceId, decisionId);
    t.same(verifyInclusion(proof.leafIndex, proof.treeSize, leaves[event.seq - 1]!, proof.hashes.map((h) => Buffer.from(h, 'hex')), root(300)), { ok: true }, `event ${event.seq}`);
  }
  await t.rejects(decisionEvidence(ctx, settings, randomUUID()), { code: 'RESOURCE_NOT_FOUND', message: /Decision .* does not exist/ });
});
