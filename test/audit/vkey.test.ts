import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { rawPublicKey } from '../../src/audit/note.js';
import { formatVkey, KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, parseVkey } from '../../src/audit/vkey.js';

/** Vkeys of transparency-dev/formats' note tests (note/note_cosigv1_test.go) and Go's sumdb/note. */
t.test('reads the vkeys of transparency-dev/formats\' tests: a log key (0x01) and a cosigner key (0x04)', async (t) => {
  const log = parseVkey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6');
  t.equal(log.type, KEY_TYPE_ED25519);
  t.equal(log.name, 'TEST');
  const witness = parseVkey('remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2');
  t.equal(witness.type, KEY_TYPE_COSIGNATURE_V1, 'the key id is computed with the type byte 0x04');
  t.equal(witness.keyId.toString('hex'), 'da77ade7');
  t.equal(formatVkey(witness.name, witness.type, witness.rawKey), witness.text, 'and written back the same');
  t.equal(parseVkey('PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW').keyId.toString('hex'), 'c74f20a3', 'Go\'s sumdb/note key');
});

t.test('refuses the bad vkeys of those tests, and a key of a type not asked for', async (t) => {
  const bad = [
    'bananas.sigstore.dev+12344556',
    'rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!',
    'rekor.sigstore.dev+12345678+AwEB',
    'rekor.sigstore.dev+NOT_A_NUMBER+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
    'remora.n621.de+00000000+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
    'remora.n621.de+da77ade8+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
    'remora n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2',
  ];
  for (const text of bad) t.throws(() => parseVkey(text), Error, text);
  t.throws(() => parseVkey('remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2', [KEY_TYPE_ED25519]), /type 0x01/);
  t.throws(() => parseVkey('TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6', [KEY_TYPE_COSIGNATURE_V1]), /type 0x04/);
});

t.test('one Ed25519 key written as both types has two key ids', async (t) => {
  const raw = rawPublicKey(generateKeyPairSync('ed25519').publicKey);
  const asLog = parseVkey(formatVkey('example.org/w', KEY_TYPE_ED25519, raw));
  const asWitness = parseVkey(formatVkey('example.org/w', KEY_TYPE_COSIGNATURE_V1, raw));
  t.not(asLog.keyId.toString('hex'), asWitness.keyId.toString('hex'));
  t.same(asLog.rawKey, asWitness.rawKey);
});
