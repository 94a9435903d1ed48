import { createPrivateKey, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPem, parseSigningKey } from '../audit/signing-key.js';
import { isValidKeyName, KEY_TYPE_ED25519, parseVkey, type Vkey } from '../audit/vkey.js';

/**
 * The witness program's environment, checked once at start; a bad value stops it with one line
 * that names the variable.
 *   WITNESS_LOGS         the logs it witnesses: comma-separated vkeys (`<origin>+<id>+<base64 0x01 key>`)
 *   WITNESS_NAME         its name in cosignatures, e.g. `heerlen.nl/eszl-witness` (no spaces or '+')
 *   WITNESS_SIGNING_KEY  its Ed25519 private key, PKCS#8 PEM or the path of a file holding it;
 *                        unset: one is generated once into WITNESS_DATA_DIR/witness-key.pem
 *   WITNESS_DATA_DIR     where it keeps the latest cosigned checkpoint per log (default ./witness-data)
 *   HOST, PORT           where it listens (default 127.0.0.1:3100)
 */
export interface WitnessConfig {
  logs: Map<string, Vkey[]>;
  name: string;
  key: KeyObject;
  /** True when the key was generated into the data directory at this start. */
  generatedKey: boolean;
  dataDir: string;
  host: string;
  port: number;
}

export class WitnessConfigError extends Error {
  override name = 'WitnessConfigError';
}

export const GENERATED_KEY_FILE = 'witness-key.pem';

function logsFrom(value: string | undefined): Map<string, Vkey[]> {
  if (value === undefined || value.trim() === '') throw new WitnessConfigError('WITNESS_LOGS is required: the vkeys of the logs this witness cosigns, comma-separated');
  const logs = new Map<string, Vkey[]>();
  for (const text of value.split(',').map((part) => part.trim()).filter(Boolean)) {
    let vkey: Vkey;
    try {
      vkey = parseVkey(text, [KEY_TYPE_ED25519]);
    } catch (error) {
      throw new WitnessConfigError(`WITNESS_LOGS: ${JSON.stringify(text)}: ${(error as Error).message}`);
    }
    logs.set(vkey.name, [...(logs.get(vkey.name) ?? []), vkey]);
  }
  return logs;
}

function keyFrom(value: string | undefined, dataDir: string): { key: KeyObject; generated: boolean } {
  if (value !== undefined && value.trim() !== '') {
    try {
      return { key: parseSigningKey(value), generated: false };
    } catch (error) {
      throw new WitnessConfigError(`WITNESS_SIGNING_KEY ${(error as Error).message} (value hidden)`);
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, GENERATED_KEY_FILE);
  let generated = true;
  try {
    writeFileSync(file, generateSigningKeyPem(), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    generated = false;
  }
  return { key: createPrivateKey(readFileSync(file, 'utf8')), generated };
}

export function loadWitnessConfig(env: Record<string, string | undefined>): WitnessConfig {
  const logs = logsFrom(env.WITNESS_LOGS);
  const name = env.WITNESS_NAME ?? '';
  if (!isValidKeyName(name)) throw new WitnessConfigError('WITNESS_NAME is required: the witness\'s name, without spaces or \'+\' (e.g. heerlen.nl/eszl-witness)');
  if (logs.has(name)) throw new WitnessConfigError('WITNESS_NAME is the name of a log it witnesses: choose a name of its own');
  const dataDir = env.WITNESS_DATA_DIR?.trim() || './witness-data';
  const port = Number(env.PORT ?? 3100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new WitnessConfigError('PORT is a port number, 0..65535');
  const host = env.HOST?.trim() || '127.0.0.1';
  const { key, generated } = keyFrom(env.WITNESS_SIGNING_KEY, dataDir);
  return { logs, name, key, generatedKey: generated, dataDir, host, port };
}
