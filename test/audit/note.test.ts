import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { appendSignatureLines, formatVerifierKey, noteSigner, openNote, parseNote, parseVerifierKey } from '../../src/audit/note.js';

/**
 * The known vector of Go's golang.org/x/mod/sumdb/note (note_test.go): the signer key
 * PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz signs the text
 * below into exactly this note. Ed25519 signatures are deterministic, so ours must be identical.
 */
const GO_SEED = Buffer.from('AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz', 'base64').subarray(1);
const GO_VERIFIER_KEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE = `${GO_TEXT}\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`;
const goPrivateKey = () =>
  createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), GO_SEED]), format: 'der', type: 'pkcs8' });

t.test('signs Go\'s known vector byte for byte, with its key id and verifier key', async (t) => {
  const signer = noteSigner('PeterNeumann', goPrivateKey());
  t.equal(signer.keyId.toString('hex'), 'c74f20a3');
  t.equal(signer.verifierKey, GO_VERIFIER_KEY);
  t.equal(formatVerifierKey('PeterNeumann', signer.publicKey), GO_VERIFIER_KEY);
  t.equal(signer.sign(GO_TEXT), GO_NOTE);
});

t.test('opens Go\'s note with its verifier key and gives back the text', async (t) => {
  t.same(openNote(GO_NOTE, parseVerifierKey(GO_VERIFIER_KEY)), { ok: true, text: GO_TEXT });
});

t.test('reads verifier keys whose base64 holds a +', async (t) => {
  for (let i = 0; i < 40; i++) {
    const signer = noteSigner('eszl-decisions/audit', generateKeyPairSync('ed25519').privateKey);
    t.equal(parseVerifierKey(signer.verifierKey).keyId.toString('hex'), signer.keyId.toString('hex'));
  }
  t.ok(parseVerifierKey('x+' + formatVerifierKey('x', Buffer.alloc(32, 0xfb)).split('+').slice(1).join('+')), 'a key of 0xfb bytes is full of +');
});

t.test('refuses malformed verifier keys, as Go does', async (t) => {
  const bad = [
    '',
    'PeterNeumann+c74f20a3',
    'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==',
    'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
  ];
  for (const key of bad) t.throws(() => parseVerifierKey(key), Error, JSON.stringify(key));
});

t.test('a note that was changed, re-signed by another key, or malformed does not open', async (t) => {
  const verifier = parseVerifierKey(GO_VERIFIER_KEY);
  const other = noteSigner('PeterNeumann', generateKeyPairSync('ed25519').privateKey);
  const cases: [string, string, RegExp][] = [
    ['a changed text', GO_NOTE.replace('answer', 'Answer'), /invalid signature/],
    ['a changed signature', GO_NOTE.replace('x08go/ZJ', 'x08go/ZK'), /invalid signature/],
    ['signed with another key of the same name', other.sign(GO_TEXT), /no signature by PeterNeumann\+c74f20a3/],
    ['no empty line', GO_NOTE.replace('\n\n', '\n'), /malformed/],
    ['no final newline', GO_NOTE.slice(0, -1), /malformed/],
    ['a control character', `\u0001${GO_NOTE}`, /malformed/],
    ['a line after the signatures', `${GO_NOTE}Unexpected line.\n`, /malformed/],
    ['a name with a space', GO_NOTE.replace('— PeterNeumann', '— Peter Neumann'), /malformed/],
  ];
  for (const [name, note, reason] of cases) {
    const opened = openNote(note, verifier);
    t.equal(opened.ok, false, name);
    if (!opened.ok) t.match(opened.reason, reason, name);
  }
  t.same(openNote(`${GO_NOTE.slice(0, -1)}\n${other.sign(GO_TEXT).split('\n\n')[1]}`, verifier), { ok: true, text: GO_TEXT }, 'another key\'s signature beside ours is ignored');
});

t.test('a signer refuses a text without a final newline, a bad name and a key that is not Ed25519', async (t) => {
  t.throws(() => noteSigner('PeterNeumann', goPrivateKey()).sign('no newline'), /newline/);
  t.throws(() => noteSigner('a+b', goPrivateKey()), /invalid key name/);
  t.throws(() => noteSigner('rsa', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey), /not an Ed25519 key/);
});

t.test('reads a note with several signature lines, the spec\'s example among them, and keeps each line as written', async (t) => {
  const spec = 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
  const parsed = parseNote(spec);
  if (!parsed.ok) throw new Error(parsed.reason);
  t.equal(parsed.text, 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n', 'the text may hold empty lines: the last one separates');
  t.equal(parsed.signatures[0]!.name, 'quasimodo.example/salvatore');
  const other = noteSigner('other.example/key', generateKeyPairSync('ed25519').privateKey);
  const both = appendSignatureLines(GO_NOTE, [other.sign(GO_TEXT).split('\n\n')[1]!]);
  const two = parseNote(both);
  t.same(two.ok && two.signatures.map((s) => [s.name, s.keyId.toString('hex'), s.signature.length]), [['PeterNeumann', 'c74f20a3', 64], ['other.example/key', other.keyId.toString('hex'), 64]]);
  t.same(two.ok && two.signatures.map((s) => s.line).join(''), both.slice(GO_TEXT.length + 1));
  t.same(openNote(both, parseVerifierKey(GO_VERIFIER_KEY)), { ok: true, text: GO_TEXT });
});

t.test('accepts sixteen signatures, as the spec requires, and refuses more than a hundred', async (t) => {
  const line = GO_NOTE.slice(GO_TEXT.length + 1);
  t.equal(parseNote(GO_TEXT + '\n' + line.repeat(16)).ok, true);
  t.match(parseNote(GO_TEXT + '\n' + line.repeat(101)), { ok: false, reason: /more than 100 signatures/ });
});
