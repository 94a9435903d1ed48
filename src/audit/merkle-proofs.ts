import { EMPTY_ROOT, nodeHash, splitPoint } from './merkle.js';

/**
 * Proofs of RFC 6962 sections 2.1.1 and 2.1.2 (PATH and SUBPROOF), generated from stored hashes.
 * Every element of a proof is the hash of a range of leaves, MTH(D[a:b]); every such range the
 * definitions produce starts at a multiple of the largest power of two not above its length, so
 * it is a run of perfect subtrees of decreasing size (the binary digits of b - a), hashed from
 * the right. Storage only ever has to answer "the hash of perfect subtree (level, index)", the
 * subtree of the 2^level leaves from index * 2^level: that is what tiles hold.
 */
export interface NodeId {
  /** Height of the perfect subtree: 0 for a leaf hash. */
  level: number;
  index: number;
}

/** Returns the hashes of perfect subtrees, in the order asked. */
export type NodeReader = (nodes: readonly NodeId[]) => Promise<Buffer[]>;

export interface LeafRange {
  start: number;
  end: number;
}

/** The perfect subtrees that make up a range, left to right (largest first). */
export function rangeNodes({ start, end }: LeafRange): NodeId[] {
  const nodes: NodeId[] = [];
  let at = start;
  while (at < end) {
    let size = 1;
    let level = 0;
    while (at % (size * 2) === 0 && at + size * 2 <= end) {
      size *= 2;
      level++;
    }
    nodes.push({ level, index: at / size });
    at += size;
  }
  return nodes;
}

/** The ranges of the inclusion proof of leaf `index` in the tree of `size` leaves, bottom up. */
export function inclusionRanges(index: number, size: number): LeafRange[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new RangeError(`leaf index ${index} is outside a tree of size ${size}`);
  }
  const ranges: LeafRange[] = [];
  const path = (start: number, end: number): void => {
    if (end - start <= 1) return;
    const k = splitPoint(end - start);
    if (index < start + k) {
      path(start, start + k);
      ranges.push({ start: start + k, end });
    } else {
      path(start + k, end);
      ranges.push({ start, end: start + k });
    }
  };
  path(0, size);
  return ranges;
}

/** The ranges of the consistency proof from `first` to `second` leaves; empty when first is 0 or equal. */
export function consistencyRanges(first: number, second: number): LeafRange[] {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) {
    throw new RangeError(`no consistency proof goes from size ${first} to size ${second}`);
  }
  const ranges: LeafRange[] = [];
  const subproof = (m: number, start: number, end: number, whole: boolean): void => {
    const n = end - start;
    if (m === n) {
      if (!whole) ranges.push({ start, end });
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      subproof(m, start, start + k, whole);
      ranges.push({ start: start + k, end });
    } else {
      subproof(m - k, start + k, end, false);
      ranges.push({ start, end: start + k });
    }
  };
  if (first > 0 && first < second) subproof(first, 0, second, true);
  return ranges;
}

/** The hashes of the ranges, with one read of every perfect subtree they need. */
export async function rangeHashes(ranges: readonly LeafRange[], read: NodeReader): Promise<Buffer[]> {
  const perRange = ranges.map(rangeNodes);
  const hashes = await read(perRange.flat());
  let at = 0;
  return perRange.map((nodes) => {
    const own = hashes.slice(at, at + nodes.length);
    at += nodes.length;
    return own.reduceRight((right, left) => nodeHash(left, right));
  });
}

/** MTH(D[0:size]). */
export async function treeRoot(size: number, read: NodeReader): Promise<Buffer> {
  if (size === 0) return EMPTY_ROOT;
  const [root] = await rangeHashes([{ start: 0, end: size }], read);
  return root!;
}

export async function inclusionProof(index: number, size: number, read: NodeReader): Promise<Buffer[]> {
  return rangeHashes(inclusionRanges(index, size), read);
}

export async function consistencyProof(first: number, second: number, read: NodeReader): Promise<Buffer[]> {
  return rangeHashes(consistencyRanges(first, second), read);
}

/** The inclusion proofs of several leaves in one tree, with one read of all the subtrees they need. */
export async function inclusionProofs(indexes: readonly number[], size: number, read: NodeReader): Promise<Buffer[][]> {
  const perLeaf = indexes.map((index) => inclusionRanges(index, size));
  const hashes = await rangeHashes(perLeaf.flat(), read);
  let at = 0;
  return perLeaf.map((ranges) => {
    const own = hashes.slice(at, at + ranges.length);
    at += ranges.length;
    return own;
  });
}
