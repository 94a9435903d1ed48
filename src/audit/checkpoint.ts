/**
 * Checkpoints of the audit chain in the C2SP tlog-checkpoint text form: the origin line, the
 * tree size (here the head's `seq`) in decimal, and the base64 of the 32 bytes of the head hash,
 * each followed by a newline. The signed note around it is `note.ts`. Whoever keeps a signed
 * checkpoint can later prove that the trail up to that `seq` was rewritten, however consistent
 * the rewritten chain is in itself.
 */
export interface CheckpointBody {
  origin: string;
  size: number;
  /** Lower-case hex, as the chain spells hashes. */
  hash: string;
}

export function checkpointText({ origin, size, hash }: CheckpointBody): string {
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new Error('a head hash is 64 lower-case hex digits');
  if (!Number.isSafeInteger(size) || size < 0) throw new Error('a tree size is a non-negative integer');
  if (origin.length === 0 || origin.includes('\n')) throw new Error('an origin is one non-empty line');
  return `${origin}\n${size}\n${Buffer.from(hash, 'hex').toString('base64')}\n`;
}

/**
 * Reads the body of a checkpoint (the text of its note). Lines after the third are extensions,
 * which C2SP allows and this service does not write; they are ignored.
 */
export function parseCheckpointText(text: string): CheckpointBody {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new Error('a checkpoint has at least three lines, each ending in a newline');
  const [origin, sizeText, hash64] = lines as [string, string, string];
  if (origin.length === 0) throw new Error('the checkpoint has no origin');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw new Error('the tree size is not a decimal number without leading zeros');
  }
  const hash = /^[A-Za-z0-9+/]{43}=$/.test(hash64) ? Buffer.from(hash64, 'base64') : Buffer.alloc(0);
  if (hash.length !== 32) throw new Error('the root hash is not the base64 of 32 bytes');
  return { origin, size: Number(sizeText), hash: hash.toString('hex') };
}
