import { spawn } from 'node:child_process';
import pg from 'pg';
import { log } from './util.js';

/** The PostgreSQL server of the machine (trust auth) and the throw-away bench databases on it. */
export const PG_HOST = process.env.BENCH_PG_HOST ?? '127.0.0.1';
export const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 5432);
export const PG_USER = process.env.BENCH_PG_USER ?? 'postgres';

export function databaseUrl(database: string): string {
  return `postgres://${PG_USER}@${PG_HOST}:${PG_PORT}/${database}`;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
}

export async function dropDatabase(name: string): Promise<void> {
  if (!/^eszl_bench_[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}: not a bench database`);
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/** Drops a bench database at the end of a run, saying whether that worked (never throws). */
export async function dropBenchDatabase(name: string): Promise<void> {
  await dropDatabase(name).then(
    () => log(`dropped database ${name}`),
    (error: unknown) => log(`could not drop ${name}: ${(error as Error).message}`),
  );
}

export async function postgresVersion(): Promise<string> {
  return withAdmin(async (client) => {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? 'unknown';
  });
}

export interface CopyTiming {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/**
 * `\copy (query) TO '/dev/null'` through psql: the server runs the query and streams every row
 * over the wire to the psql client, which discards it. The floor for any export of the same rows.
 */
export async function timeCopy(database: string, query: string): Promise<CopyTiming> {
  const started = process.hrtime.bigint();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('psql', ['-h', PG_HOST, '-p', String(PG_PORT), '-U', PG_USER, '-d', database, '-X', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${query}) TO '/dev/null'`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`psql exited ${code}: ${text}`))));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const match = /COPY (\d+)/.exec(output);
  const rows = match ? Number(match[1]) : Number.NaN;
  return { rows, seconds, rowsPerSecond: rows / seconds };
}

/** A plain pool for the bench's own queries (preparing data, reading ids). */
export function benchPool(database: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl(database), max, application_name: 'eszl-bench' });
  pool.on('error', (error) => log(`bench pool: ${error.message}`));
  return pool;
}

export interface ActivitySummary {
  samples: number;
  /** Average number of the service's connections in each state ("active", "idle in transaction", "waiting: Lock/tuple", ...) per sample. */
  averageConnections: Record<string, number>;
}

/**
 * Samples pg_stat_activity every `intervalMs` for the service's connections
 * (application_name 'eszl-decisions'): how many are running a query, idle inside a transaction
 * (waiting for node), or waiting on a lock - where a write path spends its time.
 */
export function sampleActivity(pool: pg.Pool, intervalMs = 100): () => Promise<ActivitySummary> {
  const totals = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await pool
        .query<{ state: string; n: number }>(
          `SELECT CASE WHEN wait_event_type IN ('Lock', 'LWLock', 'IO') THEN 'waiting: ' || wait_event_type || '/' || wait_event
                       WHEN state = 'active' THEN 'active' ELSE coalesce(state, 'unknown') END AS state, count(*)::int AS n
           FROM pg_stat_activity WHERE application_name = 'eszl-decisions' AND datname = current_database() GROUP BY 1`,
        )
        .catch(() => ({ rows: [] as { state: string; n: number }[] }));
      samples++;
      for (const row of rows) totals.set(row.state, (totals.get(row.state) ?? 0) + row.n);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    const averageConnections: Record<string, number> = {};
    for (const [state, total] of [...totals].sort((a, b) => b[1] - a[1])) averageConnections[state] = Math.round((total / Math.max(samples, 1)) * 100) / 100;
    return { samples, averageConnections };
  };
}
