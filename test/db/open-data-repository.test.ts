import { randomUUID } from 'node:crypto';
import t from 'tap';
import {
  firstFoundation,
  organisationsByIds,
  paymentsOfLineages,
  programmesByIds,
  publishedDecisionBatch,
} from '../../src/db/open-data-repository.js';
import { disbursements } from '../../src/db/schema.js';
import { inTransaction } from '../../src/db/transaction.js';
import { decision, organisation, programme, repositoryDatabase, statementsSent } from '../helpers/register-rows.js';

/**
 * What the open data publishes: binding decisions, decisions whose ratification ended (that had
 * one), in keyset batches; the organisations and programmes they name; the foundation; and the
 * payments of each decision's lineage.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const heerlen = await organisation(db, { kind: 'municipality', centreMunicipality: true });
const wtmr = await programme(db);
const required = [heerlen];
const byStatus = new Map<string, string>();
for (const status of ['draft', 'pending_ratification', 'adopted', 'ratified', 'rejected', 'withdrawn', 'superseded', 'settled'] as const) {
  byStatus.set(status, (await decision(db, { status, requiredMunicipalityIds: status === 'adopted' || status === 'draft' || status === 'withdrawn' ? [] : required })).id);
}
// Superseded without ratification (adopted at once, then amended): its ratification never was.
const supersededUnratified = (await decision(db, { status: 'superseded' })).id;

t.test('the foundation is the first one registered; without one there is none', async (t) => {
  t.equal(await firstFoundation(db), undefined);
  const first = await organisation(db, { kind: 'foundation', name: 'ESZL' });
  await organisation(db, { kind: 'foundation', name: 'Another foundation' });
  await organisation(db, { kind: 'applicant' });
  t.equal((await firstFoundation(db))?.id, first);
});

t.test('the binding set: adopted, ratified and settled decisions, in (createdAt, id) batches', async (t) => {
  const all = await publishedDecisionBatch(db, 'binding', undefined, 10);
  t.same(all.map((p) => p.id), ['adopted', 'ratified', 'settled'].map((s) => byStatus.get(s)));
  t.same((await publishedDecisionBatch(db, 'binding', undefined, 2)).map((p) => p.id), all.slice(0, 2).map((p) => p.id), 'a batch of two');
  t.same((await publishedDecisionBatch(db, 'binding', all[0], 10)).map((p) => p.id), all.slice(1).map((p) => p.id), 'after the first');
  t.same(await publishedDecisionBatch(db, 'binding', all[2], 10), [], 'after the last');
});

t.test('the ratification-ended set: ratified, rejected, settled and superseded decisions that needed the colleges', async (t) => {
  const ids = (await publishedDecisionBatch(db, 'ratification-ended', undefined, 10)).map((p) => p.id);
  t.same(ids, ['ratified', 'rejected', 'superseded', 'settled'].map((s) => byStatus.get(s)));
  t.notOk(ids.includes(supersededUnratified), 'not one that never needed ratification');
});

t.test('decisions created at one moment (one transaction) are each in one batch, in id order', async (t) => {
  const before = await publishedDecisionBatch(db, 'binding', undefined, 100);
  const sameMoment = await inTransaction(database, async (tx) => [
    (await decision(tx, { status: 'ratified', requiredMunicipalityIds: required })).id,
    (await decision(tx, { status: 'adopted' })).id,
    (await decision(tx, { status: 'settled' })).id,
  ]);
  let after = before.at(-1);
  const seen: string[] = [];
  for (let batch = await publishedDecisionBatch(db, 'binding', after, 1); batch.length > 0; batch = await publishedDecisionBatch(db, 'binding', after, 1)) {
    seen.push(batch[0]!.id);
    after = batch[0];
  }
  t.same(seen, [...sameMoment].sort(), 'batches of one step through them all');
});

t.test('organisations and programmes by id; none asked, none read', async (t) => {
  const employer = await organisation(db, { kind: 'employer' });
  t.same((await organisationsByIds(db, [heerlen, employer, randomUUID()])).map((o) => o.id).sort(), [heerlen, employer].sort());
  t.same((await programmesByIds(db, [wtmr, randomUUID()])).map((p) => p.id), [wtmr]);
  t.same(await organisationsByIds(db, []), []);
  t.same(await programmesByIds(db, []), []);
  if (database.pool) {
    t.equal(await statementsSent(database, () => Promise.all([organisationsByIds(db, []), programmesByIds(db, []), paymentsOfLineages(db, [])])), 0);
  }
});

t.test("each decision's payments include those made under the decisions it amends, by payment date", async (t) => {
  const original = await decision(db, { status: 'superseded', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 10_000 }] });
  const amendment = await decision(db, { status: 'adopted', amends: original.id, commitments: [{ programmeId: wtmr, year: 2026, amountCents: 12_000 }] });
  const alone = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2027, amountCents: 5_000 }] });
  const [early, late, own] = await db
    .insert(disbursements)
    .values([
      { decisionId: original.id, commitmentId: original.commitmentIds[0]!, amountCents: 1_000, paidOn: '2026-02-01', reference: 'BET-1' },
      { decisionId: amendment.id, commitmentId: amendment.commitmentIds[0]!, amountCents: 2_000, paidOn: '2026-04-01', reference: 'BET-2' },
      { decisionId: alone.id, commitmentId: alone.commitmentIds[0]!, amountCents: 3_000, paidOn: '2026-03-01', reference: 'BET-3' },
    ])
    .returning();
  const payments = await paymentsOfLineages(db, [amendment.id, alone.id]);
  t.same(
    payments.map((p) => [p.decisionId, p.id, p.amountCents, p.paidOn]),
    [
      [amendment.id, early!.id, 1_000, '2026-02-01'],
      [alone.id, own!.id, 3_000, '2026-03-01'],
      [amendment.id, late!.id, 2_000, '2026-04-01'],
    ],
  );
  t.match(payments[0], { commitmentId: original.commitmentIds[0], reference: 'BET-1', createdAt: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/ });
  t.same((await paymentsOfLineages(db, [original.id])).map((p) => p.id), [early!.id], 'the original alone has only its own');
});
