import { randomUUID } from 'node:crypto';
import t from 'tap';
import { AuthorizationDecryptionError, decryptAuthorization, encryptAuthorization } from '../../src/notifications/receiver-authorization.js';

/** The receiver's Authorization value, encrypted at rest with a key derived from WEBHOOK_SIGNING_KEY. */
const KEY = 'whk-test-signing-key-0123456789abcdefghij';
const VALUE = 'Bearer mF_9.B5f-4.1JqM';

t.test('a stored value decrypts to the value, and shows nothing of it', async (t) => {
  const id = randomUUID();
  const stored = encryptAuthorization(KEY, id, VALUE);
  t.match(stored, /^v1\.[A-Za-z0-9_-]+$/, 'a version prefix and base64url');
  t.notMatch(stored, /mF_9|Bearer/);
  t.equal(Buffer.from(stored.slice(3), 'base64url').length, 12 + Buffer.byteLength(VALUE) + 16, 'nonce, ciphertext, tag');
  t.equal(decryptAuthorization(KEY, id, stored), VALUE);
  const long = `Bearer ${'x'.repeat(993)}`;
  t.equal(decryptAuthorization(KEY, id, encryptAuthorization(KEY, id, long)), long, '1,000 characters');
});

t.test('each encryption takes a fresh nonce', async (t) => {
  const id = randomUUID();
  t.not(encryptAuthorization(KEY, id, VALUE), encryptAuthorization(KEY, id, VALUE));
});

t.test('a wrong key, another subscription or a changed byte does not decrypt', async (t) => {
  const id = randomUUID();
  const stored = encryptAuthorization(KEY, id, VALUE);
  t.throws(() => decryptAuthorization(`${KEY}-rotated`, id, stored), AuthorizationDecryptionError, 'another WEBHOOK_SIGNING_KEY');
  t.throws(() => decryptAuthorization(KEY, randomUUID(), stored), AuthorizationDecryptionError, 'copied onto another subscription');
  const bytes = Buffer.from(stored.slice(3), 'base64url');
  bytes[14] = bytes[14]! ^ 1;
  t.throws(() => decryptAuthorization(KEY, id, `v1.${bytes.toString('base64url')}`), AuthorizationDecryptionError, 'a flipped bit');
  t.throws(() => decryptAuthorization(KEY, id, `v2.${stored.slice(3)}`), AuthorizationDecryptionError, 'an unknown version');
  t.throws(() => decryptAuthorization(KEY, id, 'v1.AAAA'), AuthorizationDecryptionError, 'truncated');
});
