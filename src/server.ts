import { buildApp } from './app.js';
import { cloudEventSettings, ConfigError, loadConfig, publicBaseUrl, ratificationReminderDays, webhookAllowedHosts, type Config } from './config.js';
import { WebhookDispatcher } from './notifications/dispatcher.js';
import { webhookRequestOrigin } from './notifications/handshake.js';
import { endSubscription } from './use-cases/webhook-endings.js';
import { BackgroundJobs, type Job } from './jobs.js';
import { raiseOverdueConditions } from './use-cases/overdue-conditions.js';
import { raiseOverdueRatifications } from './use-cases/overdue-ratifications.js';
import { raiseRatificationReminders } from './use-cases/ratification-reminders.js';
import { pruneIdempotencyKeys } from './use-cases/idempotency-keys.js';
import { openDatabase } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { hasActiveAdminKey } from './use-cases/api-keys.js';
import { createLogger } from './logger.js';
import { systemClock } from './domain/clock.js';
import { seedDemo } from './seed/demo.js';
import { isRegisterEmpty } from './use-cases/organisations.js';
import { createServiceMetrics } from './observability/metrics.js';
import { serveMetrics, type MetricsServer } from './observability/metrics-server.js';

/** Reads the configuration, opens the database, serves, and drains gracefully on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
  const tracingOn = config.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined;
  const logger = createLogger(config.LOG_LEVEL, undefined, { traceIds: tracingOn });
  // Before the database and the app: the instrumentations patch pg and every Fastify instance
  // created after this. Without the variable no tracing module is loaded at all.
  const tracing = tracingOn
    ? (await import('./observability/tracing.js')).startTracing({
        serviceName: config.OTEL_SERVICE_NAME,
        protocol: config.OTEL_EXPORTER_OTLP_PROTOCOL,
        warn: (message) => logger.warn(message),
      })
    : undefined;
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DB_POOL_SIZE,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
    holder: 'server',
    onPoolError: (error) => logger.warn({ err: error }, 'idle database connection failed'),
  }).catch((error: unknown) => {
    if (error instanceof DataDirLockedError) {
      process.stderr.write(`${error.message} Stop that process first, or set DATABASE_URL to run several processes on PostgreSQL.\n`);
      process.exit(1);
    }
    logger.fatal({ err: error }, 'cannot open the database');
    process.stderr.write(`Cannot open the database: ${(error as Error).message}\n`);
    process.exit(1);
  });
  logger.info({ database: database.kind, dataDir: database.kind === 'pglite' ? config.DATA_DIR : undefined }, 'database ready');

  const metrics =
    config.METRICS_PORT === undefined
      ? undefined
      : createServiceMetrics({
          database,
          clock: systemClock,
          checkpointIntervalS: config.AUDIT_CHECKPOINT_INTERVAL_S,
          onQueryError: (error) => logger.warn({ err: error }, 'metrics: the database did not answer the scrape'),
        });
  const app = await buildApp({ config, database, logger, ...(metrics && { metrics }) });
  const ctx = { database, clock: systemClock };
  if (await isRegisterEmpty(ctx)) {
    if (config.SEED_DEMO) {
      // Another instance may be seeding the same empty database at this moment: that is not fatal.
      await seedDemo(ctx, (line) => logger.info(`demo data: ${line}`)).catch((error: unknown) =>
        logger.warn({ err: error }, 'demo data not loaded'),
      );
    } else if (database.kind === 'pglite') {
      logger.info('the register is empty: run `npm run seed:demo` or start with SEED_DEMO=true to load the ESZL demo story');
    }
  }
  if (config.ADMIN_API_KEY === undefined && !(await hasActiveAdminKey(ctx))) {
    logger.warn(
      database.kind === 'pglite'
        ? 'no admin API key exists: stop the server and run `npm run api-key -- create --role admin --name <your name>` (it prints the key), then start it again; or start with ADMIN_API_KEY'
        : 'no admin API key exists: run `npm run api-key -- create --role admin --name <your name>` with the same DATABASE_URL (it prints the key), or start with ADMIN_API_KEY',
    );
  }

  const dispatcher =
    config.WEBHOOK_SIGNING_KEY === undefined
      ? undefined
      : new WebhookDispatcher({
          database,
          signingKey: config.WEBHOOK_SIGNING_KEY,
          allowedHosts: webhookAllowedHosts(config),
          logger,
          retryWindowMs: config.WEBHOOK_RETRY_WINDOW_MS,
          backoffBaseMs: config.WEBHOOK_BACKOFF_BASE_MS,
          backoffMaxMs: config.WEBHOOK_BACKOFF_MAX_MS,
          timeoutMs: config.WEBHOOK_TIMEOUT_MS,
          cloudEvents: cloudEventSettings(config),
          requestOrigin: webhookRequestOrigin(publicBaseUrl(config)),
          onGone: (subscriptionId) => endSubscription(ctx, subscriptionId, 'gone'),
        });
  const schedule: Job[] = [
    { name: 'overdue check', everyMs: config.OVERDUE_CHECK_INTERVAL_MS, run: () => raiseOverdueConditions(ctx) },
    { name: 'ratification deadline check', everyMs: config.OVERDUE_CHECK_INTERVAL_MS, run: () => raiseOverdueRatifications(ctx) },
    { name: 'ratification reminders', everyMs: config.OVERDUE_CHECK_INTERVAL_MS, run: () => raiseRatificationReminders(ctx, ratificationReminderDays(config)) },
    { name: 'idempotency key pruning', everyMs: 10 * 60_000, run: () => pruneIdempotencyKeys(database) },
  ];
  if (dispatcher) schedule.push({ name: 'webhook dispatch', everyMs: config.WEBHOOK_POLL_INTERVAL_MS, run: () => dispatcher.runOnce() });
  if (app.auditCheckpoints.settings.signer !== undefined) {
    // Looks a few times per interval; the database decides whether one is due (see issueCheckpoint).
    const intervalS = config.AUDIT_CHECKPOINT_INTERVAL_S;
    schedule.push({ name: 'audit checkpoint', everyMs: Math.max(1_000, (intervalS * 1_000) / 4), run: () => app.auditCheckpoints.issue(intervalS) });
  }
  if (app.transparencyLog.settings.signer !== undefined) {
    // Every second: integrate what committed, and sign when AUDIT_CHECKPOINT_INTERVAL_S has passed (the database decides);
    // the witnesses on a timer of their own, so that a witness that hangs never delays a checkpoint.
    const log = app.transparencyLog;
    schedule.push({ name: 'transparency log', everyMs: 1_000, run: () => log.integrateAndSign(config.AUDIT_CHECKPOINT_INTERVAL_S) });
    schedule.push({ name: 'transparency log witnesses', everyMs: 1_000, run: () => log.submit() });
  }
  const jobs = new BackgroundJobs(logger, schedule);

  let metricsServer: MetricsServer | undefined;
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: draining in-flight requests');
    const timer = setTimeout(() => {
      logger.error('drain took too long; exiting');
      process.exit(1);
    }, 25_000);
    timer.unref();
    try {
      await jobs.stop();
      await app.close();
      await metricsServer?.close();
      await database.close();
      await tracing?.shutdown();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error while shutting down');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // Every route's validators and serialisers now, not on each route's first request: a schema
  // that cannot compile stops the start, and no early request waits for a compilation.
  await app.ready();
  logger.debug({ compiled: app.compileSchemas() }, 'route schemas compiled');
  await app.listen({ port: config.PORT, host: config.HOST });
  if (metrics !== undefined && config.METRICS_PORT !== undefined) {
    metricsServer = await serveMetrics(metrics.registry, { host: config.METRICS_HOST, port: config.METRICS_PORT });
    logger.info({ host: config.METRICS_HOST, port: metricsServer.port }, 'metrics at /metrics');
  }
  jobs.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`Start-up failed: ${(error as Error).message}\n`);
  process.exit(1);
});
