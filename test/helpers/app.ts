import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppOptions } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/domain/clock.js';
import { documentedProblemCodes } from '../../src/http/schemas.js';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from './database.js';
import { recordingLogger } from './recording-logger.js';
import { generateSigningKeyPem } from '../../src/audit/signing-key.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdefghijklmnop';

/**
 * On PostgreSQL a deployment signs checkpoints with AUDIT_SIGNING_KEY; the embedded database
 * generates its own. Test apps do the same (`AUDIT_SIGNING_KEY: ''` in `env` leaves it unset).
 */
const SIGNING_KEY = testDatabaseUrl() === undefined ? {} : { AUDIT_SIGNING_KEY: generateSigningKeyPem() };

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  /** Every log line the app wrote, for redaction tests. */
  logLines: string[];
  as(key: string | undefined): Client;
  admin: Client;
}

export interface Client {
  get(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  post(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  patch(url: string, body?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  delete(url: string, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
}

/** Builds the real app on a fresh database of its own; closed when the test `t` ends. */
export async function startTestApp(
  t: Teardown,
  options: { clock?: Clock; env?: Record<string, string>; database?: TestDatabase; metrics?: AppOptions['metrics'] } = {},
): Promise<TestApp> {
  const db = options.database ?? (await createTestDatabase());
  // Load shedding is off by default here: a busy CI machine must not turn test requests into 503s.
  const config = loadConfig({ ADMIN_API_KEY: ADMIN_KEY, LOG_LEVEL: 'info', MAX_EVENT_LOOP_DELAY_MS: '0', ...SIGNING_KEY, ...options.env });
  const { logger, lines: logLines } = recordingLogger(config.LOG_LEVEL);
  const app = await buildApp({
    config,
    database: db.database,
    logger,
    ...(options.clock && { clock: options.clock }),
    ...(options.metrics && { metrics: options.metrics }),
  });
  const undocumented = recordUndocumentedProblems(app);
  await app.ready();
  t.teardown(async () => {
    await app.close();
    if (options.database === undefined) await db.close();
    if (undocumented.size > 0) {
      throw new Error(`problem codes answered but not in the operation's OpenAPI enum:\n  ${[...undocumented].join('\n  ')}`);
    }
  });
  const as = (key: string | undefined): Client => clientFor(app, key);
  return { app, db, logLines, as, admin: as(ADMIN_KEY) };
}

/**
 * Every test that builds the app also checks the OpenAPI document: each problem an operation
 * answers must carry a code that the operation's response for that status lists. What the
 * suites answer is collected here and fails the test at teardown.
 */
function recordUndocumentedProblems(app: FastifyInstance): Set<string> {
  const undocumented = new Set<string>();
  app.addHook('onSend', async (request, reply, payload) => {
    const schema = request.routeOptions.schema;
    if (typeof payload !== 'string' || schema === undefined || schema.hide === true) return payload;
    if (!String(reply.getHeader('content-type')).startsWith('application/problem+json')) return payload;
    const { code } = JSON.parse(payload) as { code?: string };
    const listed = documentedProblemCodes(schema.response as Record<string, unknown> | undefined, reply.statusCode);
    if (listed === undefined || code === undefined || !listed.includes(code)) {
      undocumented.add(`${request.method} ${request.routeOptions.url} answered ${reply.statusCode} ${code}; listed: ${listed?.join(', ') ?? 'status not declared'}`);
    }
    return payload;
  });
  return undocumented;
}

export function clientFor(app: FastifyInstance, key: string | undefined): Client {
  const auth = (headers: Record<string, string> = {}) => ({
    ...(key !== undefined && { authorization: `Bearer ${key}` }),
    ...headers,
  });
  return {
    get: (url, headers) => app.inject({ method: 'GET', url, headers: auth(headers) }),
    post: (url, body, headers) =>
      app.inject({ method: 'POST', url, headers: auth(headers), ...(body !== undefined && { payload: body as object }) }),
    patch: (url, body, headers) =>
      app.inject({ method: 'PATCH', url, headers: auth(headers), ...(body !== undefined && { payload: body as object }) }),
    delete: (url, headers) => app.inject({ method: 'DELETE', url, headers: auth(headers) }),
  };
}
