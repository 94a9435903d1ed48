import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { EMPTY_ROOT, leafHash, rootFromLeafHashes } from '../../src/audit/merkle.js';
import { treeRoot } from '../../src/audit/merkle-proofs.js';
import { tileKey } from '../../src/audit/tile-tree.js';
import { tlogCheckpoints } from '../../src/db/schema.js';
import { inTransaction } from '../../src/db/transaction.js';
import {
  haltLogSigning,
  insertLogCheckpoint,
  latestLogCheckpoint,
  lockTlogStateForIntegration,
  logCheckpointIssuedWithin,
  readEdgeTiles,
  readEntries,
  readEntryHashes,
  readTile,
  readTiles,
  readTlogState,
  recordSuspectedRollback,
  tileNodeReader,
  tryLockLogSigning,
  updateIntegratedTree,
  writeTiles,
} from '../../src/db/tlog-repository.js';
import { systemClock } from '../../src/domain/clock.js';
import { integrateTree } from '../../src/use-cases/tlog-integration.js';
import { appendEvents, chainHashes } from '../helpers/audit-events.js';
import { POSTGRES_ONLY, repositoryDatabase } from '../helpers/register-rows.js';

/** The transparency log's tree as stored: its state row, its tiles, its entries and its checkpoints. */
const database = await repositoryDatabase(t);
const hashes = (count: number, label: string) => Buffer.concat(Array.from({ length: count }, (_, i) => createHash('sha256').update(`${label} ${i}`).digest()));

t.test('the state row: read, locked for integrating by one at a time, updated', async (t) => {
  const initial = await readTlogState(database.db);
  t.match(initial, { id: 1, size: 0, rollbackLocalSize: null, signingHalted: null });
  t.same(initial.root, EMPTY_ROOT, 'the empty tree');

  const root = createHash('sha256').update('root').digest();
  await inTransaction(database, async (tx) => {
    const locked = await lockTlogStateForIntegration(tx);
    t.equal(locked?.size, 0, 'the row, locked');
    if (database.pool !== undefined) {
      // A second instance skips its turn instead of waiting.
      const other = await inTransaction(database, (other) => lockTlogStateForIntegration(other));
      t.equal(other, undefined, 'another transaction skips the locked row');
    }
    await updateIntegratedTree(tx, 7, root);
  });
  const updated = await readTlogState(database.db);
  t.equal(updated.size, 7);
  t.same(updated.root, root);
  t.ok(updated.updatedAt >= initial.updatedAt);
  await inTransaction(database, (tx) => updateIntegratedTree(tx, 0, EMPTY_ROOT)); // the empty tree again, for the tests below
});

t.test('entries are the chain hashes of the audit events, by seq', async (t) => {
  await appendEvents(database, 6, { perTransaction: 4 });
  const chain = await chainHashes(database);
  const after2 = await readEntryHashes(database.db, 2, 3);
  t.same(after2.map((e) => e.seq), [3, 4, 5], 'after seq 2, at most 3');
  t.same(after2.map((e) => e.hash), chain.slice(2, 5).map((h) => h.toString('hex')));
  t.same(await readEntryHashes(database.db, 6, 10), [], 'nothing after the last');
  t.same(await readEntries(database.db, 1, 4), chain.slice(1, 4), 'leaves 1 up to 4, not including');
  t.same(await readEntries(database.db, 4, 100), chain.slice(4), 'up to the last there is');
});

t.test('the node reader reads what proofs need from the tiles, and keeps full tiles only', async (t) => {
  await appendEvents(database, 294); // 300 with the entries' 6
  const size = await integrateTree({ database, clock: systemClock });
  t.equal(size, 300);
  const state = await readTlogState(database.db);
  const leaves = (await chainHashes(database)).map((entry) => leafHash(entry));
  t.same(state.root, rootFromLeafHashes(leaves), 'the integrated root is the tree of the chain hashes');
  t.same(await treeRoot(300, tileNodeReader(database.db)), state.root, 'read back from the stored tiles');
  const cache = new Map<string, Buffer>();
  t.same(await treeRoot(200, tileNodeReader(database.db, cache)), rootFromLeafHashes(leaves.slice(0, 200)), 'an older tree, inside the first tile');
  t.same([...cache.keys()], [tileKey(0, 0)], 'the full tile read is kept');
  await treeRoot(300, tileNodeReader(database.db, cache));
  t.same([...cache.keys()], [tileKey(0, 0)], 'the partial tiles (0, 1) and (1, 0) are not');
  // With the full tile in the cache, a reader never asks for it again: a forged copy is used.
  cache.set(tileKey(0, 0), Buffer.alloc(256 * 32));
  t.not((await treeRoot(200, tileNodeReader(database.db, cache))).toString('hex'), state.root.toString('hex'), 'the cached tile was read');
});

