import { randomUUID } from 'node:crypto';
import { asc, eq, sql } from 'drizzle-orm';
import t from 'tap';
import type { Db } from '../../src/db/client.js';
import { preparedOnce, relationalOnce } from '../../src/db/prepared.js';
import { commitments, decisions } from '../../src/db/schema.js';
import { inTransaction } from '../../src/db/transaction.js';
import { decision, programme, repositoryDatabase } from '../helpers/register-rows.js';

/** A prepared statement is built once per database handle and name, then reused. */
t.test('built once per handle and name, then the same statement is returned', async (t) => {
  // Only the handle's identity matters to the cache: two distinct objects stand for two databases.
  const [one, other] = [{}, {}] as unknown as [Db, Db];
  const built: string[] = [];
  const build = (name: string) => {
    built.push(name);
    return { name, serial: built.length };
  };
  const first = preparedOnce(one, 'decision-by-id', build);
  t.equal(preparedOnce(one, 'decision-by-id', build), first, 'the same statement again');
  t.same(built, ['decision-by-id']);
  t.not(preparedOnce(one, 'decision-list', build), first, 'another name, another statement');
  t.not(preparedOnce(other, 'decision-by-id', build), first, 'another handle, another statement');
  t.same(built, ['decision-by-id', 'decision-list', 'decision-by-id']);
  t.same(preparedOnce(other, 'decision-by-id', build), { name: 'decision-by-id', serial: 3 });
});

/**
 * A relational query built once runs on the database and inside transactions alike, with the
 * answers the query built afresh gives, and its SQL is assembled by the first call alone.
 */
t.test('relationalOnce builds the SQL once and runs it on any executor', async (t) => {
  const database = await repositoryDatabase(t);
  const { db } = database;
  const programmeId = await programme(db);
  const first = await decision(db, { commitments: [{ programmeId, year: 2026, amountCents: 1_000 }] });
  const second = await decision(db, { status: 'adopted', commitments: [{ programmeId, year: 2026, amountCents: 2_000 }, { programmeId, year: 2027, amountCents: 3_000 }] });
  let builds = 0;
  const byId = relationalOnce('test_decision_with_commitments', (ex) => {
    const query = ex.query.decisions.findFirst({ where: eq(decisions.id, sql.placeholder('id')), with: { commitments: { orderBy: [asc(commitments.position)] } } });
    const parts = query as unknown as { _toSQL: () => unknown };
    const toSQL = parts._toSQL.bind(query);
    parts._toSQL = () => {
      builds++;
      return toSQL();
    };
    return query;
  });
  const fresh = (id: string) => db.query.decisions.findFirst({ where: eq(decisions.id, id), with: { commitments: { orderBy: [asc(commitments.position)] } } });
  t.same(await byId(db, { id: first.id }), await fresh(first.id), 'on the database: what the query built afresh answers');
  const inside = await inTransaction(database, async (tx) => [await byId(tx, { id: second.id }), await byId(tx, { id: first.id })]);
  t.same(inside, [await fresh(second.id), await fresh(first.id)], 'inside a transaction, with other parameters');
  t.equal(inside[0]?.commitments.length, 2, 'the children come along');
  t.equal(await byId(db, { id: randomUUID() }), undefined, 'no row: undefined, as findFirst answers');
  t.equal(builds, 1, 'the SQL was assembled once for four runs');
});
