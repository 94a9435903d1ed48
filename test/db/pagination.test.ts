import { PgDialect, pgTable, timestamp, uuid } from 'drizzle-orm/pg-core';
import t from 'tap';
import {
  afterPosition,
  decodeCursor,
  decodeSeqCursor,
  encodeCursor,
  encodeSeqCursor,
  keysetParams,
  toPage,
} from '../../src/db/pagination.js';
import { attempt, refused } from '../helpers/attempt.js';

/** Keyset pagination: the cursors (opaque, round-tripping, refused when forged) and the page cut. */
const ID = '0b6c6f9e-3f5e-4a57-9d55-2f1b1d7c0a11';
const AT = new Date('2026-03-01T12:34:56.789Z');
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const INVALID = refused('VALIDATION_FAILED', 400);

t.test('a position survives its cursor, which is base64url JSON of the key', async (t) => {
  const cursor = encodeCursor({ createdAt: AT, id: ID });
  t.match(cursor, /^[A-Za-z0-9_-]+$/);
  t.equal(cursor, cursorOf(['2026-03-01T12:34:56.789Z', ID]));
  t.same(decodeCursor(cursor), { createdAt: AT, id: ID });
  t.equal(decodeCursor(undefined), undefined, 'no cursor: the first page');
});

t.test('a cursor this API did not return is refused with 400 on /cursor (query.cursor over HTTP)', async (t) => {
  const forged: [string, string][] = [
    ['not base64 JSON', 'not a cursor!'],
    ['not an array', cursorOf({ createdAt: AT, id: ID })],
    ['one value', cursorOf([AT.toISOString()])],
    ['three values', cursorOf([AT.toISOString(), ID, 1])],
    ['a number for the time', cursorOf([1, ID])],
    ['not a uuid', cursorOf([AT.toISOString(), 'decision-1'])],
    ['an upper-case uuid', cursorOf([AT.toISOString(), ID.toUpperCase()])],
    ['not a time', cursorOf(['yesterday', ID])],
    ['before 1970', cursorOf(['1969-12-31T23:59:59Z', ID])],
    ['after 9999', cursorOf(['+010000-01-01T00:00:00Z', ID])],
  ];
  for (const [name, cursor] of forged) t.same(attempt(() => decodeCursor(cursor)), INVALID, name);
  const error = t.throws(() => decodeCursor('x')) as unknown as { errors: unknown };
  t.same(error.errors, [{ path: '/cursor', message: 'is not a cursor returned by this API' }]);
  t.same(decodeCursor(cursorOf(['1970-01-01T00:00:00Z', ID])), { createdAt: new Date(0), id: ID }, 'the first moment allowed');
});

t.test('a seq cursor continues after its seq; anything but a whole number from 0 is refused', async (t) => {
  t.equal(decodeSeqCursor(encodeSeqCursor(41)), 41);
  t.equal(decodeSeqCursor(encodeSeqCursor(0)), 0);
  for (const value of [[-1], [1.5], ['41'], [41, 42], [], [2 ** 53]]) t.same(attempt(() => decodeSeqCursor(cursorOf(value))), INVALID, JSON.stringify(value));
});

t.test('a page is cut at the limit; only a row beyond it gives a next cursor, at the last row shown', async (t) => {
  const rows = [1, 2, 3].map((n) => ({ createdAt: new Date(AT.getTime() + n), id: ID.replace(/1$/, String(n)), n }));
  const full = toPage(rows, 2, (row) => row.n);
  t.same(full.items, [1, 2]);
  t.same(decodeCursor(full.nextCursor!), { createdAt: rows[1]!.createdAt, id: rows[1]!.id });
  t.same(toPage(rows, 3, (row) => row.n), { items: [1, 2, 3], nextCursor: null }, 'exactly the limit: the last page');
  t.same(toPage([], 3, (row) => row), { items: [], nextCursor: null });
});

t.test('the keyset condition and parameters follow the position, one more row than the page', async (t) => {
  const table = pgTable('things', { createdAt: timestamp('created_at'), id: uuid('id') });
  t.equal(afterPosition(table.createdAt, table.id, undefined), undefined, 'the first page has no condition');
  const condition = new PgDialect().sqlToQuery(afterPosition(table.createdAt, table.id, { createdAt: AT, id: ID })!);
  t.match(condition, { sql: '("things"."created_at", "things"."id") > ($1::timestamptz, $2::uuid)', params: [AT.toISOString(), ID] });
  t.same(keysetParams(undefined, 50), { limit: 51 });
  t.same(keysetParams({ createdAt: AT, id: ID }, 50), { afterCreatedAt: AT.toISOString(), afterId: ID, limit: 51 });
});
