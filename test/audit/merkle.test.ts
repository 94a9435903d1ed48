import { readFileSync } from 'node:fs';
import t from 'tap';
import { EMPTY_ROOT, leafHash, nodeHash, rootFromInclusionProof, rootFromLeafHashes, verifyConsistency, verifyInclusion } from '../../src/audit/merkle.js';

import { CONSISTENCY, h, INCLUSION, LEAF_HASHES, LEAVES, ROOTS } from './fixtures/rfc6962.js';
import { projectFile } from '../helpers/project-dir.js';

/**
 * The reference vectors of transparency-dev/merkle (the tree of RFC 6962's eight test leaves),
 * and real proofs of Google's Argon 2020 Certificate Transparency log as golang.org/x/mod/sumdb/tlog
 * keeps them in its testdata.
 */

const SOME_HASH = h('abacaba000000000000000000000000000000000000000000060061e00123456');
const flip = (proof: Buffer[], i: number, bit: number) => proof.map((p, j) => (j === i ? Buffer.from(p.map((b, k) => (k === 0 ? b ^ bit : b))) : p));

t.test('hashes the leaves, nodes and roots of RFC 6962\'s test tree exactly', async (t) => {
  t.same(LEAVES.map((leaf) => leafHash(leaf).toString('hex')), LEAF_HASHES);
  t.equal(nodeHash(leafHash(LEAVES[0]!), leafHash(LEAVES[1]!)).toString('hex'), 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125');
  t.same(EMPTY_ROOT, ROOTS[0]);
  for (let size = 0; size <= 8; size++) t.same(rootFromLeafHashes(LEAVES.slice(0, size).map(leafHash)), ROOTS[size], `size ${size}`);
});

t.test('verifies the known inclusion proofs and refuses every corruption of them', async (t) => {
  for (const [leaf, size, hexes] of INCLUSION) {
    const proof = hexes.map(h);
    const index = leaf - 1;
    const hash = leafHash(LEAVES[index]!);
    const root = ROOTS[size]!;
    t.same(verifyInclusion(index, size, hash, proof, root), { ok: true }, `leaf ${index} of ${size}`);
    const probes: [string, number, number, Buffer, Buffer[], Buffer][] = [
      ['index - 1', index - 1, size, hash, proof, root],
      ['index + 1', index + 1, size, hash, proof, root],
      ['index ^ 2', index ^ 2, size, hash, proof, root],
      ['size * 2', index, size * 2, hash, proof, root],
      ['size / 2', index, Math.floor(size / 2), hash, proof, root],
      ['wrong leaf', index, size, leafHash(Buffer.from('WrongLeaf')), proof, root],
      ['empty root', index, size, hash, proof, EMPTY_ROOT],
      ['random root', index, size, hash, proof, SOME_HASH],
      ['trailing root', index, size, hash, [...proof, root], root],
      ['preceding root', index, size, hash, [root, ...proof], root],
      ...proof.map((_, i): [string, number, number, Buffer, Buffer[], Buffer] => [`proof[${i}] changed`, index, size, hash, flip(proof, i, 8), root]),
      ['removed component', index, size, hash, proof.slice(0, -1), root],
    ];
    if (proof.length > 1) probes.push(['inserted component', index, size, hash, [proof[0]!, SOME_HASH, ...proof.slice(1)], root]);
    for (const [name, i, s, leafH, p, r] of probes) t.equal(verifyInclusion(i, s, leafH, p, r).ok, false, `leaf ${index} of ${size}: ${name}`);
  }
  t.equal(verifyInclusion(0, 0, SOME_HASH, [], EMPTY_ROOT).ok, false, 'no leaf is in the empty tree');
  t.equal(verifyInclusion(1, 1, SOME_HASH, [], SOME_HASH).ok, false, 'leaf 1 is not in a tree of one');
  t.same(verifyInclusion(0, 1, SOME_HASH, [], SOME_HASH), { ok: true }, 'a tree of one leaf is its leaf hash');
});

t.test('verifies the known consistency proofs and refuses every corruption of them', async (t) => {
  for (const [first, second, hexes] of CONSISTENCY) {
    const proof = hexes.map(h);
    const [r1, r2] = [ROOTS[first]!, ROOTS[second]!];
    t.same(verifyConsistency(first, second, proof, r1, r2), { ok: true }, `${first} to ${second}`);
    const probes: [string, number, number, Buffer[], Buffer, Buffer][] = [
      ['first - 1', first - 1, second, proof, r1, r2],
      ['first + 1', first + 1, second, proof, r1, r2],
      ['first ^ 2', first ^ 2, second, proof, r1, r2],
      ['second * 2', first, second * 2, proof, r1, r2],
      ['second / 2', first, Math.floor(second / 2), proof, r1, r2],
      ['wrong first root', first, second, proof, SOME_HASH, r2],
      ['wrong second root', first, second, proof, r1, SOME_HASH],
      ['swapped roots', first, second, proof, r2, r1],
      ['empty proof', first, second, [], r1, r2],
      ['trailing first root', first, second, [...proof, r1], r1, r2],
      ['preceding second root', first, second, [r2, ...proof], r1, r2],
      ['preceding proof[0]', first, second, [proof[0]!, ...proof], r1, r2],
      ['truncated', first, second, proof.slice(0, -1), r1, r2],
      ...proof.map((_, i): [string, number, number, Buffer[], Buffer, Buffer] => [`proof[${i}] changed`, first, second, flip(proof, i, 16), r1, r2]),
    ];
    for (const [name, a, b, p, x, y] of probes) t.equal(verifyConsistency(a, b, p, x, y).ok, false, `${first} to ${second}: ${name}`);
  }
  t.same(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT), { ok: true }, 'the empty tree with itself');
  t.same(verifyConsistency(0, 5, [], EMPTY_ROOT, ROOTS[5]!), { ok: true }, 'the empty tree is a prefix of every tree');
  t.same(verifyConsistency(3, 3, [], ROOTS[3]!, ROOTS[3]!), { ok: true }, 'equal sizes, equal roots');
  t.equal(verifyConsistency(3, 3, [], ROOTS[3]!, ROOTS[4]!).ok, false, 'equal sizes, two roots');
  t.equal(verifyConsistency(3, 3, [EMPTY_ROOT], ROOTS[3]!, ROOTS[3]!).ok, false, 'equal sizes with a non-empty proof');
  t.equal(verifyConsistency(0, 1, [EMPTY_ROOT], EMPTY_ROOT, ROOTS[1]!).ok, false, 'from the empty tree with a non-empty proof');
  t.equal(verifyConsistency(2, 1, [], ROOTS[2]!, ROOTS[1]!).ok, false, 'back in time');
});

