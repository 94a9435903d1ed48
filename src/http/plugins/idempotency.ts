import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { canonicalJson } from '../../audit/chain.js';
import { DomainError } from '../../domain/errors.js';
import type { Database } from '../../db/client.js';
import { etagOf } from '../../use-cases/etag.js';
import {
  answerOfFirstRequest,
  KeyAlreadyAnswered,
  lookUpIdempotencyKey,
  recordIdempotentAnswer,
  type StoredResponse,
} from '../../use-cases/idempotency-keys.js';
import type { Caller, IdempotentChange } from '../../use-cases/unit-of-work.js';

/**
 * `Idempotency-Key` on POST (Stripe's semantics, IETF httpapi draft): the first request's status
 * and body are stored with a hash of the request; a retry with the same key and request gets the
 * stored response byte for byte with `Idempotent-Replayed: true`; the same key with another
 * request answers 422; a retry while the first still runs waits briefly, then answers 409.
 * The store is the database, so this holds across instances.
 *
 * A change claims its key in its own transaction and stores the answer it renders from its result
 * with it (see the unit of work): whatever dies between COMMIT and the reply (the instance, the
 * database, the connection), a retry finds the answer; a change that never committed leaves no
 * claim, and its retry acts at once. Answers that are not a change (4xx) are stored after they
 * were sent; 5xx answers are not stored, so their retry runs again. The store is
 * use-cases/idempotency-keys.ts; its pruning is one of the instance's jobs (server.ts).
 */
export interface IdempotencyOptions {
  database: Database;
  /** How long a retry waits for a concurrent first request before answering 409. */
  waitMs?: number;
  /** A claim of an earlier release (committed before its change) silent this long belongs to a dead instance. */
  staleSeconds?: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: the route does not take Idempotency-Key; 'noBody': replay withheld (the body holds a secret). */
    idempotency?: false | 'noBody';
  }
  interface FastifyRequest {
    /** The Idempotency-Key this request claims, if it sent one. */
    idempotency: IdempotencyClaim | null;
    /** Who asks, and under which key: what a use case needs to record the change and its answer under the key. */
    readonly caller: Caller;
  }
}

interface IdempotencyClaim extends IdempotentChange {
  /** The answer rendered for the change's transaction, once rendered. */
  rendered?: StoredResponse;
  /** The answer came from the key itself (replay, 409 while another runs): nothing to store. */
  settled?: boolean;
}

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;
/** Response headers stored and replayed besides Content-Type. */
const STORED_HEADERS = ['ETag'] as const;

function requestHash(request: FastifyRequest): string {
  return createHash('sha256')
    .update(canonicalJson([request.method, request.routeOptions.url, request.params ?? {}, request.body ?? null]))
    .digest('hex');
}

function takesKey(method: string | readonly string[], idempotency: false | 'noBody' | undefined): boolean {
  return (Array.isArray(method) ? method.includes('POST') : method === 'POST') && idempotency !== false;
}

/** The one 2xx status a route answers, from its response schema: the status its change's answer is stored under. */
function successStatus(response: unknown): number | undefined {
  const statuses = Object.keys((response ?? {}) as object).filter((status) => /^2\d\d$/.test(status));
  return statuses.length === 1 ? Number(statuses[0]) : undefined;
}

async function replay(reply: FastifyReply, stored: StoredResponse) {
  reply.header('Idempotent-Replayed', 'true');
  if (stored.body === null) {
    throw new DomainError(
      'IDEMPOTENT_RESPONSE_NOT_STORED',
      'A request with this Idempotency-Key already succeeded; its response contained a secret and is not shown again.',
    );
  }
  for (const [name, value] of Object.entries(stored.headers)) reply.header(name, value);
  return reply.code(stored.status).type(stored.contentType ?? 'application/json').send(stored.body);
}

