import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-node';
import { WarnWhenDropped } from '../../src/observability/tracing.js';
import { OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver.js';
import { baseEnv, fetchReady, freePort, killGroup, serverDatabase, start, tempDataDir, waitUntilReady, type Started } from '../helpers/server-process.js';
import { nodeArgs } from '../helpers/project-dir.js';
import { testDatabaseUrl } from '../helpers/database.js';

/**
 * Traces: with OTEL_EXPORTER_OTLP_ENDPOINT the real server sends a span per request to a
 * collector (here a small OTLP/HTTP receiver taking the JSON encoding), continuing an incoming
 * W3C traceparent, with a child span per SQL statement on PostgreSQL, and its log lines carry the
 * trace id. A collector that goes away costs one warning a minute and no failed request. Without
 * the variable no tracing module is loaded at all.
 */
const ADMIN_API_KEY = `tracing-admin-${randomBytes(13).toString('hex')}`;
const SDK_MODULES = [
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/exporter-trace-otlp-http',
  '@opentelemetry/otlp-exporter-base',
  '@opentelemetry/instrumentation-pg',
  '@opentelemetry/instrumentation/',
  '@fastify/otel',
];
const onPostgres = testDatabaseUrl() !== undefined;

t.test('an exporter that fails is reported once a minute at most, and its results pass through', async (t) => {
  let now = 0;
  let answer: ExportResult = { code: ExportResultCode.FAILED, error: new Error('connect ECONNREFUSED 127.0.0.1:4318') };
  const inner: SpanExporter = { export: (_spans, done) => done(answer), shutdown: async () => {} };
  const warnings: string[] = [];
  const exporter = new WarnWhenDropped(inner, (message) => warnings.push(message), () => now);
  const results: number[] = [];
  const send = () => exporter.export([] as ReadableSpan[], (result) => results.push(result.code));

  for (now = 0; now < 60_000; now += 5_000) send();
  t.equal(warnings.length, 1, 'twelve failures in a minute, one warning');
  t.match(warnings[0], /traces are being dropped: .*ECONNREFUSED/);
  now = 60_000;
  send();
  t.equal(warnings.length, 2, 'a minute later, the next');
  answer = { code: ExportResultCode.SUCCESS };
  now = 200_000;
  send();
  t.equal(warnings.length, 2, 'a success says nothing');
  t.equal(results.length, 14);
  t.same(results.slice(-2), [ExportResultCode.FAILED, ExportResultCode.SUCCESS], 'each result reaches the span processor');
});

interface Server extends Started {
  baseUrl: string;
  loadedModules: () => Promise<string[]>;
}

async function startServer(t: Test, env: Record<string, string>): Promise<Server> {
  const dataDir = await tempDataDir(t, 'eszl-tracing-');
  const database = await serverDatabase(t);
  const port = await freePort();
  const modulesFile = join(dataDir, 'loaded-modules.txt');
  const server = start(
    {
      ...baseEnv(),
      HOST: '127.0.0.1',
      PORT: String(port),
      ADMIN_API_KEY,
      LOG_LEVEL: 'info',
      DATA_DIR: join(dataDir, 'data'),
      LOADED_MODULES_FILE: modulesFile,
      ...(database?.url !== undefined && { DATABASE_URL: database.url }),
      ...env,
    },
    { args: nodeArgs(['test/helpers/loaded-modules.ts', 'src/server.ts']) },
  );
  t.teardown(() => killGroup(server));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(server, () => fetchReady(baseUrl), 120_000);
  return {
    ...server,
    baseUrl,
    loadedModules: async () => {
      server.child.kill('SIGTERM');
      await server.exited;
      return (await readFile(modulesFile, 'utf8')).split('\n');
    },
  };
}

const get = (server: Server, path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}${path}`, { headers: { authorization: `Bearer ${ADMIN_API_KEY}`, ...headers } });

/** The spans of one trace whose ancestry leads to `root`. */
function descendants(spans: ReceivedSpan[], root: ReceivedSpan): ReceivedSpan[] {
  const inTrace = spans.filter((span) => span.traceId === root.traceId);
  const found = new Set([root.spanId]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const span of inTrace) {
      if (!found.has(span.spanId) && found.has(span.parentSpanId)) {
        found.add(span.spanId);
        grew = true;
      }
    }
  }
  return inTrace.filter((span) => found.has(span.spanId) && span !== root);
}

t.test('with a collector: requests and their SQL statements under one trace, an incoming traceparent continued', async (t) => {
  const collector = await OtlpReceiver.start();
  t.teardown(() => collector.stop());
  const server = await startServer(t, {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });

  const traceId = randomBytes(16).toString('hex');
  const parentId = randomBytes(8).toString('hex');
  t.equal((await get(server, '/api/v1/organisations', { traceparent: `00-${traceId}-${parentId}-01` })).status, 200);
  const request = await collector.waitFor((spans) => spans.find((s) => s.traceId === traceId && s.name === 'GET /api/v1/organisations'));
  t.equal(request.parentSpanId, parentId, "the request span continues the caller's trace");
  t.equal(request.kind, 2, 'a server span');
  t.equal(request.serviceName, 'eszl-decisions', 'OTEL_SERVICE_NAME defaults to eszl-decisions');
  t.match(request.attributes, { 'http.route': '/api/v1/organisations', 'http.response.status_code': 200 });
  t.ok(collector.paths.every((path) => path === 'POST /v1/traces application/json'), 'OTLP/HTTP in JSON at /v1/traces');

  t.equal((await get(server, '/api/v1/programmes')).status, 200);
  const fresh = await collector.waitFor((spans) => spans.find((s) => s.name === 'GET /api/v1/programmes'));
  t.equal(fresh.parentSpanId, '', 'without traceparent a request starts a trace of its own');
  t.not(fresh.traceId, traceId);

  if (onPostgres) {
    const statements = await collector.waitFor((spans) => {
      const found = descendants(spans, request).filter((s) => s.name.startsWith('pg.query'));
      return found.length > 0 ? found : undefined;
    });
    t.ok(statements.some((s) => String(s.attributes['db.query.text']).includes('from "organisations"')), 'the list query is a child of the request');
    t.ok(statements.every((s) => s.attributes['db.system.name'] === 'postgresql'));
    const own = await collector.waitFor((spans) => {
      const found = descendants(spans, fresh).filter((s) => s.name.startsWith('pg.query'));
      return found.length > 0 ? found : undefined;
    });
    t.ok(own.every((s) => s.traceId === fresh.traceId), "the other request's statements are in its own trace");
  } else {
    t.comment('embedded database: no pg driver, so no statement spans (they are checked on PostgreSQL)');
  }

  const logged = server
    .stdout()
    .split('\n')
    .filter((line) => line.includes(`"trace_id":"${traceId}"`));
  t.ok(logged.some((line) => line.includes('"msg":"request completed"')), 'the log line of the request carries its trace id');

  // The collector goes away: requests go on, the lost traces cost one warning.
  await collector.stop();
  const statuses: number[] = [];
  const warnings = () => server.stdout().split('\n').filter((line) => line.includes('traces are being dropped'));
  for (let i = 0; i < 200 && warnings().length === 0; i++) {
    statuses.push((await get(server, '/api/v1/organisations')).status);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.equal(warnings().length, 1, 'the first lost batch is reported');
  for (let i = 0; i < 20; i++) {
    statuses.push((await get(server, '/api/v1/organisations')).status);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.ok(statuses.length > 20 && statuses.every((status) => status === 200), `every one of ${statuses.length} requests answered 200`);
  t.equal(warnings().length, 1, 'and the batches lost after it within the minute are not');
  t.match(warnings()[0], /"level":40/, 'as a warning');

  const loaded = await server.loadedModules();
  for (const name of SDK_MODULES) t.ok(loaded.some((file) => file.includes(`/node_modules/${name}`)), `${name} is loaded`);
});

t.test('without OTEL_EXPORTER_OTLP_ENDPOINT no tracing module is loaded and log lines have no trace id', async (t) => {
  const server = await startServer(t, {});
  t.equal((await get(server, '/api/v1/organisations')).status, 200);
  const loaded = await server.loadedModules();
  t.ok(loaded.some((file) => file.includes('/node_modules/fastify/')), 'the recording works (fastify is there)');
  t.same(
    loaded.filter((file) => SDK_MODULES.some((name) => file.includes(`/node_modules/${name}`))),
    [],
    'none of the SDK, the exporters or the instrumentations',
  );
  t.notMatch(server.stdout(), /trace_id/);
});
