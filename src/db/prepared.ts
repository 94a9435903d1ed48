import type { Db, Executor } from './client.js';

const statements = new WeakMap<Db, Map<string, unknown>>();

/**
 * A query built once per database handle and then only executed with new parameters
 * (`sql.placeholder`): no SQL is assembled per request, and on PostgreSQL the statement is
 * named, so each connection parses and plans it once. Only for queries on the database itself,
 * not inside a transaction (a transaction has its own connection and handle).
 */
export function preparedOnce<T>(db: Db, name: string, build: (name: string) => T): T {
  let byName = statements.get(db);
  if (byName === undefined) {
    byName = new Map();
    statements.set(db, byName);
  }
  let statement = byName.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(name);
    byName.set(name, statement);
  }
  return statement;
}

/** What drizzle's relational query (`query.<table>.findFirst/findMany`) does when it runs: build its SQL, then prepare and execute it. */
interface RelationalQueryParts<T> {
  _toSQL(): unknown;
  _prepare(name?: string): { execute(values?: Record<string, unknown>): Promise<T> };
}

/**
 * A relational query whose SQL is built once (its parameters `sql.placeholder`s) and then run
 * on any executor, a transaction's included: where `preparedOnce` binds a statement to the
 * database handle, this serves the reads inside a unit of work (a decision locked and loaded),
 * which would otherwise assemble the same statement with its nested children on every call.
 * The statement is named, so each connection parses and plans it once. drizzle builds a
 * relational query's SQL from its configuration alone, never from the session it runs on, which
 * is what makes the one built text valid on every executor.
 */
export function relationalOnce<T>(name: string, build: (ex: Executor) => PromiseLike<T>): (ex: Executor, values: Record<string, unknown>) => Promise<T> {
  let built: unknown;
  return (ex, values) => {
    const query = build(ex) as unknown as RelationalQueryParts<T>;
    const sql = (built ??= query._toSQL());
    query._toSQL = () => sql;
    return query._prepare(name).execute(values);
  };
}
