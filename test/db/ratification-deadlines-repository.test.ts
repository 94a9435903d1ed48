import t from 'tap';
import { inArray } from 'drizzle-orm';
import { lockRatificationsOverdue, markRatificationOverdueNotified } from '../../src/db/ratification-deadlines-repository.js';
import { listAggregates } from '../../src/db/decision-list-repository.js';
import { decisions } from '../../src/db/schema.js';
import { inTransaction } from '../../src/db/transaction.js';
import { DECISION_STATUSES } from '../../src/domain/decision-lifecycle.js';
import { isRatificationOverdue } from '../../src/domain/ratification.js';
import { decision, repositoryDatabase } from '../helpers/register-rows.js';

/**
 * The overdue job's query is the domain's `isRatificationOverdue` in SQL: over a decision in
 * every state with every kind of due date (none, yesterday, today, tomorrow), it locks exactly
 * the decisions the domain calls overdue, and no longer those already announced; the decision
 * list's `ratificationOverdue` filter selects the same ones.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const TODAY = '2026-03-12';
const DUE_DATES = [null, '2026-03-11', TODAY, '2026-03-13'] as const;

const rows: { id: string; overdue: boolean; label: string }[] = [];
for (const status of DECISION_STATUSES) {
  for (const dueDate of DUE_DATES) {
    const { id } = await decision(db, { status, ...(dueDate !== null && { ratificationDueDate: dueDate }) });
    rows.push({ id, overdue: isRatificationOverdue(status, dueDate, TODAY), label: `${status} due ${dueDate ?? 'never'}` });
  }
}

t.test('locks exactly the decisions whose ratification the domain calls overdue', async (t) => {
  const expected = rows.filter((row) => row.overdue);
  t.ok(expected.length > 0 && expected.length < rows.length, 'the cases hold both answers');
  const locked = await inTransaction(database, (tx) => lockRatificationsOverdue(tx, TODAY, rows.length));
  for (const row of rows) t.equal(locked.includes(row.id), row.overdue, row.label);
});

t.test("the decision list's ratificationOverdue filter selects the same decisions", async (t) => {
  const listed = async (ratificationOverdue: boolean) => new Set((await listAggregates(db, { ratificationOverdue }, undefined, 100, TODAY)).map((a) => a.decision.id));
  const [overdue, others] = [await listed(true), await listed(false)];
  for (const row of rows) {
    t.equal(overdue.has(row.id), row.overdue, `overdue: ${row.label}`);
    t.equal(others.has(row.id), !row.overdue, `not overdue: ${row.label}`);
  }
});

t.test('announced decisions are not locked again; the limit bounds a batch', async (t) => {
  const overdue = rows.filter((row) => row.overdue).map((row) => row.id);
  t.equal((await inTransaction(database, (tx) => lockRatificationsOverdue(tx, TODAY, 1))).length, 1);
  await inTransaction(database, (tx) => markRatificationOverdueNotified(tx, overdue.slice(0, 1)));
  const [marked] = await db.select({ at: decisions.ratificationOverdueNotifiedAt }).from(decisions).where(inArray(decisions.id, overdue.slice(0, 1)));
  t.ok(marked?.at instanceof Date, 'the announcement is recorded');
  t.same((await inTransaction(database, (tx) => lockRatificationsOverdue(tx, TODAY, rows.length))).sort(), overdue.slice(1).sort());
});
