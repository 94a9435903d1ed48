import type { SQL } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.js';
import type { Clock } from '../../src/domain/clock.js';
import { startTestApp, type TestApp } from './app.js';
import { createTestDatabase, type TestDatabase } from './database.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

/**
 * Two app instances, each with a pool of its own, on one fresh PostgreSQL database: what "any
 * number of service instances on one database" means in a test. Only for tests that run on
 * PostgreSQL (DATABASE_URL set).
 */
export async function startTwoInstances(t: Teardown, options: { clock: Clock; poolSize: number }): Promise<{ apps: [TestApp, TestApp]; database: Database }> {
  // Teardowns run in reverse registration order: app B, pool B, app A, then the database is dropped.
  const dbA = await createTestDatabase({ poolSize: options.poolSize });
  t.teardown(() => dbA.close());
  const env = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
  const appA = await startTestApp(t, { database: dbA, clock: options.clock, env });
  const poolB = await openDatabase({ databaseUrl: dbA.url, dataDir: 'unused', poolSize: options.poolSize, connectTimeoutMs: 30_000 });
  const dbB: TestDatabase = { database: poolB, url: dbA.url, close: () => poolB.close() };
  t.teardown(() => dbB.close());
  const appB = await startTestApp(t, { database: dbB, clock: options.clock, env });
  return { apps: [appA, appB], database: dbA.database };
}

/** Rows of a raw query, on node-postgres and PGlite alike. */
export async function rowsOf<T>(database: Database, text: SQL): Promise<T[]> {
  return ((await database.db.execute(text)) as unknown as { rows: T[] }).rows;
}
