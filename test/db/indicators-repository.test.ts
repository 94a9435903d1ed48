import { randomUUID } from 'node:crypto';
import t from 'tap';
import {
  findIndicator,
  findIndicatorIdsOf,
  insertIndicator,
  insertIndicatorReport,
  listIndicatorReports,
  listIndicators,
} from '../../src/db/indicators-repository.js';
import { checkKeysetPages, decision, repositoryDatabase, statementsSent } from '../helpers/register-rows.js';

/** A decision's indicators and their reports: found only under their own decision, paged, reported on. */
const database = await repositoryDatabase(t);
const db = database.db;
const wtmr = (await decision(db)).id;
const amkb = (await decision(db)).id;
const indicator = (decisionId: string, code: string) => insertIndicator(db, { decisionId, code, name: code, unit: 'aantal', targets: [{ period: '2026', value: 40 }] });
const placements = await indicator(wtmr, 'PLAATSINGEN');
const events = await indicator(wtmr, 'EVENEMENTEN');
const elsewhere = await indicator(amkb, 'PLAATSINGEN');

t.test('an indicator is found under its own decision only', async (t) => {
  t.same(await findIndicator(db, wtmr, placements.id), placements);
  t.equal(await findIndicator(db, amkb, placements.id), undefined, 'not under another decision');
  t.same(await findIndicatorIdsOf(db, wtmr, [placements.id, elsewhere.id, randomUUID()]), new Set([placements.id]));
  t.same(await findIndicatorIdsOf(db, wtmr, []), new Set());
  if (database.pool) t.equal(await statementsSent(database, () => findIndicatorIdsOf(db, wtmr, [])), 0, 'none asked: no statement');
});

t.test("a decision's indicators are paged by (createdAt, id)", async (t) => {
  const expected = [placements, events].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)).map((i) => i.id);
  await checkKeysetPages(t, expected, (after, limit) => listIndicators(db, wtmr, after, limit));
  t.same((await listIndicators(db, amkb, undefined, 10)).map((i) => i.id), [elsewhere.id]);
});

t.test('the reports of some indicators, in the order recorded; none asked, none read', async (t) => {
  const report = (indicatorId: string, period: string, value: number) => insertIndicatorReport(db, { indicatorId, period, value, reportedOn: '2026-07-01' });
  const first = await report(placements.id, '2026-Q1', 9);
  const second = await report(events.id, '2026-Q1', 2);
  const third = await report(placements.id, '2026-Q2', 12);
  await report(elsewhere.id, '2026-Q1', 1);
  t.same((await listIndicatorReports(db, [placements.id, events.id])).map((r) => r.id), [first.id, second.id, third.id]);
  t.same((await listIndicatorReports(db, [events.id])).map((r) => r.value), [2]);
  t.same(await listIndicatorReports(db, []), []);
  if (database.pool) t.equal(await statementsSent(database, () => listIndicatorReports(db, [])), 0, 'none asked: no statement');
});
