import { hash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import { DomainError } from '../../domain/errors.js';

/**
 * Per-API-key request limit (429 with Retry-After). The key is identified by a hash of the
 * Authorization header, so the secret itself is never held as a map key; anonymous requests
 * count per IP. Counters are per instance: with N instances a key may make up to N x the limit,
 * which protects each instance without a database write on every request.
 */
async function rateLimitPlugin(app: FastifyInstance, options: { perMinute: number }): Promise<void> {
  if (options.perMinute === 0) return;
  await app.register(rateLimit, {
    global: true,
    max: options.perMinute,
    timeWindow: 60_000,
    cache: 10_000,
    keyGenerator: (request) => {
      const authorization = request.headers.authorization;
      return authorization
        ? `key:${hash('sha256', authorization, 'base64url')}`
        : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new DomainError('RATE_LIMITED', `Rate limit of ${context.max} requests per minute exceeded; retry in ${context.after}.`),
  });
}

export default fp(rateLimitPlugin, { name: 'rate-limit' });
