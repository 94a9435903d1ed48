import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../db/client.js';
import { problemBody, sendProblem } from './plugins/errors.js';

/** Liveness and readiness for orchestrators; outside /api/v1 and without authentication. */
export async function healthRoutes(app: FastifyInstance, options: { database: Database }): Promise<void> {
  const Status = Type.Object({ status: Type.String(), database: Type.Optional(Type.String()) });
  app.get('/health/live', { schema: { hide: true, response: { 200: Status } } }, async () => ({ status: 'ok' }));
  app.get('/health/ready', { schema: { hide: true } }, async (request, reply) => {
    try {
      await options.database.ping(800);
      return { status: 'ok', database: 'up' };
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      return sendProblem(reply, problemBody('SERVICE_UNAVAILABLE', 'The database is not reachable.'));
    }
  });
}
