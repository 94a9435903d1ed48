import t from 'tap';
import { eq, getTableName, sql } from 'drizzle-orm';
import { decisionViewVersionQuery, findDecisionViewVersion } from '../../src/db/decision-view-version.js';
import { aggregateQuery, DECISION_CHILDREN } from '../../src/db/decisions-repository.js';
import { decisions } from '../../src/db/schema.js';
import { decision, programme, repositoryDatabase } from '../helpers/register-rows.js';

/**
 * The view version watches everything the loader reads: the tables are read off the SQL the two
 * queries send, so a table the loader starts reading (a new child, a new join) and the version
 * does not watch fails here, whoever forgets it. And the version moves when a child row changes.
 */
const database = await repositoryDatabase(t);
const db = database.db;

/** The tables a statement reads: every name after `from` or `join`, quoted or not. */
const tablesOf = (text: string) => new Set([...text.matchAll(/\b(?:from|join)\s+(?:lateral\s+)?(?!lateral\b)"?([a-z_][a-z0-9_]*)"?/gi)].map((m) => m[1]!));

t.test('the version query reads every table the loader of a decision reads', async (t) => {
  const loader = tablesOf(aggregateQuery(db, eq(decisions.id, sql.placeholder('id'))).toSQL().sql);
  const version = tablesOf(decisionViewVersionQuery(db).toSQL().sql);
  t.ok(loader.has(getTableName(decisions)), `the loader's tables are read off its SQL: ${[...loader].join(', ')}`);
  for (const { table } of Object.values(DECISION_CHILDREN)) t.ok(loader.has(getTableName(table)), `the loader reads ${getTableName(table)}`);
  for (const table of loader) t.ok(version.has(table), `the version watches ${table}`);
});

t.test('a change of a child row, or of the decision, changes the version; reading does not', async (t) => {
  const { id, commitmentIds } = await decision(db, { commitments: [{ programmeId: await programme(db), year: 2026, amountCents: 1_000 }] });
  const before = await findDecisionViewVersion(db, id);
  t.type(before, 'string');
  t.equal(await findDecisionViewVersion(db, id), before, 'stable while nothing changes');
  await db.execute(sql`update decision_commitments set amount_cents = 2000 where id = ${commitmentIds[0]!}`);
  const afterChild = await findDecisionViewVersion(db, id);
  t.not(afterChild, before, 'a commitment changed');
  await db.update(decisions).set({ title: 'Another title' }).where(eq(decisions.id, id));
  t.not(await findDecisionViewVersion(db, id), afterChild, 'the decision changed');
  t.equal(await findDecisionViewVersion(db, '00000000-0000-4000-8000-000000000000'), undefined, 'no decision, no version');
});
