import { createHash } from 'node:crypto';
import t from 'tap';
import { leafHash, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';
import {
  consistencyProof,
  inclusionProof,
  inclusionRanges,
  rangeHashes,
  rangeNodes,
  treeRoot,
  type NodeReader,
} from '../../src/audit/merkle-proofs.js';
import { CONSISTENCY, INCLUSION, LEAVES, ROOTS } from './fixtures/rfc6962.js';

/** A reader over leaf hashes that computes each perfect subtree by the definition (the reference). */
function referenceReader(leafHashes: readonly Buffer[]): NodeReader & { reads: number } {
  const known = new Map<string, Buffer>();
  const reader = async (nodes: readonly { level: number; index: number }[]) => {
    reader.reads++;
    return nodes.map(({ level, index }) => {
      const size = 2 ** level;
      if ((index + 1) * size > leafHashes.length) throw new Error(`subtree ${level}/${index} is outside the tree`);
      const key = `${level}/${index}`;
      if (!known.has(key)) known.set(key, rootFromLeafHashes(leafHashes.slice(index * size, (index + 1) * size)));
      return known.get(key)!;
    });
  };
  reader.reads = 0;
  return reader;
}

const hex = (hashes: Buffer[]) => hashes.map((hash) => hash.toString('hex'));

t.test('generates exactly the known inclusion and consistency proofs of RFC 6962\'s test tree', async (t) => {
  const read = referenceReader(LEAVES.map(leafHash));
  for (const [leaf, size, proof] of INCLUSION) t.same(hex(await inclusionProof(leaf - 1, size, read)), proof, `leaf ${leaf - 1} of ${size}`);
  for (const [first, second, proof] of CONSISTENCY) t.same(hex(await consistencyProof(first, second, read)), proof, `${first} to ${second}`);
  for (let size = 0; size <= 8; size++) t.same(await treeRoot(size, read), ROOTS[size], `root of size ${size}`);
  t.same(await consistencyProof(0, 8, read), [], 'from the empty tree: empty');
  t.same(await consistencyProof(5, 5, read), [], 'between equal sizes: empty');
});

/**
 * The accumulated "Subtree Test Vectors" of draft-ietf-plants-merkle-tree-certs, as
 * transparency-dev/merkle's testonly/vectors_test.go checks them: leaves d[i] = the byte i, for
 * every tree up to 130 leaves, a rolling SHA-256 over "[start, end) <hash>" of every valid
 * subtree (start 0, or a multiple of the power of two at or above its length), and over
 * "<index> [start, end) <proof>" of every inclusion proof within those subtrees.
 */
t.test('hashes every valid subtree and proves every leaf in it as the draft\'s accumulated vectors say', async (t) => {
  const leaves = Array.from({ length: 130 }, (_, i) => leafHash(Buffer.from([i])));
  const read = referenceReader(leaves);
  const bitCeil = (n: number) => 2 ** Math.ceil(Math.log2(n));
  const subtreeHashes = createHash('sha256');
  const subtreeProofs = createHash('sha256');
  for (let end = 1; end <= 130; end++) {
    for (let start = 0; start < end; start++) {
      if (start !== 0 && start % bitCeil(end - start) !== 0) continue;
      const [hash] = await rangeHashes([{ start, end }], read);
      subtreeHashes.update(`[${start}, ${end}) ${hash!.toString('hex')}\n`);
      for (let index = start; index < end; index++) {
        const ranges = inclusionRanges(index - start, end - start).map((r) => ({ start: r.start + start, end: r.end + start }));
        const proof = await rangeHashes(ranges, read);
        subtreeProofs.update(`${index} [${start}, ${end})${proof.map((p) => ` ${p.toString('hex')}`).join('')}\n`);
      }
    }
  }
  t.equal(subtreeHashes.digest('hex'), '94a95384a8c69acea9b50d035a58285b3a777cb7a724005faa5e1f1e1190007f');
  t.equal(subtreeProofs.digest('hex'), 'ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f');
});

t.test('every proof it generates for trees up to 70 leaves verifies, and fails for a neighbour leaf', async (t) => {
  const leaves = Array.from({ length: 70 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
  const read = referenceReader(leaves);
  let checked = 0;
  for (let size = 1; size <= 70; size++) {
    const root = rootFromLeafHashes(leaves.slice(0, size));
    for (let index = 0; index < size; index++) {
      const proof = await inclusionProof(index, size, read);
      if (!verifyInclusion(index, size, leaves[index]!, proof, root).ok) t.fail(`inclusion ${index} of ${size}`);
      if (size > 1 && verifyInclusion(index, size, leaves[(index + 1) % size]!, proof, root).ok) t.fail(`a neighbour passes for ${index} of ${size}`);
      checked++;
    }
    for (let first = 0; first <= size; first++) {
      const proof = await consistencyProof(first, size, read);
      if (!verifyConsistency(first, size, proof, rootFromLeafHashes(leaves.slice(0, first)), root).ok) t.fail(`consistency ${first} to ${size}`);
      checked++;
    }
  }
  t.equal(checked, 2485 + 2555, 'every leaf of every size and every pair of sizes');
});

t.test('a proof reads its stored hashes in one batch, at most two per level', async (t) => {
  const leaves = Array.from({ length: 1000 }, (_, i) => leafHash(Buffer.from([i % 256, i >> 8])));
  const read = referenceReader(leaves);
  await inclusionProof(617, 1000, read);
  t.equal(read.reads, 1);
  t.same(rangeNodes({ start: 512, end: 1000 }), [
    { level: 8, index: 2 },
    { level: 7, index: 6 },
    { level: 6, index: 14 },
    { level: 5, index: 30 },
    { level: 3, index: 124 },
  ]);
  t.throws(() => inclusionRanges(1000, 1000), RangeError);
  t.throws(() => inclusionRanges(-1, 10), RangeError);
});
