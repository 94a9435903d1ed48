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

/**
 * The one cursor codec: base64url of a JSON array of the last row's key values. Each kind of
 * page decodes it with its own check of those values; anything else is a 400 that says so.
 */
function encode(values: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decode<T>(cursor: string, read: (values: unknown[]) => T | undefined): T {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const position = Array.isArray(values) ? read(values) : undefined;
  if (position === undefined) throw invalidCursor();
  return position;
}

export function encodeCursor(position: KeysetPosition): string {
  return encode([position.createdAt.toISOString(), position.id]);
}

export function decodeCursor(cursor: string | undefined): KeysetPosition | undefined {
  if (cursor === undefined) return undefined;
  return decode(cursor, (values) => {
    const [at, id] = values;
    if (values.length !== 2 || typeof at !== 'string' || typeof id !== 'string' || !UUID.test(id)) return undefined;
    const createdAt = new Date(at);
    const year = createdAt.getUTCFullYear();
    return Number.isNaN(createdAt.getTime()) || year < 1970 || year > 9999 ? undefined : { createdAt, id };
  });
}

/** Pages in `seq` order (the audit trail, the event feed) continue after the last seq. */
export function encodeSeqCursor(seq: number): string {
  return encode([seq]);
}

export function decodeSeqCursor(cursor: string): number {
  return decode(cursor, (values) => {
    const [seq] = values;
    return values.length === 1 && Number.isSafeInteger(seq) && (seq as number) >= 0 ? (seq as number) : undefined;
  });
}

/** Where a page of the ratification overview ends: the due date (null last), the decision, the municipality. */
export interface RatificationPosition {
  dueDate: string | null;
  decisionId: string;
  municipalityId: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function encodeRatificationCursor(position: RatificationPosition): string {
  return encode([position.dueDate ?? '', position.decisionId, position.municipalityId]);
}

export function decodeRatificationCursor(cursor: string): RatificationPosition {
  return decode(cursor, (values) => {
    const [due, decisionId, municipalityId] = values;
    if (values.length !== 3 || typeof due !== 'string' || (due !== '' && !DATE.test(due))) return undefined;
    if (typeof decisionId !== 'string' || !UUID.test(decisionId) || typeof municipalityId !== 'string' || !UUID.test(municipalityId)) return undefined;
    return { dueDate: due === '' ? null : due, decisionId, municipalityId };
  });
}

export function invalidCursor(): DomainError {
  return new DomainError('VALIDATION_FAILED', 'The cursor is not valid; use nextCursor from a previous page.', [
    { path: '/cursor', message: 'is not a cursor returned by this API' },
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
