import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { RatificationItem } from '../../../src/use-cases/ratifications.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { expectStatus, okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, fundTheRegister, listAll } from '../../helpers/factories.js';

/**
 * GET /ratifications: one item per pending decision and municipality it requires, ordered by
 * due date then decision, with the state of the domain; the state filter (SQL) agrees with the
 * states the items show; keyset pages; a college key sees its own municipality only.
 */
const at = (day: string) => fixedClock(`${day}T12:00:00Z`);
const first = await startTestApp(t, { clock: at('2026-03-01') });
const { admin } = first;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, maastricht.id);
const programme = await createProgramme(admin);
expectStatus(await admin.post('/api/v1/statute-rules', {
  effectiveFrom: '2026-03-01',
  thresholdCents: 10_000_000,
  splitting: { scope: 'none', action: 'flag' },
  ratificationPeriodDays: 30,
  reference: 'Statuten ESZL: the colleges decide within 30 days',
}), 201, 'statute rule');

async function pendingOn(day: string, boardMeetingDate = day) {
  const app = day === '2026-03-01' ? first : await startTestApp(t, { clock: at(day), database: first.db });
  const draft = await createDecision(app.admin, {
    reference: `RAT-${day}-${randomUUID().slice(0, 6)}`,
    title: `Decision of ${day}`,
    boardMeetingDate,
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }],
  });
  return adopt(app.admin, draft.id, 'pending_ratification');
}

const due0331 = await pendingOn('2026-03-01');
const due0409 = await pendingOn('2026-03-10');
const due0419 = await pendingOn('2026-03-20');
const noDueDate = await pendingOn('2026-03-20', '2026-02-20'); // under the rule of before 2026-03-01: no period
const bound = await createDecision(admin, { reference: `SMALL-${randomUUID()}`, title: 'Small', boardMeetingDate: '2026-03-01', commitments: [{ programmeId: programme.id, year: 2026, amountCents: 100 }] });
await adopt(admin, bound.id, 'adopted');

const check = await startTestApp(t, { clock: at('2026-04-02'), database: first.db });
const maastrichtKey = (await createKey(admin, 'college', maastricht.id)).key;
expectStatus(await check.as(maastrichtKey).post(`/api/v1/decisions/${due0419.id}/votes`, { municipalityId: maastricht.id, outcome: 'approve', decidedOn: '2026-04-01' }), 201, 'vote');
const municipalities = [heerlen, sittardGeleen, maastricht].sort((a, b) => a.id.localeCompare(b.id));

const list = (client: Client, query = '') => listAll<RatificationItem>(client, `/api/v1/ratifications${query}`, 5);

t.test('one item per pending decision and required municipality, by due date then decision, with state and days left', async (t) => {
  const items = await list(check.admin);
  t.same(
    items.map((i) => [i.decisionId, i.municipality.id]),
    [due0331, due0409, due0419, noDueDate].flatMap((d) => municipalities.map((m) => [d.id, m.id])),
    'ordered by due date (none last), then decision, then municipality; the decision that bound at once is absent',
  );
  const byDecision = (id: string) => items.filter((i) => i.decisionId === id);
  t.same(byDecision(due0331.id).map((i) => [i.state, i.dueDate, i.daysLeft]), Array(3).fill(['overdue', '2026-03-31', -2]));
  t.same(byDecision(due0409.id).map((i) => [i.state, i.daysLeft]), Array(3).fill(['due_soon', 7]));
  t.same(
    byDecision(due0419.id).map((i) => [i.municipality.id, i.state, i.daysLeft]),
    municipalities.map((m) => [m.id, m.id === maastricht.id ? 'voted' : 'awaiting', 17]),
    'due in 17 days, more than the largest reminder day (14): awaiting; Maastricht voted',
  );
  t.same(byDecision(noDueDate.id).map((i) => [i.state, i.dueDate, i.daysLeft]), Array(3).fill(['awaiting', null, null]));
  const maastrichtItem = byDecision(due0419.id).find((i) => i.municipality.id === maastricht.id)!;
  t.match(maastrichtItem, { municipality: { name: 'Gemeente Maastricht' }, vote: { municipalityId: maastricht.id, outcome: 'approve', decidedOn: '2026-04-01' }, totalAmountCents: 20_000_000, reference: due0419.reference, title: due0419.title });
  t.ok(byDecision(due0419.id).every((i) => i.votes.length === 1 && i.votes[0]!.municipalityId === maastricht.id), 'every item shows the votes cast so far');
  t.ok(byDecision(due0419.id).filter((i) => i.municipality.id !== maastricht.id).every((i) => i.vote === null));
});

t.test('the state filter selects exactly the items that show that state', async (t) => {
  const all = await list(check.admin);
  for (const state of ['awaiting', 'due_soon', 'overdue', 'voted'] as const) {
    const filtered = await list(check.admin, `?state=${state}`);
    t.same(filtered, all.filter((i) => i.state === state), `state=${state}`);
    t.ok(filtered.length > 0, `some items are ${state}`);
  }
  const heerlenOnly = await list(check.admin, `?municipalityId=${heerlen.id}&state=overdue`);
  t.same(heerlenOnly.map((i) => [i.decisionId, i.municipality.id]), [[due0331.id, heerlen.id]]);
});

t.test('RATIFICATION_REMINDER_DAYS sets where due_soon starts', async (t) => {
  const wide = await startTestApp(t, { clock: at('2026-04-02'), database: first.db, env: { RATIFICATION_REMINDER_DAYS: '20,3' } });
  const items = await list(wide.admin, '?state=due_soon');
  t.same([...new Set(items.map((i) => i.decisionId))], [due0409.id, due0419.id], 'within 20 days: both');
});

t.test('pages follow the order without gaps or repeats', async (t) => {
  const all = await list(check.admin);
  const paged: RatificationItem[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: RatificationItem[]; nextCursor: string | null } = okJson(t, await check.admin.get(`/api/v1/ratifications?limit=4${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`));
    t.ok(page.items.length <= 4);
    paged.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  t.same(paged, all);
  problemOf(t, await check.admin.get('/api/v1/ratifications?cursor=bm90LWEtY3Vyc29y'), 400, 'VALIDATION_FAILED');
  problemOf(t, await check.admin.get('/api/v1/ratifications?limit=201'), 400, 'VALIDATION_FAILED');
  problemOf(t, await check.admin.get('/api/v1/ratifications?state=late&municipalityId=x'), 400, 'VALIDATION_FAILED');
});

t.test('a college key sees its own municipality only; every role reads', async (t) => {
  const college = check.as(maastrichtKey);
  const own = await list(college);
  t.equal(own.length, 4);
  t.ok(own.every((i) => i.municipality.id === maastricht.id));
  t.same(await list(college, `?municipalityId=${maastricht.id}`), own);
  problemOf(t, await college.get(`/api/v1/ratifications?municipalityId=${heerlen.id}`), 403, 'FORBIDDEN');
  for (const role of ['secretariat', 'auditor', 'reader']) {
    const client = check.as((await createKey(admin, role)).key);
    t.equal((await list(client)).length, 12, `${role} sees all`);
  }
});
