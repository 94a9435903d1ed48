import { createHash, hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 section 2.1 (RFC 9162 section 2.1), SHA-256: leaf hashes
 * `SHA-256(0x00 || entry)`, interior nodes `SHA-256(0x01 || left || right)`, the empty tree
 * `SHA-256("")`; and the verification of inclusion and consistency proofs as RFC 9162 sections
 * 2.1.3.2 and 2.1.4.2 write them. Sizes are JavaScript numbers up to 2^53 - 1; the bit
 * arithmetic of the verifiers runs on bigint, so sizes beyond 2^32 (Certificate Transparency
 * logs have them) verify exactly.
 */
export const HASH_SIZE = 32;
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

// The one-shot crypto.hash: three times as fast as createHash for 65 bytes, which the tree hashes by the million.
export function leafHash(entry: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([LEAF_PREFIX, entry]), 'buffer');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right]), 'buffer');
}

/** The largest power of two strictly below n (n >= 2): the split point `k` of RFC 6962. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) of a list of leaf hashes, by the definition (the reference for tests and small trees). */
export function rootFromLeafHashes(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0]!;
  const k = splitPoint(hashes.length);
  return nodeHash(rootFromLeafHashes(hashes.slice(0, k)), rootFromLeafHashes(hashes.slice(k)));
}

export type ProofVerdict = { ok: true } | { ok: false; reason: string };

const fail = (reason: string): ProofVerdict => ({ ok: false, reason });
const isSize = (n: number) => Number.isSafeInteger(n) && n >= 0;
const wellFormed = (hashes: readonly Uint8Array[]) => hashes.every((hash) => hash.length === HASH_SIZE);

/**
 * The root an inclusion proof leads to (RFC 9162 2.1.3.2), or, as a string, the reason it leads
 * nowhere (an index outside the tree, a proof too long or too short for the index and size).
 */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer | string {
  if (!isSize(index) || !isSize(size) || index >= size) return `leaf index ${index} is outside a tree of size ${size}`;
  if (leaf.length !== HASH_SIZE || !wellFormed(proof)) return 'a hash is not 32 bytes';
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0n) return 'the proof is longer than the path from the leaf to the root';
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return 'the proof is shorter than the path from the leaf to the root';
  return r;
}

export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): ProofVerdict {
  const computed = rootFromInclusionProof(index, size, leaf, proof);
  if (typeof computed === 'string') return fail(computed);
  return computed.equals(root) ? { ok: true } : fail(`the proof leads to root ${computed.toString('hex')}, not ${Buffer.from(root).toString('hex')}`);
}

/**
 * Consistency between the tree of size `first` with root `firstRoot` and the tree of size
 * `second` with root `secondRoot` (RFC 9162 2.1.4.2). As RFC 6962 and tlog-witness have it, a
 * proof between equal sizes is empty and the roots are equal, and a proof from the empty tree is
 * empty (the empty tree is a prefix of every tree).
 */
export function verifyConsistency(
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): ProofVerdict {
  if (!isSize(first) || !isSize(second) || first > second) return fail(`no consistency proof goes from size ${first} to size ${second}`);
  if (firstRoot.length !== HASH_SIZE || secondRoot.length !== HASH_SIZE || !wellFormed(proof)) return fail('a hash is not 32 bytes');
  if (first === second) {
    if (proof.length > 0) return fail('a proof between equal sizes is empty');
    return Buffer.from(firstRoot).equals(secondRoot) ? { ok: true } : fail(`two different roots for size ${first}`);
  }
  if (first === 0) return proof.length === 0 ? { ok: true } : fail('a proof from the empty tree is empty');
  if (proof.length === 0) return fail('the proof is empty');

  let path = proof;
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  if ((BigInt(first) & BigInt(first - 1)) === 0n) path = [firstRoot, ...proof];
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0n) return fail('the proof is longer than the paths it should follow');
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) return fail('the proof is shorter than the paths it should follow');
  if (!fr.equals(firstRoot)) return fail(`the proof does not lead to the root of size ${first}`);
  if (!sr.equals(secondRoot)) return fail(`the proof does not lead to the root of size ${second}`);
  return { ok: true };
}
