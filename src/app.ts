import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { cloudEventSettings, corsOrigins, proxyTrust, publicBaseUrl, ratificationReminderDays, serviceBaseUrl, webhookAllowedHosts } from './config.js';
import { systemClock, type Clock } from './domain/clock.js';
import type { Database } from './db/client.js';
import type { ServiceContext } from './use-cases/context.js';
import { DecisionViewCache } from './use-cases/decision-view-cache.js';
import { installBootstrapKey } from './use-cases/api-keys.js';
import { API_KEYS_CHANGED_CHANNEL, PrincipalCache } from './use-cases/principal-cache.js';
import errorsPlugin, { frameworkErrorHandler } from './http/plugins/errors.js';
import conventionsPlugin from './http/plugins/conventions.js';
import openapiPlugin from './http/plugins/openapi.js';
import rateLimitPlugin from './http/plugins/rate-limit.js';
import pressurePlugin from './http/plugins/pressure.js';
import httpMetricsPlugin, { type HttpMetricsOptions } from './http/plugins/metrics.js';
import authPlugin from './http/plugins/auth.js';
import validationPlugin from './http/plugins/validation.js';
import { schemaCompilers } from './http/plugins/compilers.js';
import idempotencyPlugin from './http/plugins/idempotency.js';
import { healthRoutes } from './http/health.js';
import { COMPONENT_SCHEMAS } from './http/components.js';
import { API_MODULES } from './http/api-routes.js';
import { noteSigner } from './audit/note.js';
import { embeddedSigningKey, parseSigningKey } from './audit/signing-key.js';
import { issueCheckpoint, type AuditCheckpoint, type CheckpointSettings } from './use-cases/audit-checkpoints.js';
import { webhookRequestOrigin } from './notifications/handshake.js';
import { EVENTS_CHANNEL, EventFeed } from './use-cases/event-feed.js';
import { createLogger, requestLogger } from './logger.js';
import { responseHeaders } from './http/response-headers.js';
import { transparencyLog } from './transparency-log.js';
import { tlogTileRoutes } from './http/tlog/tile-routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The event feed of this instance (its waiting readers), for operators and tests. */
    eventFeed: EventFeed;
    /**
     * Compiles every route schema not yet compiled (they compile on first use otherwise) and
     * returns how many; throws on one that cannot compile. The server calls it before listening.
     */
    compileSchemas(): number;
  }
}

