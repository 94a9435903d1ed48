import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet from '@fastify/helmet';
import cors from '@fastify/cors';
import { API_VERSION } from '../schemas.js';

export interface ConventionsOptions {
  corsOrigins: string[];
}

/**
 * Headers the contract promises on every response: API-Version, X-Request-Id, the security
 * headers, and `Cache-Control: no-store` (register data may be confidential and changes often).
 */
async function conventionsPlugin(app: FastifyInstance, options: ConventionsOptions): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    crossOriginResourcePolicy: { policy: 'same-site' },
  });

  // The OpenAPI document is public and open to every origin; the API itself only to the
  // configured portal origins.
  await app.register(cors, {
    delegator: (request, callback) => {
      const path = request.url?.split('?')[0];
      if (path === '/api/v1/openapi.json') {
        callback(null, { origin: '*', methods: ['GET', 'HEAD'] });
        return;
      }
      callback(null, {
        origin: options.corsOrigins.length > 0 ? options.corsOrigins : false,
        methods: ['GET', 'POST', 'PATCH', 'DELETE'],
        allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'If-Match', 'If-None-Match', 'X-Request-Id'],
        exposedHeaders: ['API-Version', 'X-Request-Id', 'Retry-After', 'ETag', 'Location'],
        maxAge: 600,
      });
    },
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('API-Version', API_VERSION);
    reply.header('X-Request-Id', request.id);
    if (!request.url.startsWith('/docs')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
}

export default fp(conventionsPlugin, { name: 'conventions' });