t.test('tiles: written (a grown tile replaces its prefix), read by id, the edge of a tree', async (t) => {
  t.same(await readTiles(database.db, []), new Map(), 'no ids, no query');
  await inTransaction(database, async (tx) => {
    await writeTiles(tx, []);
    await writeTiles(tx, [
      { level: 0, index: 0, hashes: hashes(256, 'a') },
      { level: 0, index: 1, hashes: hashes(2, 'b') },
      { level: 1, index: 0, hashes: hashes(1, 'c') },
    ]);
    await writeTiles(tx, [{ level: 0, index: 1, hashes: hashes(3, 'b') }]);
  });
  const read = await readTiles(database.db, [
    { level: 0, index: 1 },
    { level: 1, index: 0 },
    { level: 5, index: 9 },
  ]);
  t.same([...read.keys()].sort(), [tileKey(0, 1), tileKey(1, 0)].sort(), 'absent ones are absent');
  t.same(read.get(tileKey(0, 1)), hashes(3, 'b'), 'the grown tile replaced the shorter one');
  t.same(await readTile(database.db, 0, 0), hashes(256, 'a'));
  t.equal(await readTile(database.db, 2, 0), undefined);

  // A tree of 259 leaves: 3 in the partial tile (0, 1), and one hash in the partial tile (1, 0).
  const edge = await readEdgeTiles(database.db, 259);
  t.same(edge.map(({ level, index }) => [level, index]), [[0, 1], [1, 0]]);
  t.same(edge[0]!.hashes, hashes(3, 'b'));
  t.same(
    (await readEdgeTiles(database.db, 256)).map(({ level, index }) => [level, index]),
    [[1, 0]],
    'a tree of one full tile: its edge is the one hash of level 1',
  );
  t.same(await readEdgeTiles(database.db, 0), [], 'the empty tree');
});

t.test('log checkpoints: one per size, the latest by size, how recent; signing is one instance at a time', async (t) => {
  t.equal(await latestLogCheckpoint(database.db), undefined);
  const root = createHash('sha256').update('r').digest();
  await inTransaction(database, async (tx) => {
    t.equal(await tryLockLogSigning(tx), true, 'the lock, taken');
    if (database.pool !== undefined) {
      t.equal(await inTransaction(database, (other) => tryLockLogSigning(other)), false, 'not by a second transaction meanwhile');
    }
    t.match(await insertLogCheckpoint(tx, { size: 5, root, note: 'five\n' }), { size: 5, note: 'five\n' });
    t.match(await insertLogCheckpoint(tx, { size: 9, root, note: 'nine\n' }), { size: 9 });
    t.equal(await insertLogCheckpoint(tx, { size: 5, root, note: 'again\n' }), undefined, 'a size signed twice: the first stays');
  });
  await inTransaction(database, async (tx) => t.equal(await tryLockLogSigning(tx), true, 'released at commit'));
  t.match(await latestLogCheckpoint(database.db), { size: 9, note: 'nine\n' });
  await inTransaction(database, async (tx) => {
    t.equal(await logCheckpointIssuedWithin(tx, 3_600), true, 'within the hour');
  });
  await database.db.update(tlogCheckpoints).set({ issuedAt: sql`now() - interval '2 hours'` });
  await inTransaction(database, async (tx) => {
    t.equal(await logCheckpointIssuedWithin(tx, 3_600), false, 'none within the hour');
    t.equal(await logCheckpointIssuedWithin(tx, 3 * 3_600), true, 'one within three hours');
  });
});

t.test('halting and a suspected rollback: the reason is kept, and the first evidence stays', async (t) => {
  await haltLogSigning(database.db, 'the stored tree was changed');
  t.equal((await readTlogState(database.db)).signingHalted, 'the stored tree was changed');
  t.equal(await recordSuspectedRollback(database.db, 12, 325), true, 'recorded');
  t.equal(await recordSuspectedRollback(database.db, 13, 400), false, 'the second is not');
  t.match(await readTlogState(database.db), { rollbackLocalSize: 12, rollbackWitnessedSize: 325 });
});

t.test('concurrent integrators: exactly one holds the state row', { skip: POSTGRES_ONLY }, async (t) => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let first!: () => void;
  const locked = new Promise<void>((resolve) => (first = resolve));
  const holder = inTransaction(database, async (tx) => {
    t.ok(await lockTlogStateForIntegration(tx));
    first();
    await held;
  });
  await locked;
  const others = await Promise.all(Array.from({ length: 5 }, () => inTransaction(database, (tx) => lockTlogStateForIntegration(tx))));
  t.same(others, [undefined, undefined, undefined, undefined, undefined], 'all others skip');
  release();
  await holder;
});
