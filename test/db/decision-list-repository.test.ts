import { sql } from 'drizzle-orm';
import t from 'tap';
import { listAggregates, type DecisionFilter } from '../../src/db/decision-list-repository.js';
import { conditions, votes } from '../../src/db/schema.js';
import { checkKeysetPages, decision, organisation, programme, repositoryDatabase } from '../helpers/register-rows.js';

/**
 * The decision list: keyset pages of whole decisions (children in their order), each filter on
 * its own and with others. Status, programme and year run through statements prepared per
 * shape; every other filter through a statement built per request: both kinds are exercised.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const TODAY = '2026-03-01';
const [heerlen, maastricht] = [await organisation(db, { kind: 'municipality', centreMunicipality: true }), await organisation(db, { kind: 'municipality', centreMunicipality: true })];
const applicant = await organisation(db);
const [wtmr, amkb] = [await programme(db), await programme(db)];
const both = [heerlen, maastricht];

const d = {
  draft: await decision(db, { commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000 }], boardMeetingDate: '2026-01-10', reference: 'PB-DRAFT' }),
  adopted: await decision(db, { status: 'adopted', commitments: [{ programmeId: amkb, year: 2027, amountCents: 2_000 }], applicantOrganisationId: applicant, splittingSuspected: true }),
  overdue: await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: both, ratificationDueDate: '2026-02-28', commitments: [{ programmeId: wtmr, year: 2027, amountCents: 20_000_000 }], boardMeetingDate: '2026-02-10' }),
  dueToday: await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: both, ratificationDueDate: TODAY, commitments: [{ programmeId: amkb, year: 2026, amountCents: 30_000_000 }, { programmeId: wtmr, year: 2026, amountCents: 1 }] }),
  votedByHeerlen: await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: both, commitments: [{ programmeId: wtmr, year: 2026, amountCents: 40_000_000 }], splittingSuspected: false }),
  onlyMaastricht: await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: [maastricht], commitments: [{ programmeId: wtmr, year: 2028, amountCents: 50_000_000 }], boardMeetingDate: '2026-03-20' }),
};
await db.insert(votes).values({ decisionId: d.votedByHeerlen.id, municipalityId: heerlen, outcome: 'approve', decidedOn: '2026-02-20' });
await db.insert(conditions).values([
  { decisionId: d.adopted.id, position: 1, description: 'Tweede', dueDate: '2026-05-01' },
  { decisionId: d.adopted.id, position: 0, description: 'Eerste', dueDate: '2026-04-01' },
]);
const ALL = Object.values(d).map((x) => x.id);

const ids = async (filter: DecisionFilter) => (await listAggregates(db, filter, undefined, 50, TODAY)).map((a) => a.id);
const pick = (...names: (keyof typeof d)[]) => names.map((name) => d[name].id);

t.test('unfiltered, every decision in (createdAt, id) order, with its children in their order', async (t) => {
  await checkKeysetPages(t, ALL, (after, limit) => listAggregates(db, {}, after, limit, TODAY));
  const [adopted] = await listAggregates(db, { status: 'adopted' }, undefined, 10, TODAY);
  t.same(adopted?.conditions.map((c) => c.description), ['Eerste', 'Tweede'], 'conditions by position');
  t.same(adopted?.commitments.map((c) => c.amountCents), [2_000]);
  const [dueToday] = await listAggregates(db, { status: 'pending_ratification', year: 2026, programmeId: amkb }, undefined, 10, TODAY);
  t.same(dueToday?.commitments.map((c) => c.amountCents), [30_000_000, 1], 'commitments by position');
  t.equal(dueToday?.amendedTotalCents, null);
});

t.test('status, programme and year: the prepared shapes', async (t) => {
  t.same(await ids({ status: 'pending_ratification' }), pick('overdue', 'dueToday', 'votedByHeerlen', 'onlyMaastricht'));
  t.same(await ids({ programmeId: amkb }), pick('adopted', 'dueToday'));
  t.same(await ids({ year: 2026 }), pick('draft', 'dueToday', 'votedByHeerlen'));
  t.same(await ids({ programmeId: wtmr, year: 2026 }), pick('draft', 'dueToday', 'votedByHeerlen'), 'one commitment of the programme in the year suffices');
  t.same(await ids({ programmeId: amkb, year: 2027 }), pick('adopted'));
  t.same(await ids({ status: 'adopted', programmeId: wtmr }), []);
  t.same((await listAggregates(db, { status: 'pending_ratification' }, undefined, 1, TODAY)).map((a) => a.id), pick('overdue', 'dueToday'), 'a page of one and the sign of the next');
  const [first] = await listAggregates(db, { status: 'pending_ratification' }, undefined, 1, TODAY);
  t.same((await listAggregates(db, { status: 'pending_ratification' }, first, 10, TODAY)).map((a) => a.id), pick('dueToday', 'votedByHeerlen', 'onlyMaastricht'), 'after a position');
});

t.test('the other filters, each on its own', async (t) => {
  t.same(await ids({ awaitingVoteOf: heerlen }), pick('overdue', 'dueToday'), 'pending, requiring Heerlen, not yet voted by it');
  t.same(await ids({ awaitingVoteOf: maastricht }), pick('overdue', 'dueToday', 'votedByHeerlen'), 'not onlyMaastricht: its board meeting lies after today');
  t.ok((await listAggregates(db, { awaitingVoteOf: maastricht }, undefined, 50, '2026-03-20')).some((a) => a.id === pick('onlyMaastricht')[0]), 'on its board meeting day it awaits Maastricht');
  t.same(await ids({ municipalityId: heerlen }), pick('overdue', 'dueToday', 'votedByHeerlen'), 'requiring Heerlen, voted or not');
  t.same(await ids({ applicantOrganisationId: applicant }), pick('adopted'));
  t.same(await ids({ reference: 'PB-DRAFT' }), pick('draft'));
  t.same(await ids({ boardMeetingDateFrom: '2026-02-10' }), pick('overdue', 'onlyMaastricht'), 'from: on or after');
  t.same(await ids({ boardMeetingDateTo: '2026-02-10' }), pick('draft', 'adopted', 'overdue', 'dueToday', 'votedByHeerlen'), 'to: on or before');
  t.same(await ids({ splittingSuspected: true }), pick('adopted'));
  t.same(await ids({ splittingSuspected: false }), ALL.filter((id) => id !== d.adopted.id), 'not suspected: false or never checked');
  t.same(await ids({ ratificationOverdue: true }), pick('overdue'), 'pending past its due date; due today is not overdue');
  t.same(await ids({ ratificationOverdue: false }), ALL.filter((id) => id !== d.overdue.id), 'everything else, without a due date too');
});

t.test('the other filters together, with the prepared ones, and paged', async (t) => {
  t.same(await ids({ status: 'pending_ratification', municipalityId: heerlen, year: 2027 }), pick('overdue'));
  t.same(await ids({ awaitingVoteOf: heerlen, ratificationOverdue: false, programmeId: amkb }), pick('dueToday'));
  t.same(await ids({ municipalityId: maastricht, boardMeetingDateFrom: '2026-03-01', boardMeetingDateTo: '2026-03-31' }), pick('onlyMaastricht'));
  const expected = pick('overdue', 'dueToday', 'votedByHeerlen');
  await checkKeysetPages(t, expected, (after, limit) => listAggregates(db, { awaitingVoteOf: maastricht }, after, limit, TODAY));
});

t.test('an amendment carries the total of the decision it amends', async (t) => {
  const amendment = await decision(db, { amends: d.adopted.id, commitments: [{ programmeId: amkb, year: 2027, amountCents: 3_000 }], reference: 'PB-AMEND' });
  const [listed] = await listAggregates(db, { reference: 'PB-AMEND' }, undefined, 10, TODAY);
  t.equal(listed?.id, amendment.id);
  t.equal(listed?.amendedTotalCents, 2_000);
  await db.execute(sql`delete from decision_commitments where decision_id = ${amendment.id}`);
  await db.execute(sql`delete from decisions where id = ${amendment.id}`);
});
