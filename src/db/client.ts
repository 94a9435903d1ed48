import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import pg from 'pg';
import * as schema from './schema.js';
import { withTimeout } from './timeout.js';
import { lockDataDir } from './data-dir-lock.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a repository can run a query on: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** The embedded database's directory (`memory://...` in tests); undefined on PostgreSQL. */
  readonly dataDir?: string | undefined;
  readonly db: Db;
  /** Present only on PostgreSQL: the raw pool (its connections run in pipeline mode). */
  readonly pool: pg.Pool | undefined;
  ping(timeoutMs?: number): Promise<void>;
  /**
   * Subscribes to NOTIFY on `channel`. `onReady` runs whenever notifications can arrive (after
   * the first connect and every reconnect), `onLost` when they cannot (the connection dropped;
   * it is re-established with back-off). Resolves to a function that ends the subscription.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onNotify(): void;
  onReady(): void;
  onLost(): void;
}

const LISTEN_CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  /** Directory for the embedded database; `memory://` keeps it in memory (tests). */
  dataDir: string;
  /** What opens the embedded database, as its lock file tells another process that finds it in use. */
  holder?: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** Longest wait for a connection, queueing for a free one included; then 503. */
  connectTimeoutMs?: number;
  onPoolError?: (error: Error) => void;
  /**
   * The embedded database starts from this dumped data directory (a tar, as `dumpDataDir` or a
   * backup writes it) instead of an empty one; migrations then run as usual and find it current.
   */
  initialData?: Blob | undefined;
}

// Resolves to <project>/migrations from both src/db (tsx) and dist/db (compiled).
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url));

// Any constant shared by all instances; serialises concurrent start-ups running migrations.
const MIGRATION_LOCK_KEY = 0x65737a6c;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openPglite(options.dataDir, options.holder ?? 'eszl-decisions', options.initialData);
}

async function openPostgres(connectionString: string, options: DatabaseOptions): Promise<Database> {
  const statementTimeout = options.statementTimeoutMs ?? 15_000;
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 1_000,
    application_name: 'eszl-decisions',
    // Statements issued without waiting for each other go out together, answered in order:
    // a unit of work's BEGIN and COMMIT cost no round trip of their own (see transaction.ts).
    pipeline: true,
  });
  // A connection dropped by the server must not crash the process: idle clients report through
  // the pool, and every client gets its own listener for the time it is checked out (inside a
  // transaction, say), when pg would otherwise raise the error with nobody listening. The query
  // that was running fails on its own, and the pool discards the dead client when it is released.
  pool.on('error', (error) => options.onPoolError?.(error));
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;

  const lockClient = await pool.connect();
  try {
    await lockClient.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePg(drizzlePg({ client: lockClient, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await lockClient.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    lockClient.release();
  }

  return {
    kind: 'postgres',
    db,
    pool,
    async ping(timeoutMs = 1_000) {
      const connecting = pool.connect();
      // Should the timeout win, a connection that arrives later goes straight back to the pool.
      connecting.catch(() => undefined);
      const client = await withTimeout(connecting, timeoutMs, noAnswer(timeoutMs)).catch((error: unknown) => {
        void connecting.then((late) => late.release(), () => undefined);
        throw error;
      });
      try {
        await withTimeout(client.query('SELECT 1'), timeoutMs, noAnswer(timeoutMs));
        client.release();
      } catch (error) {
        client.release(true);
        throw error;
      }
    },
    listen: (channel, handlers) => listenPostgres(connectionString, channel, handlers, options.connectTimeoutMs ?? 5_000),
    close: () => pool.end(),
  };
}

/**
 * A dedicated connection outside the pool (LISTEN needs one that stays open), with TCP
 * keep-alive so a silently dead peer is noticed, re-established with back-off up to 2 s.
 */
async function listenPostgres(
  connectionString: string,
  channel: string,
  handlers: ListenHandlers,
  connectTimeoutMs: number,
): Promise<() => Promise<void>> {
  if (!LISTEN_CHANNEL.test(channel)) throw new Error(`invalid channel name: ${channel}`);
  let current: pg.Client | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let delayMs = 250;

  const retry = () => {
    if (stopped) return;
    timer = setTimeout(() => void connect(), delayMs);
    timer.unref();
    // At most 2 s apart: notifications are back within about 2 s of the database's return (an
    // attempt against a database that is down costs a refused connection, nothing more).
    delayMs = Math.min(delayMs * 2, 2_000);
  };
  const lost = (client: pg.Client) => {
    if (current !== client) return;
    current = undefined;
    handlers.onLost();
    client.end().catch(() => undefined);
    retry();
  };
  const connect = async () => {
    const client = new pg.Client({
      connectionString,
      keepAlive: true,
      connectionTimeoutMillis: connectTimeoutMs,
      application_name: 'eszl-decisions-listen',
    });
    client.on('error', () => lost(client));
    client.on('end', () => lost(client));
    client.on('notification', (message) => {
      if (message.channel === channel) handlers.onNotify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${channel}`);
    } catch {
      client.end().catch(() => undefined);
      retry();
      return;
    }
    if (stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    current = client;
    delayMs = 250;
    handlers.onReady();
  };

  await connect();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    const client = current;
    current = undefined;
    await client?.end().catch(() => undefined);
  };
}

/** On disk, one process at a time (see data-dir-lock.ts): a second one throws DataDirLockedError before PGlite touches anything. */
async function openPglite(dataDir: string, holder: string, initialData: Blob | undefined): Promise<Database> {
  let release = () => {};
  if (!dataDir.startsWith('memory://')) {
    await mkdir(dataDir, { recursive: true });
    release = lockDataDir(dataDir, holder);
  }
  const client = new PGlite(dataDir, initialData === undefined ? {} : { loadDataDir: initialData });
  try {
    await client.waitReady;
    await migratePglite(drizzlePglite({ client, schema }), { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (error) {
    await client.close().catch(() => undefined);
    release();
    throw error;
  }
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  let closed = false;
  return {
    kind: 'pglite',
    dataDir,
    db,
    pool: undefined,
    async ping(timeoutMs = 1_000) {
      if (closed) throw new Error('embedded database is closed');
      await withTimeout(db.execute(sql`SELECT 1`), timeoutMs, noAnswer(timeoutMs));
    },
    async listen(channel, handlers) {
      if (!LISTEN_CHANNEL.test(channel)) throw new Error(`invalid channel name: ${channel}`);
      // One process holds the embedded database: notifications arrive in-process, nothing can drop.
      const unlisten = await client.listen(channel, () => handlers.onNotify());
      handlers.onReady();
      return async () => {
        if (!closed) await unlisten();
      };
    },
    async close() {
      closed = true;
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}

const noAnswer = (ms: number) => `database did not answer within ${ms} ms`;

/** Rows of a raw SQL statement; the pg and PGlite drivers both answer `{ rows }`. */
export async function queryRows<T>(ex: Executor, query: SQL): Promise<T[]> {
  const result = (await ex.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
