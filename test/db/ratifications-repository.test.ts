import t from 'tap';
import { listRatificationRows, recordReminders, votesOfDecisions } from '../../src/db/ratifications-repository.js';
import { insertVote } from '../../src/db/decisions-repository.js';
import { ratificationState, RATIFICATION_STATES, dueSoonUntil } from '../../src/domain/ratification-overview.js';
import { decision, organisation, programme, repositoryDatabase } from '../helpers/register-rows.js';
import { inTransaction } from '../../src/db/transaction.js';

/**
 * The rows of the overview and the reminders: every (pending decision, required municipality),
 * in due-date order, keyset pages, the state filter agreeing with the domain's state, and a
 * reminder recorded once.
 */
const database = await repositoryDatabase(t);
const db = database.db;
const names = new Map<string, string>();
for (const name of ['Gemeente A', 'Gemeente B']) names.set(await organisation(db, { kind: 'municipality', centreMunicipality: true, name }), name);
const [a, b] = [...names.keys()].sort();
const p = await programme(db);
const required = [a!, b!];
const pending = async (ratificationDueDate?: string) =>
  (await decision(db, { status: 'pending_ratification', requiredMunicipalityIds: required, commitments: [{ programmeId: p, year: 2026, amountCents: 20_000_000 }], ...(ratificationDueDate && { ratificationDueDate }) })).id;
const overdue = await pending('2026-03-31');
const soon = await pending('2026-04-09');
const later = await pending('2026-04-30');
const none = await pending();
await decision(db, { status: 'ratified', requiredMunicipalityIds: required });
await insertVote(db, { decisionId: soon, municipalityId: a!, outcome: 'approve', decidedOn: '2026-04-01' });
const today = '2026-04-02';
const days = [14, 3];
const filter = { today, dueSoonUntil: dueSoonUntil(today, days) };
const key = (d: string, m: string) => `${d}/${m}`;

t.test('one row per pending decision and required municipality, by due date (none last), decision, municipality', async (t) => {
  const rows = await listRatificationRows(db, filter, undefined, 100);
  t.same(rows.map((r) => key(r.decisionId, r.municipalityId)), [overdue, soon, later, none].flatMap((d) => required.map((m) => key(d, m))));
  t.match(rows[0], { dueDate: '2026-03-31', municipalityName: names.get(a!), totalAmountCents: 20_000_000, voted: false });
  t.equal(rows[7]!.dueDate, null);
  t.same(rows.filter((r) => r.voted).map((r) => key(r.decisionId, r.municipalityId)), [key(soon, a!)]);
  t.same((await listRatificationRows(db, { ...filter, municipalityId: b! }, undefined, 100)).map((r) => r.municipalityId), Array(4).fill(b));
  const pages = [];
  for (let after: Parameters<typeof listRatificationRows>[2]; ; ) {
    const page = await listRatificationRows(db, filter, after, 3);
    pages.push(...page);
    if (page.length < 3) break;
    after = page[page.length - 1];
  }
  t.same(pages, rows, 'keyset pages of 3 give every row once');
});

t.test("the state filter in SQL selects the rows whose domain state it names", async (t) => {
  const rows = await listRatificationRows(db, filter, undefined, 100);
  for (const state of RATIFICATION_STATES) {
    const selected = await listRatificationRows(db, { ...filter, state }, undefined, 100);
    t.same(selected, rows.filter((r) => ratificationState(r, today, days) === state), state);
  }
});

t.test('the votes of decisions, and a reminder recorded once', async (t) => {
  t.same([...(await votesOfDecisions(db, [soon, overdue])).entries()].map(([d, v]) => [d, v.map((x) => x.municipalityId)]), [[soon, [a]]]);
  t.equal((await votesOfDecisions(db, [])).size, 0);
  const reminder = { decisionId: later, municipalityId: b!, daysBefore: 14 };
  t.same(await inTransaction(database, (tx) => recordReminders(tx, [reminder])), [reminder]);
  t.same(await inTransaction(database, (tx) => recordReminders(tx, [reminder, { ...reminder, daysBefore: 3 }])), [{ ...reminder, daysBefore: 3 }], 'only the new one');
  t.same(await inTransaction(database, (tx) => recordReminders(tx, [])), []);
});
