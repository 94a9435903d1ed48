import { verify } from 'node:crypto';
import { checkpointText, parseCheckpointText } from './checkpoint.js';
import { verifyCosignature } from './cosignature.js';
import { parseNote, type NoteSigner } from './note.js';
import { KEY_TYPE_COSIGNATURE_V1, KEY_TYPE_ED25519, type Vkey } from './vkey.js';

/**
 * Checkpoints of the transparency log (C2SP tlog-checkpoint): origin, tree size and base64
 * Merkle root, signed by the log's Ed25519 key (whose name is the origin), and cosigned by
 * witnesses. Opening one under a policy (the log's key, the witnesses' keys, a quorum) is what a
 * client does before it trusts a proof against it.
 */
export interface LogCheckpoint {
  origin: string;
  size: number;
  /** The Merkle root, 32 bytes. */
  root: Buffer;
}

export function signLogCheckpoint(signer: NoteSigner, { size, root }: Omit<LogCheckpoint, 'origin'>): string {
  return signer.sign(checkpointText({ origin: signer.name, size, hash: root.toString('hex') }));
}

export interface CheckpointPolicy {
  log: Vkey;
  witnesses: readonly Vkey[];
  /** How many distinct witnesses must have cosigned; 0 without witnesses. */
  quorum: number;
}

export interface OpenedLogCheckpoint {
  ok: true;
  checkpoint: LogCheckpoint;
  /** The note's text (the checkpoint body), as signed. */
  text: string;
  /** The witnesses whose cosignature verified, with its time (POSIX seconds). */
  cosignedBy: { name: string; timestamp: number }[];
}

export type CheckpointVerdict = OpenedLogCheckpoint | { ok: false; reason: string };

/**
 * Verifies a checkpoint note under a policy. As C2SP signed-note asks: signatures of unknown keys
 * are ignored; a signature of a known key (name and key id) that does not verify rejects the
 * note; the log's signature must be there; the origin must be the log key's name; and at least
 * `quorum` of the configured witnesses must have a valid cosignature on it.
 */
export function openLogCheckpoint(note: string, policy: CheckpointPolicy): CheckpointVerdict {
  if (policy.log.type !== KEY_TYPE_ED25519) return { ok: false, reason: `the log key ${policy.log.name} is not an Ed25519 note key (type 0x01)` };
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  let logSigned = false;
  const cosignedBy = new Map<string, number>();
  for (const signature of parsed.signatures) {
    if (signature.name === policy.log.name && signature.keyId.equals(policy.log.keyId)) {
      if (!verify(null, Buffer.from(parsed.text, 'utf8'), policy.log.publicKey, signature.signature)) {
        return { ok: false, reason: `the log signature of ${policy.log.name} does not verify` };
      }
      logSigned = true;
      continue;
    }
    const witness = policy.witnesses.find((w) => w.type === KEY_TYPE_COSIGNATURE_V1 && w.name === signature.name && w.keyId.equals(signature.keyId));
    if (witness === undefined) continue;
    const verdict = verifyCosignature(signature, parsed.text, witness);
    if (!verdict.ok) return verdict;
    cosignedBy.set(witness.name, verdict.timestamp);
  }
  if (!logSigned) return { ok: false, reason: `the checkpoint has no signature by the log key ${policy.log.name}+${policy.log.keyId.toString('hex')}` };
  let body;
  try {
    body = parseCheckpointText(parsed.text);
  } catch (error) {
    return { ok: false, reason: `the checkpoint body is malformed: ${(error as Error).message}` };
  }
  if (body.origin !== policy.log.name) return { ok: false, reason: `the checkpoint's origin ${body.origin} is not the log key's name ${policy.log.name}` };
  if (cosignedBy.size < policy.quorum) {
    return { ok: false, reason: `${cosignedBy.size} of the ${policy.witnesses.length} witnesses cosigned the checkpoint; the quorum is ${policy.quorum}` };
  }
  return {
    ok: true,
    checkpoint: { origin: body.origin, size: body.size, root: Buffer.from(body.hash, 'hex') },
    text: parsed.text,
    cosignedBy: [...cosignedBy].map(([name, timestamp]) => ({ name, timestamp })),
  };
}

/** A majority of `count` witnesses (the default quorum): 0 of 0, 1 of 1, 2 of 2 or 3, 3 of 4 or 5. */
export function majority(count: number): number {
  return count === 0 ? 0 : Math.floor(count / 2) + 1;
}
