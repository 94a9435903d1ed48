import { KEY_TYPE_COSIGNATURE_V1, parseVkey, type Vkey } from './vkey.js';

/**
 * The witnesses a log submits its checkpoints to, as AUDIT_LOG_WITNESSES writes them:
 * comma-separated `<vkey>@<submission URL prefix>`, the vkey a cosigner key (type 0x04), the
 * prefix an http(s) URL without a trailing slash (`POST <prefix>/add-checkpoint`).
 */
export interface WitnessEndpoint {
  vkey: Vkey;
  url: string;
}

export function parseWitnessList(text: string): WitnessEndpoint[] {
  const witnesses: WitnessEndpoint[] = [];
  for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
    const match = /^([^@\s]+?)@(https?:\/\/\S+)$/.exec(entry);
    if (match === null) throw new Error(`${JSON.stringify(entry)} is not <vkey>@<http(s) URL prefix>`);
    let vkey: Vkey;
    try {
      vkey = parseVkey(match[1]!, [KEY_TYPE_COSIGNATURE_V1]);
    } catch (error) {
      throw new Error(`${JSON.stringify(match[1])}: ${(error as Error).message}`);
    }
    let url: URL;
    try {
      url = new URL(match[2]!);
    } catch {
      throw new Error(`${JSON.stringify(match[2])} is not a URL`);
    }
    if (witnesses.some((w) => w.vkey.name === vkey.name)) throw new Error(`the witness ${vkey.name} is named twice`);
    witnesses.push({ vkey, url: url.toString().replace(/\/+$/, '') });
  }
  return witnesses;
}
