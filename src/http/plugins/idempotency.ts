import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { canonicalJson } from '../../audit/chain.js';
import { DomainError } from '../../domain/errors.js';
import type { Database } from '../../db/client.js';
import { claimKey, findKey, pruneKeys, releaseKey, storeResponse, takeOverStaleClaim } from '../../db/idempotency-repository.js';
import type { Caller } from '../../use-cases/unit-of-work.js';

/**
 * `Idempotency-Key` on POST (Stripe's semantics, IETF httpapi draft): the first request's status
 * and body are stored with a hash of the request; a retry with the same key and request gets the
 * stored response byte for byte with `Idempotent-Replayed: true`; the same key with another
 * request answers 422; a retry while the first still runs waits briefly, then answers 409.
 * The store is the database, so this holds across instances.
 */
export interface IdempotencyOptions {
  database: Database;
  /** How long a retry waits for a concurrent first request before answering 409. */
  waitMs?: number;
  /** A claim silent this long without committing belongs to a dead instance and is taken over. */
  staleSeconds?: number;
  retentionHours?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route does not take Idempotency-Key; 'noBody': replay withheld (the body holds a secret). */
    idempotency?: false | 'noBody';
  }
  interface FastifyRequest {
    /** The Idempotency-Key this request claimed, if it sent one. */
    idempotency: IdempotencyClaim | null;
    /** Who asks, and under which key: what a use case needs to record the change and commit the key with it. */
    readonly caller: Caller;
  }
}

interface IdempotencyClaim {
  apiKeyId: string;
  key: string;
  /** false when the response holds a secret and is not stored for replay. */
  storeBody: boolean;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(canonicalJson([request.method, request.routeOptions.url, request.params ?? {}, request.body ?? null]))
    .digest('hex');
}

async function replay(reply: FastifyReply, status: number, body: string | null, contentType: string | null) {
  reply.header('Idempotent-Replayed', 'true');
  if (body === null) {
    throw new DomainError(
      'IDEMPOTENT_RESPONSE_NOT_STORED',
      'A request with this Idempotency-Key already succeeded; its response contained a secret and is not shown again.',
    );
  }
  return reply.code(status).type(contentType ?? 'application/json').send(body);
}

async function idempotencyPlugin(app: FastifyInstance, options: IdempotencyOptions): Promise<void> {
  const { database } = options;
  const waitMs = options.waitMs ?? 3_000;
  const staleSeconds = options.staleSeconds ?? 120;
  const retentionHours = options.retentionHours ?? 24;
  app.decorateRequest('idempotency', null);
  app.decorateRequest('caller', {
    getter(this: FastifyRequest): Caller {
      return { principal: this.principal, idempotency: this.idempotency };
    },
  });

  // Synchronous for requests without an Idempotency-Key (every GET); the others claim the key
  // first, and a replay answers here without calling `done`: the handler does not run.
  app.addHook('preHandler', (request, reply, done) => {
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (request.method !== 'POST' || header === undefined || request.routeOptions.config.idempotency === false) {
      done();
      return;
    }
    claimOrReplay(request, reply, header).then((replayed) => {
      if (!replayed) done();
    }, done);
  });

  /** Claims the key for this request (false), or answers the recorded response of its first request (true). */
  const claimOrReplay = async (request: FastifyRequest, reply: FastifyReply, header: string | string[]): Promise<boolean> => {
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !KEY_FORMAT.test(key) || request.principal?.keyId == null) {
      throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', [
        { path: 'header.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const apiKeyId = request.principal.keyId;
    const hash = requestHash(request);
    const deadline = Date.now() + waitMs;
    for (;;) {
      if ((await claimKey(database.db, apiKeyId, key, hash)) || (await takeOverStaleClaim(database.db, apiKeyId, key, hash, staleSeconds))) {
        request.idempotency = { apiKeyId, key, storeBody: request.routeOptions.config.idempotency !== 'noBody' };
        return false;
      }
      const existing = await findKey(database.db, apiKeyId, key);
      if (existing === undefined) continue; // released by a failed first request: claim it now
      if (existing.requestHash !== hash) {
        throw new DomainError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for a different request.');
      }
      if (existing.state === 'done') {
        await replay(reply, existing.responseStatus!, existing.responseBody, existing.responseContentType);
        return true;
      }
      if (Date.now() >= deadline) {
        throw new DomainError('IDEMPOTENCY_REQUEST_IN_PROGRESS', 'The first request with this Idempotency-Key is still running; retry later.');
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };

  // Synchronous for the requests without a claim (every GET); the others record their answer first.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.idempotency == null) {
      done(null, payload);
      return;
    }
    void recordAnswer(request, reply, payload).then(() => done(null, payload));
  });

  const recordAnswer = async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<void> => {
    const scope = request.idempotency!;
    try {
      if (reply.statusCode >= 500) {
        await releaseKey(database.db, scope.apiKeyId, scope.key);
      } else {
        const body = scope.storeBody && typeof payload === 'string' ? payload : null;
        const contentType = String(reply.getHeader('content-type') ?? 'application/json');
        await storeResponse(database.db, scope.apiKeyId, scope.key, { status: reply.statusCode, body, contentType });
      }
    } catch (error) {
      request.log.error({ err: error }, 'could not record the idempotent response');
    }
  };

  const prune = () =>
    pruneKeys(database.db, retentionHours).catch((error: unknown) => app.log.warn({ err: error }, 'pruning idempotency keys failed'));
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    timer = setInterval(prune, 10 * 60_000);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}

export default fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['auth'] });
