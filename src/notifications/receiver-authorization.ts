import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * The `Authorization` value a receiver asked for (`Bearer <token>`), stored encrypted: AES-256-GCM
 * with a key derived by HKDF-SHA256 from WEBHOOK_SIGNING_KEY, a random 96-bit nonce per value,
 * and the subscription's id as associated data, so the database alone reveals nothing and a
 * value copied onto another subscription does not decrypt. Stored as
 * `v1.<base64url(nonce | ciphertext | tag)>`; the version names the scheme, so a later one can
 * be told apart.
 */
const VERSION = 'v1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function encryptionKey(signingKey: string): Buffer {
  return Buffer.from(hkdfSync('sha256', signingKey, Buffer.alloc(0), 'eszl webhook receiver authorization v1', 32));
}

const associatedData = (subscriptionId: string) => Buffer.from(`webhook-subscription:${subscriptionId}`, 'utf8');

export function encryptAuthorization(signingKey: string, subscriptionId: string, value: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', encryptionKey(signingKey), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData(subscriptionId));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64url')}`;
}

export class AuthorizationDecryptionError extends Error {
  override name = 'AuthorizationDecryptionError';
}

/** The stored value decrypted; throws when the key, the subscription or the bytes are not the ones it was made with. */
export function decryptAuthorization(signingKey: string, subscriptionId: string, stored: string): string {
  const [version, encoded, ...rest] = stored.split('.');
  if (version !== VERSION || encoded === undefined || rest.length > 0) {
    throw new AuthorizationDecryptionError(`an encrypted authorization starts with ${VERSION}.`);
  }
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new AuthorizationDecryptionError('the encrypted authorization is truncated');
  const decipher = createDecipheriv('aes-256-gcm', encryptionKey(signingKey), bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(associatedData(subscriptionId));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new AuthorizationDecryptionError('the authorization does not decrypt with this WEBHOOK_SIGNING_KEY');
  }
}