t.test('verifies real Certificate Transparency proofs of a tree of 961,984,013 leaves', async (t) => {
  const ct = JSON.parse(readFileSync(projectFile('test/audit/fixtures/ct-argon2020.json'), 'utf8')) as {
    sth: { tree_size: number; sha256_root_hash: string };
    leaf_index: number;
    leaf_input: string;
    audit_path: string[];
    consistency_first: number;
    consistency_first_root: string;
    consistency: string[];
  };
  const b64 = (text: string) => Buffer.from(text, 'base64');
  const root = b64(ct.sth.sha256_root_hash);
  const leaf = leafHash(b64(ct.leaf_input));
  t.same(verifyInclusion(ct.leaf_index, ct.sth.tree_size, leaf, ct.audit_path.map(b64), root), { ok: true }, 'inclusion of leaf 10000');
  t.same(rootFromInclusionProof(ct.leaf_index, ct.sth.tree_size, leaf, ct.audit_path.map(b64)), root);
  t.equal(verifyInclusion(ct.leaf_index + 1, ct.sth.tree_size, leaf, ct.audit_path.map(b64), root).ok, false, 'not as leaf 10001');
  t.same(
    verifyConsistency(ct.consistency_first, ct.sth.tree_size, ct.consistency.map(b64), b64(ct.consistency_first_root), root),
    { ok: true },
    'consistency from 3,654,490',
  );
  t.equal(verifyConsistency(ct.consistency_first + 1, ct.sth.tree_size, ct.consistency.map(b64), b64(ct.consistency_first_root), root).ok, false);
});
