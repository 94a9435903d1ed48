import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import cors, { type FastifyCorsOptions } from '@fastify/cors';
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

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Read by @fastify/cors, merged over the plugin's options (its route-level override). */
    cors?: Pick<FastifyCorsOptions, 'origin' | 'methods'>;
  }
}

/** The routes of the public documents: the OpenAPI document, the open data and the checkpoint key. */
const PUBLIC_DOCUMENT_ROUTES = ['/api/v1/openapi.json', '/api/v1/open-data/*', '/api/v1/audit-checkpoints/public-key'];

/** Whether a route (its URL as registered) serves a public document, which any origin may read. */
function isPublicDocument(url: string): boolean {
  return PUBLIC_DOCUMENT_ROUTES.some((route) => (route.endsWith('/*') ? url.startsWith(route.slice(0, -1)) : url === route));
}

/** CORS of the public documents: any origin, reading only. */
const PUBLIC_CORS: NonNullable<FastifyContextConfig['cors']> = { origin: '*', methods: ['GET', 'HEAD'] };

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

  // The API is open only to the configured portal origins; the public documents to every origin.
  // The options are fixed (no delegator): the plugin then merges one object per request instead of
  // normalising a fresh set of options for each.
  await app.register(cors, {
    origin: options.corsOrigins.length > 0 ? options.corsOrigins : false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'X-Request-Id'],
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
  // A route's own `config.cors` overrides them: every route of a public document gets `*`, and
  // so do their preflights, which otherwise reach the plugin's catch-all OPTIONS route.
  app.addHook('onRoute', (route) => {
    if (isPublicDocument(route.url)) route.config = { ...route.config, cors: PUBLIC_CORS };
  });
  for (const url of PUBLIC_DOCUMENT_ROUTES) {
    app.options(url, { schema: { hide: true } }, (_request, reply) => reply.callNotFound());
  }

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
