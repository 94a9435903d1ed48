import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/client.js';

/**
 * Every test file gets a database of its own: a fresh in-memory PGlite by default, or, when
 * DATABASE_URL is set, a fresh PostgreSQL database created next to the one named there and
 * dropped afterwards. The suite refuses a DATABASE_URL whose database name does not look like a
 * test database, so it can never touch real data.
 */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const name = new URL(url).pathname.replace(/^\//, '');
  if (!/test/i.test(name)) {
    throw new Error(`Refusing to run tests against database "${name}": its name must contain "test".`);
  }
  return url;
}

export interface TestDatabase {
  database: Database;
  url: string | undefined;
  close(): Promise<void>;
}

export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const baseUrl = testDatabaseUrl();
  if (baseUrl === undefined) {
    const database = await openDatabase({ dataDir: 'memory://' });
    return { database, url: undefined, close: () => database.close() };
  }
  const base = new URL(baseUrl);
  const name = `${base.pathname.replace(/^\//, '')}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await adminQuery(baseUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  // A generous wait for a pooled connection: storms of hundreds of requests on a busy CI machine
  // must queue, not turn into 503s (the outage test sets its own short timeouts).
  const database = await openDatabase({
    databaseUrl: url.toString(),
    dataDir: 'unused',
    poolSize: options.poolSize ?? 10,
    connectTimeoutMs: 30_000,
  });
  return {
    database,
    url: url.toString(),
    close: async () => {
      await database.close();
      await adminQuery(baseUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
