import { HASH_SIZE, leafHash, nodeHash } from './merkle.js';
import { treeRoot, type NodeId, type NodeReader } from './merkle-proofs.js';
import { TILE_HEIGHT, TILE_WIDTH } from './tiles.js';

/**
 * The tree kept as tiles (C2SP tlog-tiles): appending leaves to the right edge, and reading any
 * perfect subtree's hash from the tiles that hold it. A stored tile is its hashes concatenated;
 * it only ever grows at its end until it holds 256, after which it never changes, so a tile
 * stored wider than a tree size still answers every hash of that size exactly.
 */
export interface StoredTile {
  level: number;
  index: number;
  /** 32 bytes per hash, 1..256 hashes. */
  hashes: Buffer;
}

export const tileKey = (level: number, index: number) => `${level}/${index}`;

export function tileWidth(tile: StoredTile): number {
  return tile.hashes.length / HASH_SIZE;
}

/** MTH of the 2^k hashes of `hashes` (k = 0..8), hashed pairwise. */
function perfectRoot(hashes: Buffer, count: number, from: number): Buffer {
  let level: Buffer[] = [];
  for (let i = 0; i < count; i++) level.push(hashes.subarray((from + i) * HASH_SIZE, (from + i + 1) * HASH_SIZE));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return Buffer.from(level[0]!);
}

/** The tile (level, index) and the run of its hashes that a perfect subtree is the MTH of. */
export function nodeLocation({ level, index }: NodeId): { tileLevel: number; tileIndex: number; from: number; count: number } {
  const tileLevel = Math.floor(level / TILE_HEIGHT);
  const count = 2 ** (level - tileLevel * TILE_HEIGHT);
  const first = index * count;
  return { tileLevel, tileIndex: Math.floor(first / TILE_WIDTH), from: first % TILE_WIDTH, count };
}

/** The tiles that hold the given nodes, each once. */
export function tilesForNodes(nodes: readonly NodeId[]): { level: number; index: number }[] {
  const seen = new Map<string, { level: number; index: number }>();
  for (const node of nodes) {
    const { tileLevel, tileIndex } = nodeLocation(node);
    seen.set(tileKey(tileLevel, tileIndex), { level: tileLevel, index: tileIndex });
  }
  return [...seen.values()];
}

/** The hashes of `nodes`, from tiles read beforehand (keyed by `tileKey`); throws when one is missing or short. */
export function nodeHashesFromTiles(nodes: readonly NodeId[], tiles: ReadonlyMap<string, Buffer>): Buffer[] {
  return nodes.map((node) => {
    const { tileLevel, tileIndex, from, count } = nodeLocation(node);
    const hashes = tiles.get(tileKey(tileLevel, tileIndex));
    if (hashes === undefined || hashes.length < (from + count) * HASH_SIZE) {
      throw new Error(`tile ${tileLevel}/${tileIndex} does not hold subtree ${node.level}/${node.index}: the stored tree is shorter than asked`);
    }
    return perfectRoot(hashes, count, from);
  });
}

/**
 * Appends leaf hashes to a tree of `size` leaves whose right edge is `edge` (its partial tile of
 * every level, as stored; levels without one are absent). Returns every tile that changed, with
 * its whole new content: a tile that filled up carries its 256th hash, and its root is appended
 * to the level above. Throws when the edge does not match the size (the store is inconsistent).
 */
export function appendLeaves(size: number, edge: readonly StoredTile[], leaves: readonly Buffer[]): StoredTile[] {
  const rows = new Map<number, { index: number; hashes: Buffer[] }>();
  for (const tile of edge) {
    const expected = Math.floor(size / TILE_WIDTH ** (tile.level + 1));
    const width = Math.floor(size / TILE_WIDTH ** tile.level) % TILE_WIDTH;
    if (tile.index !== expected || tileWidth(tile) !== width) {
      throw new Error(`tile ${tile.level}/${tile.index} of width ${tileWidth(tile)} is not the right edge of a tree of size ${size}`);
    }
    const hashes: Buffer[] = [];
    for (let i = 0; i < width; i++) hashes.push(tile.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
    rows.set(tile.level, { index: tile.index, hashes });
  }
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    if (Math.floor(size / TILE_WIDTH ** level) % TILE_WIDTH !== 0 && !rows.has(level)) {
      throw new Error(`the partial tile of level ${level} of a tree of size ${size} is missing`);
    }
  }
  // Rows that filled up are written once, as they fill; the partial ones once, at the end.
  const changed = new Map<string, StoredTile>();
  const touched = new Set<number>();
  let count = size;
  const add = (level: number, hash: Buffer): void => {
    let row = rows.get(level);
    if (row === undefined) {
      row = { index: Math.floor(count / TILE_WIDTH ** (level + 1)), hashes: [] };
      rows.set(level, row);
    }
    row.hashes.push(hash);
    touched.add(level);
    if (row.hashes.length === TILE_WIDTH) {
      const hashes = Buffer.concat(row.hashes);
      changed.set(tileKey(level, row.index), { level, index: row.index, hashes });
      rows.set(level, { index: row.index + 1, hashes: [] });
      add(level + 1, perfectRoot(hashes, TILE_WIDTH, 0));
    }
  };
  for (const leaf of leaves) {
    if (leaf.length !== HASH_SIZE) throw new Error('a leaf hash is 32 bytes');
    add(0, leaf);
    count++;
  }
  for (const level of touched) {
    const row = rows.get(level)!;
    if (row.hashes.length > 0) changed.set(tileKey(level, row.index), { level, index: row.index, hashes: Buffer.concat(row.hashes) });
  }
  return [...changed.values()];
}

/** A node reader over tiles in memory (later tiles of the same key win): the edge after an append, or a test's tree. */
export function memoryNodeReader(tiles: readonly StoredTile[]): NodeReader {
  const map = new Map<string, Buffer>();
  for (const tile of tiles) map.set(tileKey(tile.level, tile.index), tile.hashes);
  return async (nodes) => nodeHashesFromTiles(nodes, map);
}

/**
 * The tree of `size` leaves with `entries` appended: the tiles that changed, the new size and
 * the new root. The root is read from the edge and the changed tiles alone, which hold every
 * perfect subtree of the tree's right border.
 */
export async function extendTree(size: number, edge: readonly StoredTile[], entries: readonly Uint8Array[]): Promise<{ tiles: StoredTile[]; size: number; root: Buffer }> {
  const tiles = appendLeaves(size, edge, entries.map((entry) => leafHash(entry)));
  const newSize = size + entries.length;
  return { tiles, size: newSize, root: await treeRoot(newSize, memoryNodeReader([...edge, ...tiles])) };
}
