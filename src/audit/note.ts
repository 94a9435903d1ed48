import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { formatVkey, isValidKeyName, KEY_TYPE_ED25519, parseVkey, vkeyKeyId } from './vkey.js';

export { isValidKeyName };

/**
 * Signed notes as Go's checksum database writes them (golang.org/x/mod/sumdb/note, C2SP
 * signed-note): a text ending in a newline, an empty line, and one line per signature,
 * `— <key name> <base64(4-byte key id || Ed25519 signature of the text)>`. The key id is the
 * first 4 bytes of SHA-256(key name || "\n" || 0x01 || 32-byte public key), 0x01 naming
 * Ed25519; a verifier key is written `<name>+<key id hex>+<base64(0x01 || public key)>`.
 * node:crypto does the cryptography; this module only spells the format.
 */
export const SIGNATURE_PREFIX = '\u2014 ';

/** The raw 32 bytes of an Ed25519 public key. */
export function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function keyId(name: string, publicKey: Buffer): Buffer {
  return vkeyKeyId(name, KEY_TYPE_ED25519, publicKey);
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
  return formatVkey(name, KEY_TYPE_ED25519, publicKey);
}

export interface NoteVerifier {
  name: string;
  keyId: Buffer;
  publicKey: KeyObject;
}

/** Parses a verifier key of the Ed25519 note type (0x01); throws with the reason when it is malformed or its key id does not match. */
export function parseVerifierKey(text: string): NoteVerifier {
  const { name, keyId: id, publicKey } = parseVkey(text, [KEY_TYPE_ED25519]);
  return { name, keyId: id, publicKey };
}

/** One signature line of a note: the key name, the 4-byte key id, and the bytes after it. */
export interface NoteSignature {
  name: string;
  keyId: Buffer;
  signature: Buffer;
  /** The line as written, with its final newline. */
  line: string;
}

export type ParsedNote = { ok: true; text: string; signatures: NoteSignature[] } | { ok: false; reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
/** Signed-note verifiers must accept at least 16 signatures; beyond this many a note is refused. */
export const MAX_SIGNATURES = 100;

/**
 * Splits a signed note into its text and signature lines, as Go's `note.Open` reads it: valid
 * UTF-8 without control characters other than newline, the signatures after the last empty
 * line, each `— <name> <base64(key id || signature)>`. Verifies nothing.
 */
export function parseNote(note: string): ParsedNote {
  if (/[\u0000-\u0009\u000b-\u001f\ufffd]/u.test(note)) return { ok: false, reason: 'malformed note: control characters' };
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return { ok: false, reason: 'malformed note: no empty line before the signatures' };
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block.length === 0 || !block.endsWith('\n')) return { ok: false, reason: 'malformed note: the signature block does not end with a newline' };
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return { ok: false, reason: `malformed note: more than ${MAX_SIGNATURES} signatures` };
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(SIGNATURE_PREFIX)) return { ok: false, reason: 'malformed note: a signature line does not start with an em dash' };
    const [name, b64, ...rest] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    if (name === undefined || b64 === undefined || rest.length > 0 || !isValidKeyName(name) || !BASE64.test(b64)) {
      return { ok: false, reason: 'malformed note: a signature line is not "— <name> <base64>"' };
    }
    const bytes = Buffer.from(b64, 'base64');
    if (bytes.length < 5) return { ok: false, reason: 'malformed note: a signature is too short' };
    signatures.push({ name, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4), line: `${line}\n` });
  }
  return { ok: true, text, signatures };
}

/** The note with more signature lines (each `— <name> <base64>\n`) after its own. */
export function appendSignatureLines(note: string, lines: readonly string[]): string {
  return note + lines.join('');
}

export type OpenedNote =
  | { ok: true; text: string }
  | { ok: false; reason: string };

/**
 * Opens a signed note with one trusted key, as Go's `note.Open`: the note must be well formed
 * and carry a signature by that key that verifies over the text. Signatures by other keys are
 * ignored; one by this key (name and key id) that does not verify rejects the note.
 */
export function openNote(note: string, verifier: NoteVerifier): OpenedNote {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  let verified = false;
  for (const { name, keyId: id, signature } of parsed.signatures) {
    if (name !== verifier.name || !id.equals(verifier.keyId)) continue;
    if (!verify(null, Buffer.from(parsed.text, 'utf8'), verifier.publicKey, signature)) {
      return { ok: false, reason: `invalid signature for key ${name}+${verifier.keyId.toString('hex')}` };
    }
    verified = true;
  }
  return verified
    ? { ok: true, text: parsed.text }
    : { ok: false, reason: `the note has no signature by ${verifier.name}+${verifier.keyId.toString('hex')}` };
}
