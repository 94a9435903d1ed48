import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Verifier keys of C2SP signed-note (Go's sumdb/note): `<name>+<key id hex>+<base64(type ||
 * public key)>`, the key id being SHA-256(name || "\n" || type || public key)[:4]. Two types are
 * known here, both Ed25519: 0x01, a signer of note texts (the log), and 0x04, a timestamped
 * cosigner of checkpoints (C2SP tlog-cosignature, `cosignature/v1`: a witness).
 */
export const KEY_TYPE_ED25519 = 0x01;
export const KEY_TYPE_COSIGNATURE_V1 = 0x04;
export type KeyType = typeof KEY_TYPE_ED25519 | typeof KEY_TYPE_COSIGNATURE_V1;

export interface Vkey {
  name: string;
  type: KeyType;
  keyId: Buffer;
  /** The raw 32 bytes of the Ed25519 public key. */
  rawKey: Buffer;
  publicKey: KeyObject;
  /** The vkey as text, as parsed. */
  text: string;
}

/** A key name: non-empty, without Unicode spaces and without `+`. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

export function vkeyKeyId(name: string, type: KeyType, rawKey: Uint8Array): Buffer {
  return createHash('sha256').update(name).update('\n').update(Buffer.from([type])).update(rawKey).digest().subarray(0, 4);
}

export function formatVkey(name: string, type: KeyType, rawKey: Uint8Array): string {
  return `${name}+${vkeyKeyId(name, type, rawKey).toString('hex')}+${Buffer.concat([Buffer.from([type]), rawKey]).toString('base64')}`;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses a vkey of one of `types`; throws with the reason when it is malformed, of another type, or its key id does not match. */
export function parseVkey(text: string, types: readonly KeyType[] = [KEY_TYPE_ED25519, KEY_TYPE_COSIGNATURE_V1]): Vkey {
  const trimmed = text.trim();
  // As Go's chop: the name and the key id hold no '+', the base64 of the key may.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(trimmed);
  if (match === null) throw new Error('a verifier key has the form <name>+<key id hex>+<base64 key>');
  const [, name, idHex, key64] = match as unknown as [string, string, string, string];
  if (!isValidKeyName(name)) throw new Error('the verifier key has an invalid name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new Error('the key id is not 8 lower-case hex digits');
  const key = BASE64.test(key64) ? Buffer.from(key64, 'base64') : Buffer.alloc(0);
  const type = key[0] as KeyType;
  if (key.length !== 33 || !types.includes(type)) {
    const expected = types.map((t) => `0x0${t}`).join(' or ');
    throw new Error(`the key is not an Ed25519 key of type ${expected} (the type byte and 32 bytes, base64)`);
  }
  const rawKey = key.subarray(1);
  if (vkeyKeyId(name, type, rawKey).toString('hex') !== idHex) throw new Error('the key id does not match the name and key');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rawKey.toString('base64url') }, format: 'jwk' });
  return { name, type, keyId: Buffer.from(idHex, 'hex'), rawKey, publicKey, text: trimmed };
}
