import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import underPressure from '@fastify/under-pressure';
import { problemBody, sendProblem } from './errors.js';

export interface PressureOptions {
  maxEventLoopDelayMs: number;
  maxHeapUsedBytes: number;
}

/**
 * Sheds load when the process is overloaded: 503 problem+json with Retry-After instead of
 * answering everything late. Liveness stays answerable so an orchestrator does not kill a
 * process that is merely busy.
 */
async function pressurePlugin(app: FastifyInstance, options: PressureOptions): Promise<void> {
  await app.register(underPressure, {
    maxEventLoopDelay: options.maxEventLoopDelayMs,
    maxHeapUsedBytes: options.maxHeapUsedBytes,
    pressureHandler: (request, reply, type, value) => {
      if (request.url === '/health/live') return;
      request.log.warn({ type, value }, 'under pressure: shedding load');
      sendProblem(reply, problemBody('SERVICE_UNAVAILABLE', 'The service is overloaded; retry shortly.'));
    },
  });
}

export default fp(pressurePlugin, { name: 'pressure' });
