import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Cosigner } from '../audit/cosignature.js';
import type { Vkey } from '../audit/vkey.js';
import { formatSizeBody, TLOG_SIZE_CONTENT_TYPE } from '../audit/witness-protocol.js';
import { checkAgainstState, checkRequest, type Refusal } from './add-checkpoint.js';
import type { StateStore } from './state-store.js';

/**
 * The witness's HTTP interface (C2SP tlog-witness): `POST /add-checkpoint` and `GET /vkey`.
 * Plain node:http: the protocol is two text endpoints, and every byte of its answers is the
 * spec's, with nothing a framework would add.
 */
export interface WitnessOptions {
  /** The logs it witnesses: origin -> the vkeys (type 0x01) it trusts for that origin. */
  logs: ReadonlyMap<string, readonly Vkey[]>;
  cosigner: Cosigner;
  store: StateStore;
  logger: Logger;
  /** Largest request body read (default 1 MiB); a checkpoint with 63 proof lines is under 4 KB. */
  maxBodyBytes?: number;
}

class TooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > limit) {
        request.destroy();
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(body);
}

function sendRefusal(response: ServerResponse, refusal: Refusal): void {
  if (refusal.status === 409) send(response, 409, formatSizeBody(refusal.size), TLOG_SIZE_CONTENT_TYPE);
  else send(response, refusal.status, `${refusal.reason}\n`);
}

async function addCheckpoint(options: WitnessOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { logs, cosigner, store, logger } = options;
  let body: string;
  try {
    body = await readBody(request, options.maxBodyBytes ?? 1_048_576);
  } catch (error) {
    if (error instanceof TooLarge) return send(response, 413, 'request body too large\n');
    throw error;
  }
  const checked = checkRequest(body, logs);
  if (!checked.ok) {
    logger.info({ status: checked.refusal.status, reason: checked.refusal.reason }, 'add-checkpoint refused');
    return sendRefusal(response, checked.refusal);
  }
  const { origin, size, root, text, note, oldSize } = checked.request;
  // Check, sign and persist under the origin's lock, as the spec requires: two requests racing
  // can never both pass the old-size check, so no cosigned size is ever rolled back.
  await store.withLock(origin, async () => {
    const refusal = checkAgainstState(checked.request, store.get(origin));
    if (refusal !== undefined) {
      const log = refusal.status === 422 ? logger.warn.bind(logger) : logger.info.bind(logger);
      log({ origin, oldSize, size, status: refusal.status, reason: refusal.reason, checkpoint: refusal.status === 422 ? note : undefined }, 'add-checkpoint refused');
      return sendRefusal(response, refusal);
    }
    const line = cosigner.cosign(text);
    await store.save({ origin, size, root, note: note + line, cosignedAt: new Date().toISOString() });
    logger.info({ origin, oldSize, size }, 'checkpoint cosigned');
    send(response, 200, line);
  });
}

export function createWitnessServer(options: WitnessOptions): Server {
  return createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const handle = async () => {
      if (path === '/add-checkpoint') {
        if (request.method !== 'POST') return send(response, 405, 'POST only\n');
        return addCheckpoint(options, request, response);
      }
      if (path === '/vkey') {
        if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, 'GET only\n');
        return send(response, 200, `${options.cosigner.vkey}\n`);
      }
      return send(response, 404, 'not found\n');
    };
    handle().catch((error: unknown) => {
      options.logger.error({ err: error }, 'add-checkpoint failed');
      if (!response.headersSent) send(response, 500, 'internal error\n');
      else response.destroy();
    });
  });
}
