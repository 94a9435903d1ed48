import Fastify from 'fastify';
import { Histogram, Registry } from 'prom-client';
import t, { type Test } from 'tap';
import httpMetrics, { UNMATCHED_ROUTE } from '../../../src/http/plugins/metrics.js';

/** Every response is timed under its route template, never the path sent: an id is never a label value. */
async function appWithMetrics(t: Test) {
  const registry = new Registry();
  const requestDuration = new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['method', 'route', 'status_code'] as const, registers: [registry] });
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(httpMetrics, { requestDuration });
  app.get('/api/v1/decisions/:id', async (request) => ({ id: (request.params as { id: string }).id }));
  app.get('/api/v1/decisions/:id/votes/:voteId', async (_request, reply) => reply.code(409).send({ code: 'CONFLICT' }));
  app.post('/api/v1/organisations', async (_request, reply) => reply.code(201).send({}));
  await app.ready();
  const counts = async () => {
    const metric = await requestDuration.get();
    return Object.fromEntries(
      metric.values
        .filter((value) => value.metricName === 'http_request_duration_seconds_count')
        .map((value) => [`${value.labels.method} ${value.labels.route} ${value.labels.status_code}`, value.value]),
    );
  };
  return { app, counts };
}

t.test('responses are counted by method, route template and status', async (t) => {
  const { app, counts } = await appWithMetrics(t);
  await app.inject({ method: 'GET', url: '/api/v1/decisions/0c8e6c2e-1111-4222-8333-944445555666' });
  await app.inject({ method: 'GET', url: '/api/v1/decisions/another-id?x=1' });
  await app.inject({ method: 'GET', url: '/api/v1/decisions/a/votes/b' });
  await app.inject({ method: 'POST', url: '/api/v1/organisations', payload: {} });
  await app.inject({ method: 'GET', url: '/api/v1/no-such/0c8e6c2e-1111-4222-8333-944445555666' });
  await app.inject({ method: 'DELETE', url: '/api/v1/organisations' });
  t.same(await counts(), {
    'GET /api/v1/decisions/{id} 200': 2,
    'GET /api/v1/decisions/{id}/votes/{voteId} 409': 1,
    'POST /api/v1/organisations 201': 1,
    [`GET ${UNMATCHED_ROUTE} 404`]: 1,
    [`DELETE ${UNMATCHED_ROUTE} 404`]: 1,
  });
  const text = JSON.stringify(await counts());
  t.notMatch(text, /0c8e6c2e|another-id/, 'no path a client sent is a label');
  t.equal(app.hasPlugin('http-metrics'), true, 'registered under its name, once per app');
});
