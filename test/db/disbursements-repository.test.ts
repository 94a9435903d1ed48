import t from 'tap';
import { addDisbursed, insertDisbursement, listDisbursementRows, listDisbursementRowsOf } from '../../src/db/disbursements-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { checkKeysetPages, decision, programme, repositoryDatabase } from '../helpers/register-rows.js';

/** Payments: added to a commitment only within what binds, recorded, and listed per decision or by programme and year. */
const database = await repositoryDatabase(t);
const db = database.db;
const wtmr = await programme(db);
const amkb = await programme(db);
const add = (commitmentId: string, cents: number) => inTransaction(database, (tx) => addDisbursed(tx, commitmentId, cents));

t.test('a payment is added while the sum stays within the amount; beyond it nothing changes', async (t) => {
  const { commitmentIds } = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000 }] });
  const id = commitmentIds[0]!;
  t.equal((await add(id, 600))?.disbursedCents, 600);
  t.equal(await add(id, 401), undefined, 'one cent too much');
  t.equal((await add(id, 400))?.disbursedCents, 1_000, 'exactly the amount');
  t.equal(await add(id, 1), undefined);
});

t.test('once settled, the final amount is what binds', async (t) => {
  const { commitmentIds } = await decision(db, { status: 'settled', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000, finalAmountCents: 700, disbursedCents: 500 }] });
  t.equal(await add(commitmentIds[0]!, 201), undefined, 'beyond the final amount, though within the amount');
  t.equal((await add(commitmentIds[0]!, 200))?.disbursedCents, 700);
});

t.test("payments listed per decision (a lineage's) and by the programme and year paid on", async (t) => {
  const a = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 10_000 }, { programmeId: amkb, year: 2027, amountCents: 10_000 }] });
  const b = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2027, amountCents: 10_000 }] });
  const pay = (decisionId: string, commitmentId: string, amountCents: number) =>
    inTransaction(database, (tx) => insertDisbursement(tx, { decisionId, commitmentId, amountCents, paidOn: '2026-03-01', reference: `BET-${amountCents}` }));
  const [p1, p2, p3, p4] = [await pay(a.id, a.commitmentIds[0]!, 100), await pay(a.id, a.commitmentIds[1]!, 200), await pay(b.id, b.commitmentIds[0]!, 300), await pay(a.id, a.commitmentIds[0]!, 400)];
  t.match(p1, { decisionId: a.id, commitmentId: a.commitmentIds[0], amountCents: 100, paidOn: '2026-03-01', reference: 'BET-100' });
  const order = (...rows: (typeof p1)[]) => rows.sort((x, y) => x.createdAt.getTime() - y.createdAt.getTime() || x.id.localeCompare(y.id)).map((r) => r.id);

  await checkKeysetPages(t, order(p1, p2, p4), (after, limit) => listDisbursementRowsOf(db, [a.id], after, limit));
  t.same((await listDisbursementRowsOf(db, [a.id, b.id], undefined, 10)).map((r) => r.id), order(p1, p2, p3, p4), 'of several decisions');

  const ids = async (filter: Parameters<typeof listDisbursementRows>[1]) => (await listDisbursementRows(db, filter, undefined, 10)).map((r) => r.id);
  t.same(await ids({ programmeId: wtmr }), order(p1, p3, p4));
  t.same(await ids({ year: 2027 }), order(p2, p3));
  t.same(await ids({ programmeId: wtmr, year: 2026 }), order(p1, p4));
  await checkKeysetPages(t, order(p1, p2, p3, p4), (after, limit) => listDisbursementRows(db, {}, after, limit));
});
