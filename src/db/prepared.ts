import type { Db } from './client.js';

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
