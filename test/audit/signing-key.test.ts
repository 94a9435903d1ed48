import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { embeddedSigningKey, generateSigningKeyPem, parseSigningKey, SIGNING_KEY_FILE } from '../../src/audit/signing-key.js';
import { rawPublicKey } from '../../src/audit/note.js';
import { createPublicKey } from 'node:crypto';

const dir = mkdtempSync(join(tmpdir(), 'eszl-signing-key-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const publicOf = (key: ReturnType<typeof parseSigningKey>) => rawPublicKey(createPublicKey(key)).toString('hex');

t.test('AUDIT_SIGNING_KEY as PEM, as PEM on one line with \\n, or as the path of a PEM file', async (t) => {
  const pem = generateSigningKeyPem();
  const file = join(dir, 'key.pem');
  writeFileSync(file, pem);
  const expected = publicOf(parseSigningKey(pem));
  t.equal(publicOf(parseSigningKey(pem.trim().replaceAll('\n', '\\n'))), expected);
  t.equal(publicOf(parseSigningKey(file)), expected);
});

t.test('anything else is refused without repeating the value', async (t) => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  t.throws(() => parseSigningKey(rsa), /rsa key, not an Ed25519 key/);
  t.throws(() => parseSigningKey('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'), /not a PKCS#8 PEM private key/);
  t.throws(() => parseSigningKey(join(dir, 'missing.pem')), /neither a PKCS#8 PEM private key nor the path/);
});

t.test('embedded: generated once into the data directory, readable by its owner only, and read back later', async (t) => {
  const dataDir = join(dir, 'data');
  const first = await embeddedSigningKey(dataDir);
  const file = join(dataDir, SIGNING_KEY_FILE);
  t.equal(statSync(file).mode & 0o777, 0o600);
  const second = await embeddedSigningKey(dataDir);
  t.equal(publicOf(second), publicOf(first), 'the same key on the next start');
  t.equal(publicOf(parseSigningKey(readFileSync(file, 'utf8'))), publicOf(first));
  const memory = await embeddedSigningKey('memory://');
  t.not(publicOf(memory), publicOf(first), 'an in-memory database gets a key of its own');
});
