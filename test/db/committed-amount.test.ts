import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { commitmentColumnsOf, committedCentsSql } from '../../src/db/committed-amount.js';
import { commitments } from '../../src/db/schema.js';
import { committedCents } from '../../src/domain/disbursements.js';
import { decision, programme, repositoryDatabase } from '../helpers/register-rows.js';

/**
 * The committed amount in SQL is the domain's `committedCents`: over commitments with and without
 * a final amount (lower, equal, zero), both forms of the expression (on the table's columns and on
 * an alias) answer what the domain answers for the same row.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const wtmr = await programme(db);
const amounts = [
  { amountCents: 1_000 },
  { amountCents: 1_000, finalAmountCents: 700 },
  { amountCents: 1_000, finalAmountCents: 1_000 },
  { amountCents: 1_000, finalAmountCents: 0 },
];
const { commitmentIds } = await decision(db, { status: 'settled', commitments: amounts.map((a) => ({ programmeId: wtmr, year: 2026, ...a })) });

t.test('the SQL expression answers what the domain function does, on the columns and on an alias', async (t) => {
  const onColumns = await db
    .select({ id: commitments.id, amountCents: commitments.amountCents, finalAmountCents: commitments.finalAmountCents, committed: sql<string>`${committedCentsSql(commitments)}::text` })
    .from(commitments);
  const onAlias = new Map(
    (await queryRows<{ id: string; committed: string }>(db, sql`select c.id::text as id, ${committedCentsSql(commitmentColumnsOf('c'))}::text as committed from ${commitments} c`)).map(
      (row) => [row.id, row.committed],
    ),
  );
  t.equal(onColumns.length, amounts.length);
  t.same(onColumns.map((row) => row.id).sort(), [...commitmentIds].sort());
  for (const row of onColumns) {
    const expected = committedCents(row);
    t.equal(Number(row.committed), expected, `amount ${row.amountCents}, final ${row.finalAmountCents}`);
    t.equal(Number(onAlias.get(row.id)), expected, 'the same under an alias');
  }
  t.same(new Set(onColumns.map((row) => Number(row.committed))), new Set([1_000, 700, 0]), 'the cases hold each answer');
});
