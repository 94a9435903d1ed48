import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { cosigner } from '../../src/audit/cosignature.js';
import { openLogCheckpoint } from '../../src/audit/log-checkpoint.js';
import { noteSigner } from '../../src/audit/note.js';
import { tileKey } from '../../src/audit/tile-tree.js';
import { encodeEntryBundle } from '../../src/audit/tiles.js';
import { parseVkey } from '../../src/audit/vkey.js';
import { parseWitnessList } from '../../src/audit/witness-list.js';
import { readTile } from '../../src/db/tlog-repository.js';
import { insertCosignature } from '../../src/db/tlog-witness-repository.js';
import { systemClock } from '../../src/domain/clock.js';
import { integrateTree } from '../../src/use-cases/tlog-integration.js';
import { requireServedCheckpoint, servedCheckpoint, tileContent } from '../../src/use-cases/tlog-reads.js';
import { tlogSettings, witnessId } from '../../src/use-cases/tlog-settings.js';
import { issueLogCheckpoint } from '../../src/use-cases/tlog-signing.js';
import { appendEvents, chainHashes } from '../helpers/audit-events.js';
import { createTestDatabase } from '../helpers/database.js';

/**
 * What the log publishes: the newest checkpoint a quorum cosigned, with the cosignatures, and the
 * tiles and entry bundles under it, as stored; nothing beyond it.
 */
const db = await createTestDatabase();
t.teardown(() => db.close());
const ctx = { database: db.database, clock: systemClock };
const signer = noteSigner('eszl-decisions/log', generateKeyPairSync('ed25519').privateKey);
const cosigners = ['a', 'b'].map((name) => cosigner(`${name}.example/witness`, generateKeyPairSync('ed25519').privateKey));
const witnesses = parseWitnessList(cosigners.map((c, i) => `${c.vkey}@https://w${i}.example`).join(','));
const alone = tlogSettings({ origin: signer.name, signer, witnesses: [], witnessTimeoutMs: 1_000 });
const witnessed = tlogSettings({ origin: signer.name, signer, witnesses, quorum: 1, witnessTimeoutMs: 1_000 });
const notFound = { code: 'RESOURCE_NOT_FOUND' };

t.test('no signer, no log; no checkpoint yet, nothing served', async (t) => {
  await t.rejects(servedCheckpoint(ctx, tlogSettings({ origin: 'o', signer: undefined, witnesses: [], witnessTimeoutMs: 1 })), { code: 'AUDIT_SIGNING_KEY_MISSING' });
  t.equal(await servedCheckpoint(ctx, alone), undefined);
  await t.rejects(requireServedCheckpoint(ctx, alone), { code: 'RESOURCE_NOT_FOUND', message: /not published a checkpoint yet/ });
  await t.rejects(tileContent(ctx, alone, 'tile/0/000.p/1'), notFound, 'no tile before the first checkpoint');
});

let signed!: { note: string };
let entries: Buffer[] = [];

// Set up inside a test: tap ends the file's root test (and closes the database) when no test is left to run.
t.test('300 events integrated and signed', async (t) => {
  await appendEvents(db.database, 300);
  await integrateTree(ctx);
  const outcome = await issueLogCheckpoint(ctx, alone);
  if (outcome.kind !== 'signed') throw new Error(outcome.kind);
  signed = outcome.checkpoint;
  entries = await chainHashes(db.database);
  t.equal(entries.length, 300);
});

t.test('without witnesses the newest checkpoint is served; with a quorum, only once cosigned, with the lines', async (t) => {
  const served = await requireServedCheckpoint(ctx, alone);
  t.match(served, { size: 300, note: signed.note });
  t.ok(served.issuedAt instanceof Date);
  t.match(openLogCheckpoint(served.note, { log: parseVkey(signer.verifierKey), witnesses: [], quorum: 0 }), { ok: true, checkpoint: { size: 300 } });

  t.equal(await servedCheckpoint(ctx, witnessed), undefined, 'not cosigned by a quorum yet');
  await t.rejects(tileContent(ctx, witnessed, 'tile/0/000'), notFound, 'and no tile under it either');
  const line = cosigners[1]!.cosign(served.note.slice(0, served.note.indexOf('\n\n') + 1));
  await insertCosignature(db.database.db, 300, witnessId(witnesses[1]!), line);
  const cosigned = await servedCheckpoint(ctx, witnessed);
  t.equal(cosigned?.note, signed.note + line, 'the note and its cosignature line');
  t.match(openLogCheckpoint(cosigned!.note, { log: parseVkey(signer.verifierKey), witnesses: witnesses.map((w) => w.vkey), quorum: 1 }), { ok: true, cosignedBy: [{ name: 'b.example/witness' }] });
});

t.test('tiles and entry bundles as stored, full ones immutable and cached, nothing beyond the checkpoint', async (t) => {
  const full = await tileContent(ctx, alone, 'tile/0/000');
  t.equal(full.immutable, true);
  t.same(full.bytes, await readTile(db.database.db, 0, 0));
  t.ok(alone.fullTiles.has(tileKey(0, 0)), 'kept in the cache');
  alone.fullTiles.set(tileKey(0, 0), Buffer.alloc(256 * 32, 7));
  t.same((await tileContent(ctx, alone, 'tile/0/000')).bytes, Buffer.alloc(256 * 32, 7), 'read from the cache after that');
  alone.fullTiles.clear();

  const partial = await tileContent(ctx, alone, 'tile/0/001.p/44');
  t.equal(partial.immutable, false);
  t.same(partial.bytes, (await readTile(db.database.db, 0, 1))!.subarray(0, 44 * 32));
  t.same((await tileContent(ctx, alone, 'tile/0/001.p/4')).bytes, partial.bytes.subarray(0, 4 * 32), 'a narrower one, for an older size');
  t.equal(alone.fullTiles.has(tileKey(0, 1)), false, 'a partial tile is not cached');

  const bundle = await tileContent(ctx, alone, 'tile/entries/000');
  t.same(bundle, { bytes: encodeEntryBundle(entries.slice(0, 256)), immutable: true });
  t.same((await tileContent(ctx, alone, 'tile/entries/001.p/44')).bytes, encodeEntryBundle(entries.slice(256, 300)));

  for (const path of ['tile/0/001.p/45', 'tile/0/001', 'tile/entries/001.p/45', 'tile/1/000', 'tile/0/0', 'tile/0/000.p/0', 'nonsense']) {
    await t.rejects(tileContent(ctx, alone, path), notFound, `${path}: not found`);
  }
});
