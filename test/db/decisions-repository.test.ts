import t from 'tap';
import {
  appendCondition,
  decisionPositions,
  findAggregate,
  findConditionRow,
  findDecisionRow,
  findExistingReferences,
  fulfilConditionRow,
  insertCommitments,
  insertConditions,
  insertDecision,
  insertVote,
  listCommitmentRows,
  listVoteRows,
  loadAggregate,
  loadAggregates,
  lockAndLoadAggregate,
  lockConditionsDueBefore,
  lockDecisionsInIdOrder,
  markOverdueNotified,
  replaceCommitments,
  replaceConditions,
  setFinalAmounts,
  updateDecision,
} from '../../src/db/decisions-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { checkKeysetPages, decision, lockedElsewhere, organisation, POSTGRES_ONLY, programme, repositoryDatabase, statementsSent } from '../helpers/register-rows.js';

/** The decisions and their children: written in order, read whole, locked, and the lists over them. */
const database = await repositoryDatabase(t);
const db = database.db;
const heerlen = await organisation(db, { kind: 'municipality', centreMunicipality: true });
const [wtmr, amkb] = [await programme(db), await programme(db)];
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const commitment = (programmeId: string, year: number, amountCents: number) => ({ programmeId, year, amountCents, purpose: null });

t.test('a decision is written with its commitments and conditions in the order given, and read back whole', async (t) => {
  const row = await insertDecision(db, { reference: 'PB-WRITE', title: 'Principebesluit', boardMeetingDate: '2026-01-22', totalAmountCents: 3_000 });
  const written = await insertCommitments(db, row.id, [commitment(wtmr, 2027, 2_000), commitment(amkb, 2026, 1_000)]);
  t.same(written.map((c) => [c.position, c.amountCents]), [[0, 2_000], [1, 1_000]]);
  const conditions = await insertConditions(db, row.id, [{ description: 'Begroting', dueDate: '2026-03-01' }, { description: 'Rapportage', dueDate: '2026-06-01', blocksDisbursement: true }]);
  t.same(conditions.map((c) => [c.position, c.description, c.blocksDisbursement]), [[0, 'Begroting', false], [1, 'Rapportage', true]]);
  t.same(await insertCommitments(db, row.id, []), [], 'none given, none written');
  t.same(await insertConditions(db, row.id, []), []);
  if (database.pool) t.equal(await statementsSent(database, () => Promise.all([insertCommitments(db, row.id, []), insertConditions(db, row.id, [])])), 0);

  const aggregate = await loadAggregate(db, row.id);
  t.same(aggregate?.decision, row);
  t.same(aggregate?.commitments.map((c) => c.id), written.map((c) => c.id));
  t.same(aggregate?.conditions.map((c) => c.id), conditions.map((c) => c.id));
  t.same(aggregate?.votes, []);
  t.equal(aggregate?.amendedTotalCents, null, 'it amends no decision');
  t.same(await findAggregate(db, row.id), aggregate, 'the prepared read path reads the same');
  t.equal(await loadAggregate(db, UNKNOWN), undefined);
  t.equal(await findAggregate(db, UNKNOWN), undefined);

  await replaceCommitments(db, row.id, [commitment(wtmr, 2028, 500)]);
  await replaceConditions(db, row.id, []);
  const replaced = await loadAggregate(db, row.id);
  t.same(replaced?.commitments.map((c) => [c.position, c.year, c.amountCents]), [[0, 2028, 500]], 'replaced, positions from 0');
  t.same(replaced?.conditions, []);
});

t.test('several decisions are loaded in the order asked, unknown ones left out; an amendment with its amended total', async (t) => {
  const [a, b] = [await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 7_000 }] }), await decision(db)];
  const amendment = await decision(db, { amends: a.id, commitments: [{ programmeId: wtmr, year: 2026, amountCents: 9_000 }] });
  t.same((await loadAggregates(db, [amendment.id, UNKNOWN, b.id, a.id])).map((x) => x.decision.id), [amendment.id, b.id, a.id]);
  t.equal((await loadAggregate(db, amendment.id))?.amendedTotalCents, 7_000, 'a number, read with the decision');
  t.same(await loadAggregates(db, []), []);
  if (database.pool) t.equal(await statementsSent(database, () => loadAggregates(db, [])), 0);
});

