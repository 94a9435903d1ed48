import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import cors from '@fastify/cors';
import { DomainError } from '../../domain/errors.js';
import type { ResponseHeaders } from '../response-headers.js';

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
const IDENTIFIER_KEY = /^(id|[a-z][A-Za-z]*Id|[a-z][A-Za-z]*Ids)$/;

/** Lower-cases UUID values of `id`, `...Id` and `...Ids` properties, in place, at any depth. */
export function lowerCaseIdentifiers(value: unknown, depth = 0): void {
  if (depth > 16 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) lowerCaseIdentifiers(item, depth + 1);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, item] of Object.entries(record)) {
    if (IDENTIFIER_KEY.test(key) && typeof item === 'string' && UUID.test(item)) record[key] = item.toLowerCase();
    else if (IDENTIFIER_KEY.test(key) && Array.isArray(item)) {
      record[key] = item.map((entry) => (typeof entry === 'string' && UUID.test(entry) ? entry.toLowerCase() : entry));
    } else lowerCaseIdentifiers(item, depth + 1);
  }
}

export interface ConventionsOptions {
  corsOrigins: string[];
  headers: ResponseHeaders;
}

/**
 * Response headers a browser client of the API may read (CORS hides all others): the contract's
 * own, the ones for safe retries and caching, and those of the rate limit.
 */
export const EXPOSED_HEADERS = [
  'API-Version',
  'X-Request-Id',
  'Location',
  'ETag',
  'Idempotent-Replayed',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Content-Disposition',
  // CORS-safelisted already; listed because the open-data documents declare it for public caching.
  'Cache-Control',
];

/**
 * Headers the contract promises on every response: API-Version, X-Request-Id, the security
 * headers, and `Cache-Control: no-store` (register data may be confidential and changes often) unless
 * a route of public data set its own.
 */
async function conventionsPlugin(app: FastifyInstance, options: ConventionsOptions): Promise<void> {
  const { headers } = options;
  // The hooks that every request passes are synchronous (`done`): no promise per hook and request.
  app.addHook('onRequest', (request, reply, done) => {
    headers.security(request, reply);
    done();
  });

  // The OpenAPI document is public and open to every origin; the API itself only to the
  // configured portal origins.
  await app.register(cors, {
    delegator: (request, callback) => {
      const path = request.url?.split('?')[0];
      if (path === '/api/v1/openapi.json' || path?.startsWith('/api/v1/open-data/') || path === '/api/v1/audit-checkpoints/public-key') {
        callback(null, { origin: '*', methods: ['GET', 'HEAD'] });
        return;
      }
      callback(null, {
        origin: options.corsOrigins.length > 0 ? options.corsOrigins : false,
        methods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'X-Request-Id'],
        exposedHeaders: EXPOSED_HEADERS,
        maxAge: 600,
      });
    },
  });

  // `/organisations/` is not `/organisations`, and not `/organisations/:id` with an empty id either:
  // the contract answers 404 for any trailing slash.
  app.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?', 1)[0]!;
    if (path.length > 1 && path.endsWith('/') && (path.startsWith('/api/') || path.startsWith('/health/'))) {
      throw new DomainError('ROUTE_NOT_FOUND', `No resource at ${request.method} ${path.slice(0, 200)} (no trailing slash).`);
    }
    done();
  });

  // Identifiers are UUIDs, which RFC 9562 compares case-insensitively: normalise them to the
  // lower case the database returns before anything (the college check, the rules) compares them.
  app.addHook('preValidation', (request, _reply, done) => {
    lowerCaseIdentifiers(request.params);
    lowerCaseIdentifiers(request.query);
    lowerCaseIdentifiers(request.body);
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    headers.contract(request, reply);
    done(null, payload);
  });
}

export default fp(conventionsPlugin, { name: 'conventions' });
