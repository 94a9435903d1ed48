import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { cosigner } from '../../src/audit/cosignature.js';
import { EMPTY_ROOT } from '../../src/audit/merkle.js';
import { noteSigner } from '../../src/audit/note.js';
import { parseWitnessList } from '../../src/audit/witness-list.js';
import { haltLogSigning, readTlogState, recordSuspectedRollback } from '../../src/db/tlog-repository.js';
import { claimWitness, insertCosignature, recordWitnessAnswer } from '../../src/db/tlog-witness-repository.js';
import { systemClock } from '../../src/domain/clock.js';
import { integrateTree } from '../../src/use-cases/tlog-integration.js';
import { tlogSettings, witnessId } from '../../src/use-cases/tlog-settings.js';
import { issueLogCheckpoint } from '../../src/use-cases/tlog-signing.js';
import { tlogStatus } from '../../src/use-cases/tlog-status.js';
import { appendEvents } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';

/** How the log stands, from the empty tree to a cosigned checkpoint, a witness's failure, a suspected rollback and a halt. */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx = { database: db.database, clock: systemClock };
const signer = noteSigner('eszl-decisions/log', generateKeyPairSync('ed25519').privateKey);
const cosigners = ['a', 'b'].map((name) => cosigner(`${name}.example/witness`, generateKeyPairSync('ed25519').privateKey));
const witnesses = parseWitnessList(cosigners.map((c, i) => `${c.vkey}@https://w${i}.example`).join(','));
const settings = tlogSettings({ origin: signer.name, signer, witnesses, quorum: 1, witnessTimeoutMs: 1_000 });

t.test('no signer: no status', async (t) => {
  await t.rejects(tlogStatus(ctx, tlogSettings({ origin: 'o', signer: undefined, witnesses, witnessTimeoutMs: 1 })), { code: 'AUDIT_SIGNING_KEY_MISSING' });
});

t.test('the empty log', async (t) => {
  t.same(await tlogStatus(ctx, settings), {
    treeSize: 0,
    rootHash: EMPTY_ROOT.toString('hex'),
    checkpoint: null,
    witnesses: witnesses.map((w) => ({ name: w.vkey.name, url: w.url, vkey: w.vkey.text, lastCosignedSize: null, lastStatus: null, lastError: null, lastAttemptAt: null })),
    quorumSize: 1,
    rollbackSuspected: null,
    logKey: signer.verifierKey,
    integratedSize: 0,
    latestSignedSize: 0,
    signingHalted: null,
  });
});

t.test('signed but not yet cosigned, then cosigned by one witness while the other failed', async (t) => {
  await appendEvents(db.database, 20);
  await integrateTree(ctx);
  const signed = await issueLogCheckpoint(ctx, settings);
  if (signed.kind !== 'signed') throw new Error(signed.kind);
  t.match(await tlogStatus(ctx, settings), { treeSize: 0, checkpoint: null, integratedSize: 20, latestSignedSize: 20 }, 'nothing served before a quorum cosigned');

  const [a, b] = witnesses.map(witnessId) as [string, string];
  const line = cosigners[0]!.cosign(signed.checkpoint.note.slice(0, signed.checkpoint.note.indexOf('\n\n') + 1));
  await claimWitness(db.database.db, a, witnesses[0]!.url, 60);
  await insertCosignature(db.database.db, 20, a, line);
  await recordWitnessAnswer(db.database.db, a, { size: 20, status: 200, error: null, cosignedSize: 20 });
  await claimWitness(db.database.db, b, witnesses[1]!.url, 60);
  await recordWitnessAnswer(db.database.db, b, { size: 20, status: null, error: 'no answer within 1000 ms' });

  const status = await tlogStatus(ctx, settings);
  const state = await readTlogState(db.database.db);
  t.match(status, { treeSize: 20, rootHash: state.root.toString('hex'), checkpoint: signed.checkpoint.note + line, integratedSize: 20, latestSignedSize: 20 });
  t.match(status.witnesses, [
    { name: 'a.example/witness', lastCosignedSize: 20, lastStatus: 200, lastError: null },
    { name: 'b.example/witness', lastCosignedSize: null, lastStatus: null, lastError: 'no answer within 1000 ms' },
  ]);
  t.match(status.witnesses[0]!.lastAttemptAt, /^\d{4}-\d\d-\d\dT.*Z$/, 'an ISO time');

  await appendEvents(db.database, 5);
  await integrateTree(ctx);
  await issueLogCheckpoint(ctx, settings);
  t.match(await tlogStatus(ctx, settings), { treeSize: 20, integratedSize: 25, latestSignedSize: 25 }, 'the newer checkpoint waits for its cosignature');
});

t.test('a suspected rollback and a halt are shown', async (t) => {
  await recordSuspectedRollback(db.database.db, 12, 25);
  await haltLogSigning(db.database.db, 'witnesses have seen a larger tree');
  t.match(await tlogStatus(ctx, settings), { rollbackSuspected: { localSize: 12, witnessedSize: 25 }, signingHalted: 'witnesses have seen a larger tree' });
});
