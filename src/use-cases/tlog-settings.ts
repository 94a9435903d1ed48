import { LRUCache } from 'lru-cache';
import { majority } from '../audit/log-checkpoint.js';
import type { NoteSigner } from '../audit/note.js';
import type { WitnessEndpoint } from '../audit/witness-list.js';
import { DomainError } from '../domain/errors.js';

/** The transparency log of this service: its signer, its witnesses, and the cache of immutable tiles. */
export interface TlogSettings {
  /** The checkpoints' origin line, and the signer's key name. */
  origin: string;
  /** Undefined on PostgreSQL without AUDIT_SIGNING_KEY: nothing is signed and the log's endpoints answer 503. */
  signer: NoteSigner | undefined;
  witnesses: WitnessEndpoint[];
  /** Witnesses that must cosign a checkpoint before it is served. */
  quorum: number;
  witnessTimeoutMs: number;
  /** Full tiles by `tileKey`: they never change, so every instance keeps the ones it read. */
  fullTiles: LRUCache<string, Buffer>;
}

export function tlogSettings(options: { origin: string; signer: NoteSigner | undefined; witnesses: WitnessEndpoint[]; quorum?: number | undefined; witnessTimeoutMs: number }): TlogSettings {
  return {
    origin: options.origin,
    signer: options.signer,
    witnesses: options.witnesses,
    quorum: options.quorum ?? majority(options.witnesses.length),
    witnessTimeoutMs: options.witnessTimeoutMs,
    // 4,096 tiles of 8 KB: 32 MB at most, every tile of a tree of a million leaves.
    fullTiles: new LRUCache<string, Buffer>({ max: 4_096 }),
  };
}

/** How a witness is stored: by its vkey, so a witness that changes its key is a new witness. */
export const witnessId = (witness: WitnessEndpoint) => witness.vkey.text;

export function requireLogSigner(settings: TlogSettings): NoteSigner {
  if (settings.signer === undefined) {
    throw new DomainError(
      'AUDIT_SIGNING_KEY_MISSING',
      'This service has no AUDIT_SIGNING_KEY (an Ed25519 private key, PKCS#8 PEM, the same for every instance): it keeps no transparency log.',
    );
  }
  return settings.signer;
}
