import t from 'tap';
import { leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';
import { consistencyProof, inclusionProof, treeRoot } from '../../src/audit/merkle-proofs.js';
import { appendLeaves, memoryNodeReader, tileKey, tileWidth, type StoredTile } from '../../src/audit/tile-tree.js';
import { partialWidth, tilesForSize } from '../../src/audit/tiles.js';

/** A store of tiles as the database keeps them: one row per tile, replaced as it grows. */
class TileStore {
  readonly rows = new Map<string, StoredTile>();
  size = 0;

  edge(): StoredTile[] {
    return [...this.rows.values()].filter((tile) => tile.index === Math.floor(this.size / 256 ** (tile.level + 1)) && partialWidth(tile.level, this.size) > 0);
  }

  append(leaves: Buffer[]): void {
    for (const tile of appendLeaves(this.size, this.edge(), leaves)) this.rows.set(tileKey(tile.level, tile.index), tile);
    this.size += leaves.length;
  }
}

const leaves = Array.from({ length: 70_000 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));

t.test('tiles built in batches of any size hold exactly the hashes tlog-tiles defines', async (t) => {
  const store = new TileStore();
  const batches = [1, 254, 1, 1, 300, 65_000, 7, 4_436];
  for (const batch of batches) store.append(leaves.slice(store.size, store.size + batch));
  t.equal(store.size, 70_000);
  // Level 0 holds the leaf hashes; level 1 the roots of full level-0 tiles; level 2 the roots of full level-1 tiles.
  for (let i = 0; i < 274; i++) {
    const tile = store.rows.get(tileKey(0, i))!;
    t.same(tile.hashes, Buffer.concat(leaves.slice(i * 256, Math.min((i + 1) * 256, 70_000))), `tile 0/${i}`);
  }
  const level1 = store.rows.get(tileKey(1, 1))!;
  t.equal(tileWidth(level1), 17);
  t.same(level1.hashes.subarray(16 * 32), rootFromLeafHashes(leaves.slice(272 * 256, 273 * 256)), 'the 17th hash of tile 1/1 is the root of tile 0/272');
  t.same(store.rows.get(tileKey(2, 0))!.hashes, rootFromLeafHashes(leaves.slice(0, 65_536)), 'tile 2/0 holds the root of the first 65,536 leaves');
  const expected = tilesForSize(70_000).reduce((n, { full, partial }) => n + full + (partial > 0 ? 1 : 0), 0);
  t.equal(store.rows.size, expected, 'one row per full and partial tile of the spec, and no other');
});

t.test('the root and every proof read from the tiles match the definition at every size', async (t) => {
  const store = new TileStore();
  const sizes = [1, 2, 3, 255, 256, 257, 512, 65_536, 70_000];
  let at = 0;
  for (const size of sizes) {
    store.append(leaves.slice(at, size));
    at = size;
    const reader = memoryNodeReader([...store.rows.values()]);
    const root = rootFromLeafHashes(leaves.slice(0, size));
    t.same(await treeRoot(size, reader), root, `root of ${size}`);
    for (const index of new Set([0, Math.floor(size / 2), size - 1])) {
      t.same(verifyInclusion(index, size, leaves[index]!, await inclusionProof(index, size, reader), root), { ok: true }, `leaf ${index} of ${size}`);
    }
    // A tile stored wider than an older size still answers that size's proofs.
    for (const older of [1, Math.floor(size / 3), size - 1].filter((n) => n > 0 && n < size)) {
      const olderRoot = rootFromLeafHashes(leaves.slice(0, older));
      t.same(await treeRoot(older, reader), olderRoot, `root of ${older} from the tiles of ${size}`);
      t.same(verifyConsistency(older, size, await consistencyProof(older, size, reader), olderRoot, root), { ok: true }, `${older} to ${size}`);
    }
  }
});

t.test('appending refuses an edge that does not belong to the size', async (t) => {
  const store = new TileStore();
  store.append(leaves.slice(0, 300));
  const edge = store.edge();
  t.equal(edge.length, 2, 'a partial tile at levels 0 and 1');
  t.throws(() => appendLeaves(301, edge, [leaves[300]!]), /not the right edge/);
  t.throws(() => appendLeaves(300, [], [leaves[300]!]), /partial tile of level 0 .* is missing/);
  t.throws(() => appendLeaves(300, edge, [Buffer.alloc(31)]), /32 bytes/);
  await t.rejects(memoryNodeReader([])([{ level: 0, index: 0 }]), /shorter than asked/);
});
