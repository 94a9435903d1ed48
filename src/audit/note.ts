import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Signed notes as Go's checksum database writes them (golang.org/x/mod/sumdb/note, C2SP
 * signed-note): a text ending in a newline, an empty line, and one line per signature,
 * `— <key name> <base64(4-byte key id || Ed25519 signature of the text)>`. The key id is the
 * first 4 bytes of SHA-256(key name || "\n" || 0x01 || 32-byte public key), 0x01 naming
 * Ed25519; a verifier key is written `<name>+<key id hex>+<base64(0x01 || public key)>`.
 * node:crypto does the cryptography; this module only spells the format.
 */
const ALG_ED25519 = 0x01;
const SIGNATURE_PREFIX = '\u2014 ';

/** A key name: non-empty, without spaces and without `+` (which separates the verifier key's parts). */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyId(name: string, publicKey: Buffer): Buffer {
  const digest = createHash('sha256').update(name).update('\n').update(Buffer.from([ALG_ED25519])).update(publicKey).digest();
  return digest.subarray(0, 4);
}

export interface NoteSigner {
  name: string;
  keyId: Buffer;
  publicKey: Buffer;
  /** `<name>+<key id hex>+<base64(0x01 || public key)>` */
  verifierKey: string;
  sign(text: string): string;
}

/** A signer for `name` with an Ed25519 private key (a node:crypto KeyObject). */
export function noteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (!isValidKeyName(name)) throw new Error(`invalid key name ${JSON.stringify(name)}: no spaces or '+'`);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the signing key is not an Ed25519 key');
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const id = keyId(name, publicKey);
  return {
    name,
    keyId: id,
    publicKey,
    verifierKey: formatVerifierKey(name, publicKey),
    sign(text: string): string {
      if (!text.endsWith('\n')) throw new Error('a note text ends with a newline');
      const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
      return `${text}\n${SIGNATURE_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
    },
  };
}

export function formatVerifierKey(name: string, publicKey: Buffer): string {
  return `${name}+${keyId(name, publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ALG_ED25519]), publicKey]).toString('base64')}`;
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Parses a verifier key; throws with the reason when it is malformed or its key id does not match. */
export function parseVerifierKey(text: string): NoteVerifier {
  // As Go's chop: the name and the key id hold no '+', the base64 of the key may.
  const match = /^([^+]*)\+([^+]*)\+(.*)$/s.exec(text.trim());
  if (match === null) throw new Error('a verifier key has the form <name>+<key id hex>+<base64 key>');
  const [, name, idHex, key64] = match as unknown as [string, string, string, string];
  if (!isValidKeyName(name)) throw new Error('the verifier key has an invalid name');
  if (!/^[0-9a-f]{8}$/.test(idHex)) throw new Error('the key id is not 8 lower-case hex digits');
  const key = BASE64.test(key64) ? Buffer.from(key64, 'base64') : Buffer.alloc(0);
  if (key.length !== 33 || key[0] !== ALG_ED25519) throw new Error('the key is not an Ed25519 key (0x01 and 32 bytes, base64)');
  const publicKey = key.subarray(1);
  if (keyId(name, publicKey).toString('hex') !== idHex) throw new Error('the key id does not match the name and key');
  const jwk = { kty: 'OKP', crv: 'Ed25519', x: publicKey.toString('base64url') };
  return { name, keyId: Buffer.from(idHex, 'hex'), publicKey: createPublicKey({ key: jwk, format: 'jwk' }) };
}

export type OpenedNote =
  | { ok: true; text: string }
  | { ok: false; reason: string };

/**
 * Opens a signed note with one trusted key, as Go's `note.Open`: the note must be well formed
 * (valid UTF-8 without control characters other than newline, a signature block after the last
 * empty line) and carry a signature by that key that verifies over the text. Signatures by
 * other keys are ignored.
 */
export function openNote(note: string, verifier: NoteVerifier): OpenedNote {
  if (/[\u0000-\u0009\u000b-\u001f\ufffd]/u.test(note)) return { ok: false, reason: 'malformed note: control characters' };
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'malformed note: no empty line before the signatures' };
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) return { ok: false, reason: 'malformed note: the signature block does not end with a newline' };
  let verified = false;
  for (const line of block.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: 'malformed note: a signature line does not start with an em dash' };
    const [name, b64, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || b64 === undefined || rest.length > 0 || !isValidKeyName(name) || !BASE64.test(b64)) {
      return { ok: false, reason: 'malformed note: a signature line is not "— <name> <base64>"' };
    }
    const signature = Buffer.from(b64, 'base64');
    if (signature.length < 5) return { ok: false, reason: 'malformed note: a signature is too short' };
    if (name !== verifier.name || !signature.subarray(0, 4).equals(verifier.keyId)) continue;
    if (!verify(null, Buffer.from(text, 'utf8'), verifier.publicKey, signature.subarray(4))) {
      return { ok: false, reason: `invalid signature for key ${name}+${verifier.keyId.toString('hex')}` };
    }
    verified = true;
  }
  return verified ? { ok: true, text } : { ok: false, reason: `the note has no signature by ${verifier.name}+${verifier.keyId.toString('hex')}` };
}
