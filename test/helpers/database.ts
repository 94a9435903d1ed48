import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS_FOLDER, openDatabase, type Database } from '../../src/db/client.js';
import { dumpEmbedded } from '../../src/db/embedded-backup.js';

/**
 * Every test file gets a database of its own: a fresh in-memory PGlite by default, or, when
 * DATABASE_URL is set, a fresh PostgreSQL database created next to the one named there and
 * dropped afterwards. The suite refuses a DATABASE_URL whose database name does not look like a
 * test database, so it can never touch real data.
 *
 * Both start from a template migrated once per set of migrations (a dumped PGlite data directory
 * in the temporary folder; a PostgreSQL database `<name>_template_<hash>` copied by CREATE
 * DATABASE ... TEMPLATE), so that hundreds of test databases do not each run every migration.
 * The migrations still run on each copy and find nothing to do; test/db/client.test.ts runs them
 * from scratch.
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
    const database = await openDatabase({ dataDir: 'memory://', initialData: await pgliteTemplate() });
    return { database, url: undefined, close: () => database.close() };
  }
  const base = new URL(baseUrl);
  const name = `${base.pathname.replace(/^\//, '')}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase();
  await adminQuery(baseUrl, `CREATE DATABASE "${name}" TEMPLATE "${await postgresTemplate(baseUrl)}"`);
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

let migrationsHash: Promise<string> | undefined;

/** Names the templates: a new or changed migration gives new ones. */
function hashOfMigrations(): Promise<string> {
  migrationsHash ??= (async () => {
    const hash = createHash('sha256');
    for (const file of (await readdir(MIGRATIONS_FOLDER, { recursive: true })).sort()) {
      if (!file.endsWith('.sql') && !file.endsWith('.json')) continue;
      hash.update(file).update(await readFile(join(MIGRATIONS_FOLDER, file)));
    }
    return hash.digest('hex').slice(0, 16);
  })();
  return migrationsHash;
}

let pgliteTemplateBlob: Promise<Blob> | undefined;

/** The migrated embedded database as a tar, built by the first test process that needs it. */
function pgliteTemplate(): Promise<Blob> {
  pgliteTemplateBlob ??= (async () => {
    const folder = join(tmpdir(), 'eszl-test-templates');
    const file = join(folder, `pglite-${await hashOfMigrations()}.tgz`);
    const existing = await readFile(file).catch(() => undefined);
    if (existing !== undefined) return new Blob([new Uint8Array(existing)]);
    const dataDir = await mkdtemp(join(tmpdir(), 'eszl-template-'));
    try {
      await (await openDatabase({ dataDir, holder: 'test template' })).close();
      const tarball = await dumpEmbedded(dataDir, 'test template');
      await mkdir(folder, { recursive: true });
      // Written aside and renamed: a process that reads it never sees half a file.
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, tarball);
      await rename(partial, file);
      return new Blob([new Uint8Array(tarball)]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  })();
  return pgliteTemplateBlob;
}

// Any constant: serialises the test processes that find the PostgreSQL template missing.
const TEMPLATE_LOCK_KEY = 0x65737a74;

let postgresTemplateName: Promise<string> | undefined;

/** The migrated PostgreSQL template next to the base database, created once under a lock. */
function postgresTemplate(baseUrl: string): Promise<string> {
  postgresTemplateName ??= (async () => {
    const base = new URL(baseUrl);
    const name = `${base.pathname.replace(/^\//, '')}_template_${await hashOfMigrations()}`.toLowerCase();
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) {
        const building = `${name}_building`;
        await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
        await client.query(`CREATE DATABASE "${building}"`);
        const url = new URL(baseUrl);
        url.pathname = `/${building}`;
        await (await openDatabase({ databaseUrl: url.toString(), dataDir: 'unused', poolSize: 1 })).close();
        // Renamed once complete: a crash half-way leaves no template that looks ready.
        await client.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]).catch(() => undefined);
      await client.end();
    }
    return name;
  })();
  return postgresTemplateName;
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
