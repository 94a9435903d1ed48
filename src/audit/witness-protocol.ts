import { HASH_SIZE } from './merkle.js';
import { parseNote, type NoteSignature } from './note.js';

/**
 * The wire formats of C2SP tlog-witness `add-checkpoint`, for both ends: the request body (`old
 * <size>`, at most 63 base64 consistency proof lines, an empty line, the signed checkpoint), the
 * `text/x.tlog.size` body of a 409 (the witness's latest size and a newline), and the 200 body
 * (cosignature lines). Pure: the witness program and the service's client share it.
 */
export const TLOG_SIZE_CONTENT_TYPE = 'text/x.tlog.size';
export const MAX_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Buffer[];
  /** The signed checkpoint note, signatures included. */
  checkpoint: string;
}

const DECIMAL = /^(0|[1-9][0-9]{0,15})$/;
const HASH64 = /^[A-Za-z0-9+/]{43}=$/;

export function formatAddCheckpoint({ oldSize, proof, checkpoint }: AddCheckpointRequest): string {
  if (!Number.isSafeInteger(oldSize) || oldSize < 0) throw new RangeError('the old size is a non-negative integer');
  if (proof.length > MAX_PROOF_LINES) throw new RangeError(`a consistency proof has at most ${MAX_PROOF_LINES} lines`);
  return `old ${oldSize}\n${proof.map((hash) => `${hash.toString('base64')}\n`).join('')}\n${checkpoint}`;
}

export type ParsedAddCheckpoint = { ok: true; request: AddCheckpointRequest } | { ok: false; reason: string };

/** Reads a request body; every deviation from the spec's format is a reason (the witness answers 400). */
export function parseAddCheckpoint(body: string): ParsedAddCheckpoint {
  const end = body.indexOf('\n\n');
  if (end < 0) return { ok: false, reason: 'the body has no empty line before the checkpoint' };
  const [oldLine, ...proofLines] = body.slice(0, end).split('\n');
  const old = /^old (.*)$/.exec(oldLine!);
  if (old === null || !DECIMAL.test(old[1]!) || !Number.isSafeInteger(Number(old[1]))) {
    return { ok: false, reason: 'the first line is not "old <size>" in decimal without leading zeros' };
  }
  if (proofLines.length > MAX_PROOF_LINES) return { ok: false, reason: `more than ${MAX_PROOF_LINES} consistency proof lines` };
  if (!proofLines.every((line) => HASH64.test(line))) return { ok: false, reason: 'a consistency proof line is not the base64 of 32 bytes' };
  const proof = proofLines.map((line) => Buffer.from(line, 'base64'));
  if (proof.some((hash) => hash.length !== HASH_SIZE)) return { ok: false, reason: 'a consistency proof line is not the base64 of 32 bytes' };
  const checkpoint = body.slice(end + 2);
  if (checkpoint.length === 0) return { ok: false, reason: 'the checkpoint is missing' };
  return { ok: true, request: { oldSize: Number(old[1]), proof, checkpoint } };
}

export function formatSizeBody(size: number): string {
  return `${size}\n`;
}

/** The size in a `text/x.tlog.size` body; undefined when it is anything else. */
export function parseSizeBody(body: string): number | undefined {
  const match = /^(0|[1-9][0-9]{0,15})\n?$/.exec(body);
  if (match === null) return undefined;
  const size = Number(match[1]);
  return Number.isSafeInteger(size) ? size : undefined;
}

/**
 * The signature lines of a 200 answer, read as the spec suggests: appended to the checkpoint's
 * text they must make a well-formed note. Undefined when the body is not one or more such lines.
 */
export function parseCosignatureLines(checkpointText: string, body: string): NoteSignature[] | undefined {
  if (body.length === 0 || !body.endsWith('\n')) return undefined;
  const parsed = parseNote(`${checkpointText}\n${body}`);
  return parsed.ok && parsed.text === checkpointText ? parsed.signatures : undefined;
}