async function idempotencyPlugin(app: FastifyInstance, options: IdempotencyOptions): Promise<void> {
  const { database } = options;
  const waitMs = options.waitMs ?? 3_000;
  const staleSeconds = options.staleSeconds ?? 120;
  app.decorateRequest('idempotency', null);
  app.decorateRequest('caller', {
    getter(this: FastifyRequest): Caller {
      return { principal: this.principal, idempotency: this.idempotency };
    },
  });

  // Every route taking the key answers one 2xx status (its change's answer is rendered before
  // COMMIT, so it must be known then), and a request whose key another request answered first
  // while it ran gets that answer instead of its own.
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!takesKey(route.method, route.config?.idempotency)) return;
    if (successStatus(route.schema?.response) === undefined) {
      throw new Error(`${route.url}: a route taking Idempotency-Key declares exactly one 2xx response`);
    }
    const handler = route.handler;
    route.handler = async function (this: FastifyInstance, request, reply) {
      try {
        return await handler.call(this, request, reply);
      } catch (error) {
        const claim = request.idempotency;
        if (claim === null) throw error;
        if (error instanceof KeyAlreadyAnswered) {
          claim.settled = true;
          return answerFromStore(reply, claim);
        }
        if (error instanceof DomainError && error.code === 'IDEMPOTENCY_REQUEST_IN_PROGRESS') claim.settled = true;
        throw error;
      }
    };
  });

  /** The answer of the request that got the key first, which committed while this one waited for it. */
  const answerFromStore = async (reply: FastifyReply, claim: IdempotencyClaim) => replay(reply, await answerOfFirstRequest(database, claim));

  // Synchronous for requests without an Idempotency-Key (every GET); the others look the key up
  // first, and a replay answers here without calling `done`: the handler does not run.
  app.addHook('preHandler', (request, reply, done) => {
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (header === undefined || !takesKey(request.method, request.routeOptions.config.idempotency)) {
      done();
      return;
    }
    claimOrReplay(request, reply, header).then((replayed) => {
      if (!replayed) done();
    }, done);
  });

  /** Readies the key's claim for this request's change (false), or answers the recorded response of its first request (true). */
  const claimOrReplay = async (request: FastifyRequest, reply: FastifyReply, header: string | string[]): Promise<boolean> => {
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !KEY_FORMAT.test(key) || request.principal?.keyId == null) {
      throw new DomainError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', [
        { path: 'header.idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
      ]);
    }
    const apiKeyId = request.principal.keyId;
    const hash = requestHash(request);
    const answered = await lookUpIdempotencyKey(database, { apiKeyId, key, requestHash: hash }, { waitMs, staleSeconds });
    if (answered === undefined) {
      request.idempotency = newClaim(request, reply, apiKeyId, key, hash);
      return false;
    }
    await replay(reply, answered);
    return true;
  };

  const newClaim = (request: FastifyRequest, reply: FastifyReply, apiKeyId: string, key: string, hash: string): IdempotencyClaim => {
    const { schema, config } = request.routeOptions;
    const status = successStatus(schema?.response)!;
    const declared = (schema?.response as Record<string, { headers?: Record<string, unknown> }>)[String(status)]?.headers ?? {};
    const claim: IdempotencyClaim = {
      apiKeyId,
      key,
      requestHash: hash,
      waitMs,
      // The bytes `send` writes for this status: the route's own serialiser, as for the first answer.
      render(result) {
        const serialise = reply.getSerializationFunction(String(status), 'application/json') as ((value: unknown) => string) | undefined;
        const headers: Record<string, string> = {};
        if ('ETag' in declared) headers.ETag = etagOf(result);
        claim.rendered = {
          status,
          contentType: 'application/json; charset=utf-8',
          headers,
          body: config.idempotency === 'noBody' ? null : (serialise ?? JSON.stringify)(result),
        };
        return claim.rendered;
      },
    };
    return claim;
  };

  // Synchronous for the requests without a claim (every GET); the others check or record their answer first.
  app.addHook('onSend', (request, reply, payload, done) => {
    const claim = request.idempotency;
    if (claim == null || claim.settled === true || reply.statusCode >= 500) {
      done(null, payload);
      return;
    }
    void recordAnswer(request, reply, claim, payload).then(() => done(null, payload));
  });

  /** The answer as sent: a change's is already stored (checked here), any other 4xx is stored now. */
  const recordAnswer = async (request: FastifyRequest, reply: FastifyReply, claim: IdempotencyClaim, payload: unknown): Promise<void> => {
    const headers: Record<string, string> = {};
    for (const name of STORED_HEADERS) {
      const value = reply.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    const sent: StoredResponse = {
      status: reply.statusCode,
      contentType: String(reply.getHeader('content-type') ?? 'application/json'),
      headers,
      body: request.routeOptions.config.idempotency !== 'noBody' && typeof payload === 'string' ? payload : null,
    };
    try {
      const recorded = await recordIdempotentAnswer(database, claim, sent, reply.statusCode < 400 ? claim.rendered : undefined);
      if (recorded === 'replaced') {
        request.log.warn({ route: request.routeOptions.url }, 'the answer stored with the change differs from the answer sent; storing the one sent');
      }
    } catch (error) {
      request.log.error({ err: error }, 'could not record the idempotent response');
    }
  };
}

export default fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['auth'] });
