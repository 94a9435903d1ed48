import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { pino } from 'pino';
import { openLogCheckpoint } from '../../src/audit/log-checkpoint.js';
import { noteSigner } from '../../src/audit/note.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { parseWitnessList } from '../../src/audit/witness-list.js';
import { systemClock } from '../../src/domain/clock.js';
import { runTransparencyLog } from '../../src/use-cases/tlog-job.js';
import { servedCheckpoint } from '../../src/use-cases/tlog-reads.js';
import { tlogSettings } from '../../src/use-cases/tlog-settings.js';
import { tlogStatus } from '../../src/use-cases/tlog-status.js';
import { appendEvents } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';
import { startMisbehavingWitness, startWitness } from '../helpers/witnesses.js';

/**
 * The service's side of the witnesses: each signed checkpoint goes to every witness, the
 * cosignatures come back and are served with it once a quorum has cosigned; a witness that
 * answers garbage or never answers costs its timeout and blocks nothing; a quorum of witnesses
 * that has seen a larger tree is a suspected rollback, after which nothing more is signed.
 */
const logKey = generateKeyPairSync('ed25519').privateKey;
const signer = noteSigner('eszl-decisions/log', logKey);
const silent = pino({ level: 'silent' });
const errors: string[] = [];
const recording = pino({ level: 'error' }, { write: (line: string) => errors.push(line) });

const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx = { database: db.database, clock: systemClock };

const heerlen = await startWitness(t, 'heerlen.example/witness', signer.verifierKey);
const maastricht = await startWitness(t, 'maastricht.example/witness', signer.verifierKey);
const garbage = await startMisbehavingWitness(t, { status: 200, body: '<html>hello</html>' });
const hanging = await startMisbehavingWitness(t, 'hang');
const witnesses = parseWitnessList([heerlen, maastricht, garbage, hanging].map((w) => w.entry).join(','));
const settings = tlogSettings({ origin: signer.name, signer, witnesses, quorum: 2, witnessTimeoutMs: 2_000 });
const policy = { log: parseVkey(signer.verifierKey), witnesses: witnesses.map((w) => w.vkey), quorum: 2 };

t.test('a quorum cosigns; garbage and silence are recorded and hold nothing up', async (t) => {
  await appendEvents(db.database, 20);
  const started = Date.now();
  const turn = await runTransparencyLog(ctx, settings, silent);
  t.ok(Date.now() - started < 5_000, 'the hanging witness cost its timeout, no more');
  t.match(turn.signing, { kind: 'signed', checkpoint: { size: 20 } });
  t.same(turn.submissions.map((s) => s.kind).sort(), ['cosigned', 'cosigned', 'failed', 'failed'], JSON.stringify(turn.submissions));
  const served = await servedCheckpoint(ctx, settings);
  t.match(openLogCheckpoint(served!.note, policy), { ok: true, checkpoint: { size: 20 }, cosignedBy: [{ name: 'heerlen.example/witness' }, { name: 'maastricht.example/witness' }] });
  const status = await tlogStatus(ctx, settings);
  t.match(status, { treeSize: 20, quorumSize: 2, rollbackSuspected: null, integratedSize: 20, latestSignedSize: 20 });
  t.match(status.witnesses, [
    { name: 'heerlen.example/witness', lastCosignedSize: 20, lastStatus: 200, lastError: null },
    { name: 'maastricht.example/witness', lastCosignedSize: 20, lastError: null },
    { lastCosignedSize: null, lastStatus: 200, lastError: /200 without cosignature lines/ },
    { lastCosignedSize: null, lastStatus: null, lastError: /no answer within 2000 ms/ },
  ]);
});

t.test('later checkpoints go with a consistency proof; a witness whose size was forgotten is learned from its 409', async (t) => {
  await appendEvents(db.database, 300);
  t.match((await runTransparencyLog(ctx, settings, silent)).signing, { kind: 'signed', checkpoint: { size: 320 } });
  t.match(openLogCheckpoint((await servedCheckpoint(ctx, settings))!.note, policy), { ok: true, checkpoint: { size: 320 } });
  await db.database.db.execute(sql`delete from tlog_witnesses where url = ${heerlen.url}`);
  await appendEvents(db.database, 5);
  const turn = await runTransparencyLog(ctx, settings, silent);
  t.match(turn.signing, { kind: 'signed', checkpoint: { size: 325 } });
  t.equal(turn.submissions.filter((s) => s.kind === 'cosigned').length, 2, 'heerlen answered 409 with 320, and cosigned from there');
  t.match((await tlogStatus(ctx, settings)).witnesses[0], { lastCosignedSize: 325 });
});

t.test('a database restored from an older state: the witnesses say so, the log stops signing, and readiness is not its business', async (t) => {
  // The same log (same key) on a database that has fewer events than the witnesses have seen.
  const restored = await createTestDatabase();
  t.teardown(() => restored.close());
  const restoredCtx = { database: restored.database, clock: systemClock };
  await appendEvents(restored.database, 12);
  const turn = await runTransparencyLog(restoredCtx, settings, recording);
  t.match(turn.signing, { kind: 'signed', checkpoint: { size: 12 } });
  t.match(turn.submissions.filter((s) => s.kind === 'conflict'), [{ witnessSize: 325 }, { witnessSize: 325 }], JSON.stringify(turn.submissions));
  const status = await tlogStatus(restoredCtx, settings);
  t.same(status.rollbackSuspected, { localSize: 12, witnessedSize: 325 });
  t.equal(status.treeSize, 0, 'nothing the witnesses would cosign is served');
  t.match(errors.join(''), /rollback suspected: 2 witnesses have cosigned the log up to size 325/);
  await appendEvents(restored.database, 400);
  t.match((await runTransparencyLog(restoredCtx, settings, silent)).signing, { kind: 'halted', reason: /rollback/ }, 'no further checkpoint, even past the witnessed size');
});
