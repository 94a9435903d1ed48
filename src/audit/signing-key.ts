import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The Ed25519 key that signs audit checkpoints. `AUDIT_SIGNING_KEY` holds it as PKCS#8 PEM: the
 * PEM text itself (line breaks may be written as `\n`, for environment files that hold one line),
 * or the path of a file that holds it. Every instance of a deployment signs with the same key.
 */
/** Parses `AUDIT_SIGNING_KEY`; throws a message without the key's content when it is not an Ed25519 private key. */
export function parseSigningKey(value: string): KeyObject {
  let pem = value.trim();
  if (!pem.startsWith('-----BEGIN')) {
    try {
      pem = readFileSync(pem, 'utf8').trim();
    } catch {
      throw new Error('is neither a PKCS#8 PEM private key nor the path of a readable file holding one');
    }
  }
  pem = pem.replaceAll('\\n', '\n');
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error('is not a PKCS#8 PEM private key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`is a ${key.asymmetricKeyType ?? 'unknown'} key, not an Ed25519 key`);
  return key;
}

export function generateSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export const SIGNING_KEY_FILE = 'audit-signing-key.pem';

/**
 * The embedded database's key: generated once into its data directory (readable by the owner
 * only) and read from there on every later start. A directory of `memory://` (tests) keeps a
 * fresh key in memory. Two processes racing to create the file both end up with the one written
 * first (`wx` fails for the second, which then reads it).
 */
export async function embeddedSigningKey(dataDir: string): Promise<KeyObject> {
  if (dataDir.startsWith('memory://')) return createPrivateKey(generateSigningKeyPem());
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, SIGNING_KEY_FILE);
  try {
    await writeFile(file, generateSigningKeyPem(), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return parseSigningKey(await readFile(file, 'utf8'));
}
