import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { checkpointText } from '../../src/audit/checkpoint.js';
import { compareWithExport, findForks, openCheckpoint, type HeldCheckpoint } from '../../src/audit/checkpoint-check.js';
import { GENESIS_HASH } from '../../src/audit/chain.js';
import { noteSigner, parseVerifierKey } from '../../src/audit/note.js';

const ORIGIN = 'eszl-decisions/audit';
const h = (c: string) => c.repeat(64);
const signer = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey);
const verifier = parseVerifierKey(signer.verifierKey);
const held = (label: string, size: number, hash: string, origin = ORIGIN): HeldCheckpoint => ({ label, body: { origin, size, hash } });

t.test('a checkpoint signed by the key opens; one signed by another key, or not a checkpoint, does not', async (t) => {
  const note = signer.sign(checkpointText({ origin: ORIGIN, size: 7, hash: h('a') }));
  t.same(openCheckpoint('saved.txt', note, verifier), { ok: true, checkpoint: held('saved.txt', 7, h('a')) });
  const stranger = noteSigner(ORIGIN, generateKeyPairSync('ed25519').privateKey).sign(checkpointText({ origin: ORIGIN, size: 7, hash: h('a') }));
  t.match(openCheckpoint('forged.txt', stranger, verifier), { ok: false, label: 'forged.txt', reason: /no signature/ });
  t.match(openCheckpoint('odd.txt', signer.sign('just a text\n'), verifier), { ok: false, reason: /three lines/ });
});

t.test('two checkpoints of one origin that disagree on the hash at one seq are a fork', async (t) => {
  t.same(findForks([held('a', 5, h('1')), held('b', 5, h('1')), held('c', 6, h('2'))]), [], 'agreeing or different seqs: no fork');
  t.same(findForks([held('a', 5, h('1')), held('b', 5, h('1'), 'elsewhere/log')]), [], 'different origins: no fork');
  const forks = findForks([held('monday.txt', 5, h('1')), held('tuesday.txt', 5, h('2'))]);
  t.equal(forks.length, 1);
  t.match(forks[0], /monday\.txt and tuesday\.txt .* seq 5/);
});

t.test('an export matches a checkpoint when it has the checkpoint\'s hash at its seq', async (t) => {
  const span = { afterSeq: 0, prevHash: GENESIS_HASH, lastSeq: 10, hashAt: new Map([[5, h('1')]]) };
  t.equal(compareWithExport(held('c', 5, h('1')), span).status, 'match');
  t.equal(compareWithExport(held('c', 5, h('2')), span).status, 'mismatch');
  t.equal(compareWithExport(held('c', 11, h('1')), span).status, 'beyond', 'the export ends before the checkpoint');
  const continuation = { afterSeq: 5, prevHash: h('1'), lastSeq: 10, hashAt: new Map<number, string>() };
  t.equal(compareWithExport(held('c', 5, h('1')), continuation).status, 'match', 'the seq a continuation starts after is checked against --prev-hash');
  t.equal(compareWithExport(held('c', 3, h('1')), continuation).status, 'not-covered');
});