t.test('which referenced programmes, organisations and decisions exist, in one statement', async (t) => {
  const d = await decision(db);
  const found = await findExistingReferences(db, [wtmr, UNKNOWN], [heerlen, wtmr], [d.id, UNKNOWN]);
  t.same(found, { programmeIds: new Set([wtmr]), organisationIds: new Set([heerlen]), decisionIds: new Set([d.id]) }, 'an id counts only for its own kind');
  t.same(await findExistingReferences(db, [], [heerlen]), { programmeIds: new Set(), organisationIds: new Set([heerlen]), decisionIds: new Set() });
  if (database.pool) {
    t.equal(await statementsSent(database, () => findExistingReferences(db, [wtmr], [heerlen], [d.id])), 1);
    t.equal(await statementsSent(database, () => findExistingReferences(db, [], [])), 0, 'nothing to look up');
  }
});

t.test('an update sets the values and updatedAt; votes are read in the order cast', async (t) => {
  const d = await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: [heerlen] });
  const before = await findDecisionRow(db, d.id);
  const updated = await inTransaction(database, (tx) => updateDecision(tx, d.id, { summary: 'Regionale talentattractie' }));
  t.match(updated, { id: d.id, summary: 'Regionale talentattractie', status: 'pending_ratification' });
  t.ok(updated.updatedAt.getTime() >= before!.updatedAt.getTime());
  const maastricht = await organisation(db, { kind: 'municipality', centreMunicipality: true });
  const first = await insertVote(db, { decisionId: d.id, municipalityId: heerlen, outcome: 'approve', decidedOn: '2026-02-20' });
  const second = await insertVote(db, { decisionId: d.id, municipalityId: maastricht, outcome: 'reject', decidedOn: '2026-02-21' });
  t.same((await listVoteRows(db, d.id)).map((v) => v.id), [first.id, second.id]);
  t.same(await listVoteRows(db, UNKNOWN), []);
  t.equal(await findDecisionRow(db, UNKNOWN), undefined);
});

t.test('conditions: found under their decision, appended last, fulfilled, and due ones picked for the overdue check', async (t) => {
  const d = await decision(db, { status: 'adopted' });
  const first = await inTransaction(database, (tx) => appendCondition(tx, d.id, { description: 'Begroting', dueDate: '2026-02-01' }));
  const second = await inTransaction(database, (tx) => appendCondition(tx, d.id, { description: 'Rapportage', dueDate: '2026-02-15', reference: 'R-1' }));
  t.same([first.position, second.position], [0, 1], 'each after the others');
  t.same(await findConditionRow(db, d.id, second.id), second);
  t.equal(await findConditionRow(db, (await decision(db)).id, second.id), undefined, 'not under another decision');

  const fulfilled = await fulfilConditionRow(db, first.id, '2026-01-30', 'Begroting ontvangen');
  t.match(fulfilled, { fulfilledOn: '2026-01-30', evidence: 'Begroting ontvangen', documents: [], indicatorIds: [] });

  const draft = await decision(db);
  await insertConditions(db, draft.id, [{ description: 'Of a draft', dueDate: '2026-01-01' }]);
  const later = await inTransaction(database, (tx) => appendCondition(tx, d.id, { description: 'Later', dueDate: '2026-12-01' }));
  const due = await inTransaction(database, (tx) => lockConditionsDueBefore(tx, '2026-03-01', ['adopted', 'ratified'], 10));
  t.same(due.map((c) => c.id), [second.id], 'open, due before the date, of a decision in those states; not fulfilled, later or of a draft');
  t.notOk(due.some((c) => c.id === later.id));
  await inTransaction(database, (tx) => markOverdueNotified(tx, [second.id]));
  t.same(await inTransaction(database, (tx) => lockConditionsDueBefore(tx, '2026-03-01', ['adopted'], 10)), [], 'announced once');
});

t.test('settlement sets the final amounts of the decision’s own commitments, returned in position order', async (t) => {
  const d = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000 }, { programmeId: amkb, year: 2026, amountCents: 2_000 }] });
  const other = await decision(db, { status: 'adopted', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 3_000 }] });
  const [a, b] = d.commitmentIds as [string, string];
  const rows = await inTransaction(database, (tx) => setFinalAmounts(tx, d.id, new Map([[b, 1_500], [a, 0], [other.commitmentIds[0]!, 1]])));
  t.same(rows.map((r) => [r.id, r.finalAmountCents]), [[a, 0], [b, 1_500]]);
  t.equal((await loadAggregate(db, other.id))?.commitments[0]?.finalAmountCents, null, "another decision's commitment is left alone");
});

