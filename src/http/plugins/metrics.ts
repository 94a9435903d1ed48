import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Histogram } from 'prom-client';

export interface HttpMetricsOptions {
  requestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

/** The label of every request that matched no route: a path is never a label value. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every response by method, route template and status: the route as the OpenAPI document
 * writes it (`/api/v1/decisions/{id}`), never the path a client sent, so an id never becomes a
 * label value and the series stay as few as the routes.
 */
async function httpMetricsPlugin(app: FastifyInstance, options: HttpMetricsOptions): Promise<void> {
  const templates = new Map<string, string>();
  const routeOf = (request: FastifyRequest): string => {
    const url = request.routeOptions.url;
    if (request.is404 || url === undefined) return UNMATCHED_ROUTE;
    let template = templates.get(url);
    if (template === undefined) {
      template = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      templates.set(url, template);
    }
    return template;
  };
  app.addHook('onResponse', (request, reply, done) => {
    options.requestDuration.observe(
      { method: request.method, route: routeOf(request), status_code: String(reply.statusCode) },
      reply.elapsedTime / 1_000,
    );
    done();
  });
}

export default fp(httpMetricsPlugin, { name: 'http-metrics' });
