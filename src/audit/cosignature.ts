import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { rawPublicKey, SIGNATURE_PREFIX, type NoteSignature } from './note.js';
import { formatVkey, isValidKeyName, KEY_TYPE_COSIGNATURE_V1, vkeyKeyId, type Vkey } from './vkey.js';

/**
 * Ed25519 `cosignature/v1` of C2SP tlog-cosignature: a witness's statement that, at a time, the
 * checkpoint is the largest consistent one it has seen of that log. The signed message is
 * `cosignature/v1\ntime <POSIX seconds>\n` followed by the checkpoint's note text; the signature
 * line is `— <witness name> base64(key id || u64 big-endian timestamp || 64-byte signature)`,
 * the key id being SHA-256(name || "\n" || 0x04 || public key)[:4]. The name is not signed, so
 * one key must never serve two witness names.
 */
export const COSIGNATURE_LENGTH = 8 + 64;
const MAX_TIMESTAMP = 2n ** 63n - 1n;

export function cosignatureMessage(text: string, timestamp: number | bigint): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${text}`, 'utf8');
}

export interface Cosigner {
  name: string;
  keyId: Buffer;
  /** `<name>+<key id hex>+<base64(0x04 || public key)>` */
  vkey: string;
  /** The signature line (ending in a newline) over a checkpoint's note text. */
  cosign(text: string): string;
}

/** A cosigner for `name` with an Ed25519 private key; `now` gives milliseconds (the time in the signature is in whole seconds). */
export function cosigner(name: string, privateKey: KeyObject, now: () => number = Date.now): Cosigner {
  if (!isValidKeyName(name)) throw new Error(`invalid witness name ${JSON.stringify(name)}: no spaces or '+'`);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the witness key is not an Ed25519 key');
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const keyId = vkeyKeyId(name, KEY_TYPE_COSIGNATURE_V1, publicKey);
  return {
    name,
    keyId,
    vkey: formatVkey(name, KEY_TYPE_COSIGNATURE_V1, publicKey),
    cosign(text) {
      if (!text.endsWith('\n')) throw new Error('a checkpoint text ends with a newline');
      const timestamp = BigInt(Math.floor(now() / 1000));
      const time = Buffer.alloc(8);
      time.writeBigUInt64BE(timestamp);
      const signature = sign(null, cosignatureMessage(text, timestamp), privateKey);
      return `${SIGNATURE_PREFIX}${name} ${Buffer.concat([keyId, time, signature]).toString('base64')}\n`;
    },
  };
}

export type CosignatureVerdict = { ok: true; timestamp: number } | { ok: false; reason: string };

/** The timestamp of a cosignature's bytes (after the key id), or undefined when they are not 8 + 64 bytes. */
export function cosignatureTimestamp(signature: Uint8Array): bigint | undefined {
  if (signature.length !== COSIGNATURE_LENGTH) return undefined;
  return Buffer.from(signature).readBigUInt64BE(0);
}

/** Whether one signature line of a note is a valid cosignature of `vkey` over the note's text. */
export function verifyCosignature(signature: NoteSignature, text: string, vkey: Vkey): CosignatureVerdict {
  if (vkey.type !== KEY_TYPE_COSIGNATURE_V1) return { ok: false, reason: `${vkey.name} is not a cosigner key (type 0x04)` };
  if (signature.name !== vkey.name || !signature.keyId.equals(vkey.keyId)) return { ok: false, reason: `the signature is not by ${vkey.name}` };
  const timestamp = cosignatureTimestamp(signature.signature);
  if (timestamp === undefined) return { ok: false, reason: `the cosignature of ${vkey.name} is not 72 bytes (timestamp and Ed25519 signature)` };
  if (timestamp > MAX_TIMESTAMP) return { ok: false, reason: `the cosignature of ${vkey.name} has a timestamp beyond 2^63 - 1` };
  if (!verify(null, cosignatureMessage(text, timestamp), vkey.publicKey, signature.signature.subarray(8))) {
    return { ok: false, reason: `invalid cosignature by ${vkey.name}+${vkey.keyId.toString('hex')}` };
  }
  return { ok: true, timestamp: Number(timestamp) };
}
