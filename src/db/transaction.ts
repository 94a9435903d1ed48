import { sql, type SQL } from 'drizzle-orm';
import { NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import type { Database, Db, Executor, Tx } from './client.js';

/**
 * The transaction's own time as a column value (PostgreSQL's now()): every row a transaction
 * writes with it carries the same moment.
 */
export const transactionTime = (): SQL => sql`now()`;

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/** An error and its causes (drizzle wraps driver errors in a DrizzleQueryError), at most five deep. */
export function* errorChain(error: unknown): Generator<{ code?: unknown; constraint?: unknown; message?: unknown }> {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    yield current as { code?: unknown; constraint?: unknown; message?: unknown };
    current = (current as { cause?: unknown }).cause;
  }
}

/** SQLSTATE of a driver error, also when drizzle wrapped it. */
export function sqlState(error: unknown): string | undefined {
  for (const { code } of errorChain(error)) if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  return undefined;
}

export function constraintName(error: unknown): string | undefined {
  for (const { constraint } of errorChain(error)) if (typeof constraint === 'string') return constraint;
  return undefined;
}

/**
 * A write whose answer nobody reads (the audit events, the Idempotency-Key's state): a drizzle
 * query, not yet run. The transaction sends it last, together with COMMIT.
 */
export interface ClosingStatement extends PromiseLike<unknown> {
  toSQL(): { sql: string; params: unknown[] };
}

/** A raw SQL statement as a `ClosingStatement` (drizzle's raw query names its text `getQuery`). */
export function rawStatement(ex: Executor, query: SQL): ClosingStatement {
  const raw = ex.execute(query);
  return { then: (onFulfilled, onRejected) => raw.then(onFulfilled, onRejected), toSQL: () => raw.getQuery() };
}

/**
 * Statements that open a transaction, sent right behind BEGIN and before the work's own (on
 * PostgreSQL in the same round trip as the work's first statement), e.g. an Idempotency-Key's
 * claim. Should one fail, the transaction fails with `failure(error)`, not with what the work's
 * statements answered behind it.
 */
export interface Opening {
  statements(tx: Tx): readonly ClosingStatement[];
  failure(error: unknown): unknown;
}

/** What a transaction's work returns: its result, and the statements that close it. */
export interface Closing<T> {
  result: T;
  closing: readonly ClosingStatement[];
}

/**
 * Runs `work` in one transaction. Serialization failures and deadlocks are retried a bounded
 * number of times with a short jittered back-off; every other error rolls back and propagates.
 */
export async function inTransaction<T>(
  database: Database,
  work: (tx: Tx) => Promise<T>,
  isolationLevel: IsolationLevel = 'read committed',
): Promise<T> {
  return inClosingTransaction(database, async (tx) => ({ result: await work(tx), closing: [] }), isolationLevel);
}

/**
 * `inTransaction` for work that ends in closing statements. On PostgreSQL the pool's
 * connections run in pipeline mode, and the transaction costs no round trip of its own: BEGIN
 * goes out with the work's first statement, and the closing statements go out with COMMIT, all
 * answered in one round trip. Should one of them fail, PostgreSQL answers COMMIT with ROLLBACK
 * and the transaction fails with that statement's error. PGlite runs them one after the other.
 */
export async function inClosingTransaction<T>(
  database: Database,
  work: (tx: Tx) => Promise<Closing<T>>,
  isolationLevel: IsolationLevel = 'read committed',
  opening?: Opening,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return database.pool === undefined
        ? await embeddedTransaction(database.db, work, isolationLevel, opening)
        : await pipelinedTransaction(database.db, database.pool, work, isolationLevel, opening);
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= MAX_ATTEMPTS || state === undefined || !RETRYABLE_SQLSTATES.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * 2 ** attempt));
    }
  }
}

function embeddedTransaction<T>(db: Db, work: (tx: Tx) => Promise<Closing<T>>, isolationLevel: IsolationLevel, opening?: Opening): Promise<T> {
  return db.transaction(async (tx) => {
    for (const statement of opening?.statements(tx) ?? []) {
      try {
        await statement;
      } catch (error) {
        throw opening!.failure(error);
      }
    }
    const { result, closing } = await work(tx);
    for (const statement of closing) await statement;
    return result;
  }, { isolationLevel });
}

// The node-postgres session of the database handle: its dialect, relational schema and options,
// which a transaction on one of the pool's connections shares (as drizzle's own transaction does).
interface SessionParts {
  dialect: ConstructorParameters<typeof NodePgSession>[1];
  schema: ConstructorParameters<typeof NodePgSession>[2];
  options: ConstructorParameters<typeof NodePgSession>[3];
}

async function pipelinedTransaction<T>(
  db: Db,
  pool: pg.Pool,
  work: (tx: Tx) => Promise<Closing<T>>,
  isolationLevel: IsolationLevel,
  opening?: Opening,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  // Sent now, answered with the work's first statement; a failed BEGIN fails that statement too.
  const begun = client.query(`begin isolation level ${isolationLevel}`);
  begun.catch(() => undefined);
  let opened: Promise<unknown> = Promise.resolve();
  try {
    const { dialect, schema, options } = (db as unknown as { session: SessionParts }).session;
    const tx = new NodePgTransaction(dialect, new NodePgSession(client, dialect, schema, options), schema) as unknown as Tx;
    if (opening !== undefined) {
      // Behind BEGIN, ahead of the work: its statements wait for them on this connection.
      opened = Promise.all(
        opening.statements(tx).map((statement) => {
          const { sql, params } = statement.toSQL();
          return client.query(sql, params);
        }),
      ).catch((error: unknown) => Promise.reject(new OpeningFailed(opening.failure(error))));
      opened.catch(() => undefined);
    }
    const { result, closing } = await work(tx);
    await begun;
    await opened;
    // Issued in order without waiting: one round trip for the lot.
    const sent = closing.map((statement) => {
      const { sql, params } = statement.toSQL();
      return client.query(sql, params);
    });
    const committed = client.query('commit');
    const answers = await Promise.allSettled([...sent, committed]);
    const failed = answers.find((answer): answer is PromiseRejectedResult => answer.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const tag = (answers.at(-1) as PromiseFulfilledResult<pg.QueryResult>).value.command;
    if (tag !== 'COMMIT') throw new Error(`the transaction did not commit: PostgreSQL answered ${tag}`);
    return result;
  } catch (error) {
    // The work's statements fail behind a failed opening (25P02): the opening's failure is the one that counts.
    const openingFailure = await opened.then(
      () => undefined,
      (failed: unknown) => (failed instanceof OpeningFailed ? failed : undefined),
    );
    // Ends an open or failed transaction; after a failed COMMIT there is none, and ROLLBACK only warns.
    await client.query('rollback').catch(() => {
      broken = true;
    });
    throw openingFailure === undefined ? error : openingFailure.failure;
  } finally {
    client.release(broken);
  }
}

/** An opening statement's failure, told apart from the work's own errors. */
class OpeningFailed extends Error {
  constructor(readonly failure: unknown) {
    super('an opening statement failed');
  }
}

/**
 * Reads that must agree with each other (an export, a verification of the whole chain) in one
 * snapshot of the database: a REPEATABLE READ, READ ONLY transaction. Changes committing
 * meanwhile are simply not seen; nothing can be written through it.
 */
export function inReadOnlySnapshot<T>(database: Database, work: (tx: Tx) => Promise<T>): Promise<T> {
  return database.db.transaction(work, { isolationLevel: 'repeatable read', accessMode: 'read only' });
}
