import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { findLineage, findLiveAmendment, findPendingAmendmentCommitments, setDisbursedCents } from '../../src/db/amendments-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { decision, programme, repositoryDatabase, rowsOf } from '../helpers/register-rows.js';

/** Amendments: a decision's lineage through `amends`, its live amendment, the commitments of one awaiting the colleges, carried-over payments. */
const database = await repositoryDatabase(t);
const db = database.db;
const wtmr = await programme(db);
const amkb = await programme(db);

t.test('the lineage runs from the decision through every decision it amends, newest first', async (t) => {
  const original = await decision(db, { status: 'superseded' });
  const first = await decision(db, { status: 'superseded', amends: original.id });
  const second = await decision(db, { status: 'adopted', amends: first.id });
  t.same(await findLineage(db, second.id), [second.id, first.id, original.id]);
  t.same(await findLineage(db, original.id), [original.id], 'an original is its own lineage');
  t.same(await findLineage(db, randomUUID()), [], 'an unknown decision has none');
});

t.test('a cycle of amendments, which nothing should ever write, still ends at the guard', async (t) => {
  const a = await decision(db, { status: 'adopted' });
  const b = await decision(db, { status: 'adopted', amends: a.id });
  await db.execute(sql`update decisions set amends = ${b.id} where id = ${a.id}`);
  const lineage = await findLineage(db, a.id);
  t.equal(lineage.length, 1_001, 'the decision and a thousand steps');
  t.same(lineage.slice(0, 4), [a.id, b.id, a.id, b.id]);
});

t.test('the live amendment of a decision is its amendment in draft or awaiting ratification', async (t) => {
  const amended = await decision(db, { status: 'adopted' });
  t.equal(await findLiveAmendment(db, amended.id), undefined, 'none yet');
  await decision(db, { status: 'withdrawn', amends: amended.id });
  await decision(db, { status: 'rejected', amends: amended.id });
  t.equal(await findLiveAmendment(db, amended.id), undefined, 'a withdrawn or rejected amendment is not live');
  const draft = await decision(db, { status: 'draft', amends: amended.id });
  t.same(await findLiveAmendment(db, amended.id), { id: draft.id, status: 'draft' });
  await db.execute(sql`update decisions set status = 'pending_ratification', adopted_at = now(), adopted_on = (now() at time zone 'Europe/Amsterdam')::date, statute_rule_version = 1 where id = ${draft.id}`);
  t.same(await findLiveAmendment(db, amended.id), { id: draft.id, status: 'pending_ratification' });
});

t.test('the commitments of the amendment awaiting the colleges; undefined when none awaits them', async (t) => {
  const amended = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 5_000_000 }] });
  await decision(db, { status: 'draft', amends: amended.id, commitments: [{ programmeId: wtmr, year: 2026, amountCents: 9_000_000 }] });
  t.equal(await findPendingAmendmentCommitments(db, amended.id), undefined, 'a draft amendment awaits nobody');
  const amendedAgain = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 5_000_000 }] });
  await decision(db, {
    status: 'pending_ratification',
    amends: amendedAgain.id,
    commitments: [
      { programmeId: wtmr, year: 2026, amountCents: 12_000_000 },
      { programmeId: amkb, year: 2027, amountCents: 1_000_000 },
    ],
  });
  const found = await findPendingAmendmentCommitments(db, amendedAgain.id);
  t.same(found?.sort((a, b) => a.year - b.year), [
    { programmeId: wtmr, year: 2026, amountCents: 12_000_000 },
    { programmeId: amkb, year: 2027, amountCents: 1_000_000 },
  ]);
});

t.test('what was paid is set on each commitment given, the rows returned in that order', async (t) => {
  const { commitmentIds } = await decision(db, {
    status: 'adopted',
    commitments: [
      { programmeId: wtmr, year: 2026, amountCents: 1_000 },
      { programmeId: wtmr, year: 2027, amountCents: 2_000 },
      { programmeId: amkb, year: 2026, amountCents: 3_000 },
    ],
  });
  const [a, b, c] = commitmentIds as [string, string, string];
  const rows = await inTransaction(database, (tx) => setDisbursedCents(tx, new Map([[c, 3_000], [a, 250]])));
  t.same(rows.map((r) => [r.id, r.disbursedCents]), [[c, 3_000], [a, 250]]);
  t.same((await inTransaction(database, (tx) => setDisbursedCents(tx, new Map()))), [], 'nothing to set');
  const stored = await rowsOf(db, sql`select id::text, disbursed_cents::int as paid from decision_commitments where id in (${a}, ${b}, ${c}) order by position`);
  t.same(stored, [{ id: a, paid: 250 }, { id: b, paid: 0 }, { id: c, paid: 3_000 }]);
});
