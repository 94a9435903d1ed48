import { parseCheckpointText } from '../audit/checkpoint.js';
import { EMPTY_ROOT, verifyConsistency } from '../audit/merkle.js';
import { openNote } from '../audit/note.js';
import type { Vkey } from '../audit/vkey.js';
import { parseAddCheckpoint } from '../audit/witness-protocol.js';

/**
 * What a witness decides about an `add-checkpoint` request (C2SP tlog-witness), in the spec's
 * order: a malformed body 400, an unknown origin 404, no valid signature of a trusted key of that
 * log 403, an old size above the checkpoint's 400; then, against what it cosigned last for the
 * origin, an old size that is not that size 409 (with the size), and a consistency proof that
 * does not verify from that checkpoint 422. Pure: the caller holds the lock, keeps the state,
 * signs, and persists before it answers.
 *
 * One deviation is the project's contract speaking: a checkpoint of the size already cosigned but
 * with another root answers 422 (the spec's text says 409). Such a checkpoint is a fork, which no
 * retry can repair; a 409 would tell the log to retry from a size it already sent.
 */
export interface CosignedState {
  size: number;
  root: Buffer;
}

export interface CheckedRequest {
  origin: string;
  size: number;
  root: Buffer;
  oldSize: number;
  proof: Buffer[];
  /** The checkpoint's note text (what a cosignature signs). */
  text: string;
  /** The checkpoint as submitted, with its signatures. */
  note: string;
}

export type Refusal = { status: 400 | 403 | 404 | 422; reason: string } | { status: 409; size: number; reason: string };

/** The checks that need no state: format, origin, the log's signature, the sizes. */
export function checkRequest(body: string, logs: ReadonlyMap<string, readonly Vkey[]>): { ok: true; request: CheckedRequest } | { ok: false; refusal: Refusal } {
  const refuse = (status: 400 | 403 | 404, reason: string) => ({ ok: false as const, refusal: { status, reason } });
  const parsed = parseAddCheckpoint(body);
  if (!parsed.ok) return refuse(400, parsed.reason);
  const { oldSize, proof, checkpoint } = parsed.request;
  const split = checkpoint.lastIndexOf('\n\n');
  if (split < 0) return refuse(400, 'the checkpoint is not a signed note');
  let origin: string;
  let size: number;
  let hash: string;
  try {
    ({ origin, size, hash } = parseCheckpointText(checkpoint.slice(0, split + 1)));
  } catch (error) {
    return refuse(400, `the checkpoint is malformed: ${(error as Error).message}`);
  }
  const keys = logs.get(origin);
  if (keys === undefined) return refuse(404, `unknown log origin ${origin}`);
  let text: string | undefined;
  for (const key of keys) {
    const opened = openNote(checkpoint, key);
    if (opened.ok) {
      text = opened.text;
      break;
    }
    if (/malformed/.test(opened.reason)) return refuse(400, opened.reason);
  }
  if (text === undefined) return refuse(403, `no signature of a trusted key of ${origin} verifies`);
  if (oldSize > size) return refuse(400, `the old size ${oldSize} is above the checkpoint's size ${size}`);
  return { ok: true, request: { origin, size, root: Buffer.from(hash, 'hex'), oldSize, proof, text, note: checkpoint } };
}

/** The checks against the latest cosigned checkpoint of the origin (undefined: none yet, size 0). */
export function checkAgainstState(request: CheckedRequest, state: CosignedState | undefined): Refusal | undefined {
  const latest = state?.size ?? 0;
  if (request.oldSize !== latest) return { status: 409, size: latest, reason: `the latest cosigned size is ${latest}, not ${request.oldSize}` };
  const verdict = verifyConsistency(latest, request.size, request.proof, state?.root ?? EMPTY_ROOT, request.root);
  if (!verdict.ok) {
    const reason = latest === request.size ? `size ${latest} was cosigned with another root` : `the consistency proof from size ${latest} does not verify: ${verdict.reason}`;
    return { status: 422, reason };
  }
  return undefined;
}
