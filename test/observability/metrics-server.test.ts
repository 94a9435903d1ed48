import { randomBytes } from 'node:crypto';
import t from 'tap';
import { Gauge, Registry } from 'prom-client';
import { serveMetrics } from '../../src/observability/metrics-server.js';
import { baseEnv, fetchReady, freePort, killGroup, serverDatabase, start, tempDataDir, waitUntilReady } from '../helpers/server-process.js';
import { samples, valueOf } from '../helpers/prometheus-text.js';

/**
 * The metrics listener: GET /metrics in the Prometheus text format and nothing else; in the real
 * server only when METRICS_PORT is set, on its own port, and a METRICS_PORT that cannot be one
 * stops start-up with one line.
 */
const ADMIN_API_KEY = `metrics-admin-${randomBytes(13).toString('hex')}`;

t.test('serves the registry at /metrics in the text format, and nothing else', async (t) => {
  const registry = new Registry();
  new Gauge({ name: 'probe_value', help: 'A probe.', registers: [registry] }).set(42);
  const server = await serveMetrics(registry, { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${server.port}`;

  const res = await fetch(`${base}/metrics`);
  t.equal(res.status, 200);
  t.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  t.equal(valueOf(samples(await res.text()), 'probe_value'), 42);
  t.equal((await fetch(`${base}/metrics?x=1`)).status, 200, 'a query string is ignored');
  t.equal((await fetch(`${base}/metrics`, { method: 'HEAD' })).status, 200);
  t.equal((await fetch(`${base}/`)).status, 404);
  t.equal((await fetch(`${base}/api/v1/decisions`)).status, 404);
  const post = await fetch(`${base}/metrics`, { method: 'POST' });
  t.equal(post.status, 405);
  t.equal(post.headers.get('allow'), 'GET, HEAD');
});

t.test('a METRICS_PORT that is PORT, or no port, stops start-up with one line', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: '3456', METRICS_PORT: '3456' }, /^Invalid configuration: METRICS_PORT must differ from PORT \(both 3456\)/],
    [{ METRICS_PORT: 'metrics' }, /^Invalid configuration: METRICS_PORT /],
    [{ METRICS_PORT: '70000' }, /^Invalid configuration: METRICS_PORT /],
  ];
  for (const [env, message] of cases) {
    const server = start({ ...baseEnv(), DATA_DIR: 'memory://', ...env });
    t.teardown(() => killGroup(server));
    const exit = await server.exited;
    t.equal(exit.code, 78, `${JSON.stringify(env)}: exit 78`);
    const lines = server.stderr().trim().split('\n');
    t.equal(lines.length, 1, 'one line');
    t.match(lines[0], message);
  }
});

t.test('the real server serves /metrics on METRICS_PORT only', async (t) => {
  const dataDir = await tempDataDir(t, 'eszl-metrics-');
  const database = await serverDatabase(t);
  const [port, metricsPort] = [await freePort(), await freePort()];
  const server = start({
    ...baseEnv(),
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    ADMIN_API_KEY,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ...(database?.url !== undefined && { DATABASE_URL: database.url }),
  });
  t.teardown(() => killGroup(server));
  await waitUntilReady(server, () => fetchReady(`http://127.0.0.1:${port}`), 120_000);

  const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
  t.equal(res.status, 200);
  const scraped = samples(await res.text());
  t.equal(valueOf(scraped, 'eszl_ready'), 1, 'the database answered the scrape');
  t.equal(valueOf(scraped, 'http_request_duration_seconds_count', { route: '/health/ready', status_code: '200' }), 1, 'the readiness check was timed');
  t.equal((await fetch(`http://127.0.0.1:${port}/metrics`)).status, 404, 'the API port has no /metrics');

  server.child.kill('SIGTERM');
  t.same(await server.exited, { code: 0, signal: null }, 'stops cleanly, the metrics listener with it');
});