t.test('the commitments list filters by programme, year and binding, and pages', async (t) => {
  const fresh = await programme(db);
  const adopted = await decision(db, { status: 'adopted', commitments: [{ programmeId: fresh, year: 2030, amountCents: 1 }, { programmeId: fresh, year: 2031, amountCents: 2 }] });
  const pending = await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: [heerlen], commitments: [{ programmeId: fresh, year: 2030, amountCents: 3 }] });
  const settled = await decision(db, { status: 'settled', commitments: [{ programmeId: fresh, year: 2030, amountCents: 4 }] });
  const ids = async (filter: Parameters<typeof listCommitmentRows>[1]) => (await listCommitmentRows(db, { programmeId: fresh, ...filter }, undefined, 10)).map((c) => c.amountCents).sort();
  t.same(await ids({}), [1, 2, 3, 4]);
  t.same(await ids({ year: 2030 }), [1, 3, 4]);
  t.same(await ids({ binding: true }), [1, 2, 4], 'adopted and settled');
  t.same(await ids({ binding: false }), [3]);
  t.same((await listCommitmentRows(db, { programmeId: fresh, year: 2031 }, undefined, 10))[0]?.decisionStatus, 'adopted');
  // A decision's commitments are written in one statement: one createdAt, so the id orders them.
  const order = [...[...adopted.commitmentIds].sort(), ...pending.commitmentIds, ...settled.commitmentIds];
  await checkKeysetPages(t, order, (after, limit) => listCommitmentRows(db, { programmeId: fresh }, after, limit));
});

t.test('decision positions: a keyset batch over every decision', async (t) => {
  const all = await decisionPositions(db, undefined, 1_000);
  t.ok(all.length >= 10);
  t.same(await decisionPositions(db, undefined, 3), all.slice(0, 3));
  t.same(await decisionPositions(db, all[2], 3), all.slice(3, 6));
  t.same(await decisionPositions(db, all.at(-1), 3), []);
});

t.test('a decision found for update, locked and loaded, or locked among others in id order stays locked until commit', { skip: POSTGRES_ONLY }, async (t) => {
  const [a, b, c] = [await decision(db, { status: 'adopted' }), await decision(db, { status: 'adopted' }), await decision(db)];
  await inTransaction(database, async (tx) => {
    t.equal((await findDecisionRow(tx, a.id, true))?.id, a.id);
    t.equal(await lockedElsewhere(database, 'decisions', a.id), true);
    t.equal(await lockedElsewhere(database, 'decisions', b.id), false);
  });
  await inTransaction(database, async (tx) => {
    await findDecisionRow(tx, a.id);
    t.equal(await lockedElsewhere(database, 'decisions', a.id), false, 'not when found plainly');
  });
  await inTransaction(database, async (tx) => {
    t.equal((await lockAndLoadAggregate(tx, b.id))?.decision.id, b.id);
    await t.rejects(lockAndLoadAggregate(tx, UNKNOWN), { code: 'RESOURCE_NOT_FOUND' }, 'an unknown decision is 404');
    t.equal(await lockedElsewhere(database, 'decisions', b.id), true);
  });
  await inTransaction(database, async (tx) => {
    await lockDecisionsInIdOrder(tx, [c.id, UNKNOWN, a.id]);
    t.same([await lockedElsewhere(database, 'decisions', a.id), await lockedElsewhere(database, 'decisions', b.id), await lockedElsewhere(database, 'decisions', c.id)], [true, false, true]);
  });
  t.equal(await statementsSent(database, () => inTransaction(database, (tx) => lockDecisionsInIdOrder(tx, []))), 2, 'no ids: only BEGIN and COMMIT');
});

t.test('due conditions held by another check are skipped, not waited for', { skip: POSTGRES_ONLY }, async (t) => {
  const d = await decision(db, { status: 'ratified', requiredMunicipalityIds: [heerlen] });
  const [held, free] = await insertConditions(db, d.id, [{ description: 'Held', dueDate: '2020-01-01' }, { description: 'Free', dueDate: '2020-01-02' }]);
  const client = await database.pool!.connect();
  try {
    await client.query('begin');
    await client.query('select 1 from decision_conditions where id = $1 for update', [held!.id]);
    const picked = await inTransaction(database, (tx) => lockConditionsDueBefore(tx, '2020-02-01', ['ratified'], 10));
    t.same(picked.map((c) => c.id), [free!.id]);
  } finally {
    await client.query('rollback');
    client.release();
  }
});
