import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { DomainError } from '../domain/errors.js';

/**
 * Keyset pagination over (created_at, id). The cursor is opaque to clients: base64url of the
 * last row's key. Never OFFSET: page 1,000 costs what page 1 costs.
 */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface KeysetPosition {
  createdAt: Date;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify([position.createdAt.toISOString(), position.id])).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = new Date(value[0]);
      const year = createdAt.getUTCFullYear();
      if (!Number.isNaN(createdAt.getTime()) && year >= 1970 && year <= 9999 && UUID.test(value[1])) {
        return { createdAt, id: value[1] };
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw invalidCursor();
}

export function invalidCursor(): DomainError {
  return new DomainError('VALIDATION_FAILED', 'The cursor is not valid; use nextCursor from a previous page.', [
    { path: 'query.cursor', message: 'is not a cursor returned by this API' },
  ]);
}

export function afterPosition(createdAt: AnyPgColumn, id: AnyPgColumn, position: KeysetPosition | undefined): SQL | undefined {
  return position === undefined ? undefined : sql`(${createdAt}, ${id}) > (${position.createdAt.toISOString()}::timestamptz, ${position.id}::uuid)`;
}

/** `afterPosition` for prepared statements: the position comes as `afterCreatedAt` and `afterId` (see `keysetParams`). */
export function afterPlaceholders(createdAt: AnyPgColumn, id: AnyPgColumn): SQL {
  return sql`(${createdAt}, ${id}) > (${sql.placeholder('afterCreatedAt')}::timestamptz, ${sql.placeholder('afterId')}::uuid)`;
}

/** The values of `afterPlaceholders` and of the `limit` placeholder (one more row than the page). */
export function keysetParams(after: KeysetPosition | undefined, limit: number): { afterCreatedAt?: string; afterId?: string; limit: number } {
  return after === undefined ? { limit: limit + 1 } : { afterCreatedAt: after.createdAt.toISOString(), afterId: after.id, limit: limit + 1 };
}

/** Rows were fetched with limit + 1; the extra row only tells that another page exists. */
export function toPage<Row extends KeysetPosition, Item>(rows: Row[], limit: number, map: (row: Row) => Item): Page<Item> {
  const pageRows = rows.slice(0, limit);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last) : null,
  };
}