export interface AppOptions {
  config: Config;
  database: Database;
  clock?: Clock;
  logger?: Logger;
  /** Set (METRICS_PORT): every response is timed into this histogram. */
  metrics?: { httpRequestDuration: HttpMetricsOptions['requestDuration'] };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The signing of audit checkpoints: what the routes show, and what the scheduled job (server.ts) and tests call. */
export interface AuditCheckpoints {
  settings: CheckpointSettings;
  /** Signs the head when it moved, unless a checkpoint was issued in the last `minIntervalS` seconds. */
  issue(minIntervalS?: number): Promise<AuditCheckpoint | undefined>;
}

declare module 'fastify' {
  interface FastifyInstance {
    auditCheckpoints: AuditCheckpoints;
  }
}

/**
 * The checkpoint key: AUDIT_SIGNING_KEY when set (every instance signs with the same key);
 * embedded, one generated once into the data directory; on PostgreSQL without it, none (the
 * checkpoint endpoints answer 503 and the service runs on).
 */
async function checkpointSettings(config: Config, database: Database): Promise<CheckpointSettings> {
  const origin = config.AUDIT_CHECKPOINT_ORIGIN;
  if (config.AUDIT_SIGNING_KEY !== undefined) return { origin, signer: noteSigner(origin, parseSigningKey(config.AUDIT_SIGNING_KEY)) };
  if (database.kind === 'pglite') return { origin, signer: noteSigner(origin, await embeddedSigningKey(database.dataDir ?? config.DATA_DIR)) };
  return { origin, signer: undefined };
}

/** The whole service as a Fastify instance, ready for `inject` or `listen`; it never listens itself. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, database } = options;
  const principals = new PrincipalCache({ ttlMs: config.AUTH_CACHE_TTL_MS, maxEntries: 10_000 });
  const ctx: ServiceContext = {
    database,
    clock: options.clock ?? systemClock,
    principals,
    ...(config.DECISION_CACHE_ENTRIES > 0 && { decisionViews: new DecisionViewCache(config.DECISION_CACHE_ENTRIES) }),
  };
  const baseUrl = publicBaseUrl(config);
  const trust = proxyTrust(config);
  const headers = responseHeaders({ trust, docsConnectSources: baseUrl === undefined ? [] : [new URL(baseUrl).origin] });
  const feed = new EventFeed(database, cloudEventSettings(config));

  const compilers = schemaCompilers();
  const app = Fastify({
    loggerInstance: (options.logger ?? createLogger(config.LOG_LEVEL)) as FastifyBaseLogger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    // The contract makes /path/ a different, unknown resource: 404.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    childLoggerFactory: requestLogger,
    genReqId: (request) => {
      const sent = request.headers['x-request-id'];
      return typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    },
    // Installed as the factory (not setValidatorCompiler) so scopes that add shared schemas keep them.
    schemaController: { compilersFactory: compilers.factory as never },
    return503OnClosing: true,
    trustProxy: trust,
    frameworkErrors: frameworkErrorHandler(headers),
  });

  const checkpoints = await checkpointSettings(config, database);
  const tlog = await transparencyLog(config, database, ctx, app.log as unknown as Logger);
  app.decorate('transparencyLog', tlog);
  app.decorate('auditCheckpoints', { settings: checkpoints, issue: (minIntervalS = 0) => issueCheckpoint(ctx, checkpoints, minIntervalS) });
  if (checkpoints.signer === undefined) {
    app.log.warn('AUDIT_SIGNING_KEY is not set: no audit checkpoints are issued and the checkpoint endpoints answer 503');
  }

  // The API speaks JSON only: any other body is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  // An empty body is no body, whatever its Content-Type says: many clients send
  // `Content-Type: application/json` on every POST, also on those that take none (adopt,
  // redeliver). Where a body is required, its schema still answers 400.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body.length === 0) done(null, undefined);
    else parseJson(request, body as string, done);
  });

  // Infrastructure first, in a fixed order: errors, headers, load shedding, rate limit, OpenAPI, auth, validation, idempotency.
  await app.register(errorsPlugin);
  if (options.metrics) await app.register(httpMetricsPlugin, { requestDuration: options.metrics.httpRequestDuration });
  await app.register(conventionsPlugin, { corsOrigins: corsOrigins(config), headers });
  await app.register(pressurePlugin, {
    maxEventLoopDelayMs: config.MAX_EVENT_LOOP_DELAY_MS ?? (database.kind === 'postgres' ? 1_000 : 0),
    maxHeapUsedBytes: config.MAX_HEAP_USED_BYTES,
  });
  await app.register(rateLimitPlugin, { perMinute: config.RATE_LIMIT_PER_MINUTE });
  await app.register(openapiPlugin, { publicBaseUrl: baseUrl });
  await app.register(authPlugin, { ctx });
  await app.register(validationPlugin);
  await app.register(idempotencyPlugin, { database });

  // Then the routes.
  await app.register(healthRoutes, { database });
  await app.register(tlogTileRoutes, { ctx, settings: tlog.settings });
  await app.register(
    async (api) => {
      // Shared response components live at this level so every route (and the snapshot) can reference them.
      for (const schema of COMPONENT_SCHEMAS) api.addSchema(schema);
      const dependencies = {
        ctx,
        feed,
        checkpoints,
        tlog: tlog.settings,
        serviceBaseUrl: serviceBaseUrl(config),
        reminderDays: ratificationReminderDays(config),
        openData: config.OPEN_DATA,
        webhooks: {
          signingKey: config.WEBHOOK_SIGNING_KEY,
          allowedHosts: webhookAllowedHosts(config),
          requestOrigin: webhookRequestOrigin(baseUrl),
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
        },
        components: COMPONENT_SCHEMAS,
        letterThreads: config.LETTER_RENDER_THREADS,
      };
      for (const module of API_MODULES) await module.register(api, dependencies);
    },
    { prefix: '/api/v1' },
  );

  // One connection of this instance listens for committed events and wakes the feed's waiting
  // readers, who hold no connection while they wait. Closing answers them first, so they never
  // hold a shutdown up.
  app.decorate('eventFeed', feed);
  app.decorate('compileSchemas', () => compilers.compileAll());
  const unlistenEvents = await database.listen(EVENTS_CHANNEL, {
    onNotify: () => feed.notified(),
    onReady: () => feed.ready(),
    onLost: () => feed.lost(),
  });
  app.addHook('preClose', async () => feed.close());
  app.addHook('onClose', unlistenEvents);

  if (config.ADMIN_API_KEY !== undefined) await installBootstrapKey(ctx, config.ADMIN_API_KEY);
  if (config.AUTH_CACHE_TTL_MS > 0) {
    const unlisten = await database.listen(API_KEYS_CHANGED_CHANNEL, {
      onNotify: () => principals.invalidate(),
      onReady: () => principals.ready(),
      onLost: () => {
        principals.lost();
        app.log.warn('API key change notifications lost: keys are looked up on every request until they are back');
      },
    });
    app.addHook('onClose', unlisten);
  }
  return app;
}
