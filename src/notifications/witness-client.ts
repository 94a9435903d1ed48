import { verifyCosignature } from '../audit/cosignature.js';
import type { WitnessEndpoint } from '../audit/witness-list.js';
import { formatAddCheckpoint, parseCosignatureLines, parseSizeBody, TLOG_SIZE_CONTENT_TYPE } from '../audit/witness-protocol.js';

/**
 * The log's side of C2SP tlog-witness: submits a checkpoint with the consistency proof from the
 * size the witness last cosigned, learns the witness's size from a 409 and tries once more from
 * there. Whatever the witness does (garbage, a hang, a refusal) ends in a result within the
 * timeout; nothing here throws, so no witness ever holds up signing or writes.
 */
export type Submission =
  | { kind: 'cosigned'; status: 200; line: string }
  /** The witness holds another size than the one a proof was sent from, even after the retry. */
  | { kind: 'conflict'; status: 409; witnessSize: number; detail: string }
  /** The witness refused the checkpoint (400, 403, 404, 422): a fork, a wrong key, a wrong origin. */
  | { kind: 'refused'; status: number; detail: string }
  /** No usable answer: a timeout, a network error, a 5xx, or garbage. */
  | { kind: 'failed'; status: number | null; detail: string };

export interface SubmitOptions {
  witness: WitnessEndpoint;
  /** The checkpoint as the log signed it. */
  note: string;
  /** Its note text (what a cosignature signs). */
  text: string;
  size: number;
  /** The size this log believes the witness last cosigned (0 when unknown). */
  knownSize: number;
  proofFrom(size: number): Promise<Buffer[]>;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const excerpt = (body: string) => body.replace(/\s+/g, ' ').trim().slice(0, 300);

// A kept-alive connection the witness closed meanwhile fails before the request reached it:
// sending once more, on a new connection, is safe.
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

async function post(options: SubmitOptions, oldSize: number): Promise<{ status: number; type: string; body: string } | { error: string }> {
  let proof: Buffer[];
  try {
    proof = oldSize === 0 || oldSize === options.size ? [] : await options.proofFrom(oldSize);
  } catch (error) {
    return { error: `no consistency proof from size ${oldSize}: ${(error as Error).message}` };
  }
  const body = formatAddCheckpoint({ oldSize, proof, checkpoint: options.note });
  const deadline = AbortSignal.timeout(options.timeoutMs);
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await (options.fetch ?? fetch)(`${options.witness.url}/add-checkpoint`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body,
        signal: deadline,
        redirect: 'error',
      });
      const text = await response.text();
      return { status: response.status, type: (response.headers.get('content-type') ?? '').split(';')[0]!.trim(), body: text };
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') return { error: `no answer within ${options.timeoutMs} ms` };
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      if (attempt === 1 && cause?.code !== undefined && STALE_CONNECTION.has(cause.code)) continue;
      return { error: [(error as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(': ') };
    }
  }
}

export async function submitCheckpoint(options: SubmitOptions): Promise<Submission> {
  let oldSize = options.knownSize <= options.size ? options.knownSize : 0;
  for (let attempt = 1; ; attempt++) {
    const answer = await post(options, oldSize);
    if ('error' in answer) return { kind: 'failed', status: null, detail: answer.error };
    const { status, type, body } = answer;
    if (status === 200) {
      const lines = parseCosignatureLines(options.text, body);
      if (lines === undefined) return { kind: 'failed', status, detail: `200 without cosignature lines: ${excerpt(body)}` };
      for (const line of lines) {
        if (line.name !== options.witness.vkey.name || !line.keyId.equals(options.witness.vkey.keyId)) continue;
        if (verifyCosignature(line, options.text, options.witness.vkey).ok) return { kind: 'cosigned', status, line: line.line };
      }
      return { kind: 'failed', status, detail: 'the answer holds no valid cosignature of this witness\'s key' };
    }
    if (status === 409) {
      const witnessSize = type === TLOG_SIZE_CONTENT_TYPE ? parseSizeBody(body) : undefined;
      if (witnessSize === undefined) return { kind: 'failed', status, detail: `409 without a ${TLOG_SIZE_CONTENT_TYPE} size: ${excerpt(body)}` };
      const detail =
        witnessSize > options.size
          ? `the witness has cosigned size ${witnessSize}, beyond this log's ${options.size}`
          : witnessSize === oldSize
            ? `the witness holds size ${witnessSize} and refused the checkpoint from there (another root?)`
            : `the witness holds size ${witnessSize}, not ${oldSize}`;
      if (attempt > 1 || witnessSize > options.size || witnessSize === oldSize) return { kind: 'conflict', status, witnessSize, detail };
      oldSize = witnessSize;
      continue;
    }
    if (status >= 400 && status < 500) return { kind: 'refused', status, detail: `${status}: ${excerpt(body)}` };
    return { kind: 'failed', status, detail: `${status}: ${excerpt(body)}` };
  }
}
