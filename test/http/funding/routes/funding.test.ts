import { randomBytes, randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { CommitmentListItem } from '../../../../src/use-cases/decision-views.js';
import type { ProgrammeFunding } from '../../../../src/use-cases/funding.js';
import { startTestApp, type Client } from '../../../helpers/app.js';
import { expectStatus, okJson, problemOf } from '../../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createKey, createProgramme } from '../../../helpers/factories.js';
import { decisionStates } from '../../../helpers/decision-states.js';

/**
 * The money views: funding of a programme per year and the commitments list. Today
 * (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);

const { draftDecision, voteOn, inState } = decisionStates(admin, programme.id, centreIds);

async function funding(t: Test, programmeId: string, client: Client = admin): Promise<ProgrammeFunding> {
  const body = okJson<ProgrammeFunding>(t, await client.get(`/api/v1/programmes/${programmeId}/funding`));
  t.same(Object.keys(body).sort(), [
    'programmeId',
    'totalBindingCents',
    'totalCoFinancingCents',
    'totalDisbursedCents',
    'totalPendingCents',
    'totalReleasedCents',
    'totalRemainingCents',
    'years',
  ]);
  t.equal(body.programmeId, programmeId);
  return body;
}

/** The binding and pending money of the years that carry it: a year with nothing may or may not be listed. */
const withMoney = (f: ProgrammeFunding) =>
  f.years.filter((y) => y.bindingCents !== 0 || y.pendingCents !== 0).map(({ year, bindingCents, pendingCents }) => ({ year, bindingCents, pendingCents }));

// ---------------------------------------------------------------------------------------------
// Funding per programme
// ---------------------------------------------------------------------------------------------

const WTMR = [
  { year: 2026, amountCents: 14_000_000, purpose: 'Welcome to Maastricht Region 2026' },
  { year: 2027, amountCents: 25_000_000, purpose: 'Welcome to Maastricht Region 2027' },
];

t.test('WTMR: adopted, the money is pending per year; after the third approval it binds', async (t) => {
  const wtmr = await createProgramme(admin, { code: `WTMR-${randomBytes(2).toString('hex').toUpperCase()}`, name: 'Welcome to Maastricht Region' });
  const commitments = WTMR.map((c) => ({ ...c, programmeId: wtmr.id }));
  const draft = await draftDecision(admin, commitments);
  t.equal(draft.totalAmountCents, 39_000_000);

  const beforeAdoption = await funding(t, wtmr.id);
  t.same(withMoney(beforeAdoption), [], 'a draft contributes nothing');
  t.equal(beforeAdoption.totalBindingCents, 0);
  t.equal(beforeAdoption.totalPendingCents, 0);

  await adopt(admin, draft.id, 'pending_ratification');
  const pending = await funding(t, wtmr.id);
  t.same(withMoney(pending), [
    { year: 2026, bindingCents: 0, pendingCents: 14_000_000 },
    { year: 2027, bindingCents: 0, pendingCents: 25_000_000 },
  ]);
  t.equal(pending.totalBindingCents, 0);
  t.equal(pending.totalPendingCents, 39_000_000);

  await voteOn(draft.id, centre.heerlen.id, 'approve');
  await voteOn(draft.id, centre.sittardGeleen.id, 'approve');
  const twoApprovals = await funding(t, wtmr.id);
  t.same(twoApprovals, pending, 'still pending after two approvals');

  await voteOn(draft.id, centre.maastricht.id, 'approve');
  const bound = await funding(t, wtmr.id);
  t.same(withMoney(bound), [
    { year: 2026, bindingCents: 14_000_000, pendingCents: 0 },
    { year: 2027, bindingCents: 25_000_000, pendingCents: 0 },
  ]);
  t.equal(bound.totalBindingCents, 39_000_000);
  t.equal(bound.totalPendingCents, 0);

  const reader = ctx.as((await createKey(admin, 'reader')).key);
  t.same(await funding(t, wtmr.id, reader), bound, 'a reader key sees the same');
});

t.test('a rejected decision contributes nothing to the funding', async (t) => {
  const own = await createProgramme(admin);
  const decision = await inState('pending_ratification', WTMR.map((c) => ({ ...c, programmeId: own.id })));
  t.equal((await funding(t, own.id)).totalPendingCents, 39_000_000);
  await voteOn(decision.id, centre.heerlen.id, 'approve');
  await voteOn(decision.id, centre.maastricht.id, 'reject');
  const after = await funding(t, own.id);
  t.same(withMoney(after), []);
  t.equal(after.totalBindingCents, 0);
  t.equal(after.totalPendingCents, 0);
});

t.test('a withdrawn decision contributes nothing to the funding, whether withdrawn as draft or pending', async (t) => {
  const own = await createProgramme(admin);
  const pending = await inState('pending_ratification', WTMR.map((c) => ({ ...c, programmeId: own.id })));
  await inState('withdrawn', [{ programmeId: own.id, year: 2026, amountCents: 30_000_000 }]);
  expectStatus(await admin.post(`/api/v1/decisions/${pending.id}/withdraw`, { reason: 'Heroverweging' }), 200, 'withdraw');
  const after = await funding(t, own.id);
  t.same(withMoney(after), []);
  t.equal(after.totalBindingCents, 0);
  t.equal(after.totalPendingCents, 0);
});

t.test('a draft decision contributes nothing to the funding', async (t) => {
  const own = await createProgramme(admin);
  await inState('draft', [{ programmeId: own.id, year: 2026, amountCents: 1_000_000 }]);
  await inState('draft', [{ programmeId: own.id, year: 2027, amountCents: 50_000_000 }]);
  const after = await funding(t, own.id);
  t.same(withMoney(after), []);
  t.equal(after.totalBindingCents, 0);
  t.equal(after.totalPendingCents, 0);
});

t.test('a decision below the threshold binds its money at once on adoption', async (t) => {
  const own = await createProgramme(admin);
  const decision = await inState('adopted', [
    { programmeId: own.id, year: 2026, amountCents: 6_000_000 },
    { programmeId: own.id, year: 2027, amountCents: 3_999_999 },
  ]);
  t.equal(decision.totalAmountCents, 9_999_999);
  const after = await funding(t, own.id);
  t.same(withMoney(after), [
    { year: 2026, bindingCents: 6_000_000, pendingCents: 0 },
    { year: 2027, bindingCents: 3_999_999, pendingCents: 0 },
  ]);
  t.equal(after.totalBindingCents, 9_999_999);
  t.equal(after.totalPendingCents, 0);
});

t.test('funding adds up binding and pending money of several decisions per year, and only of this programme', async (t) => {
  const own = await createProgramme(admin);
  const other = await createProgramme(admin);
  await inState('adopted', [{ programmeId: own.id, year: 2026, amountCents: 2_000_000 }]);
  await inState('ratified', [
    { programmeId: own.id, year: 2026, amountCents: 10_000_000 },
    { programmeId: other.id, year: 2026, amountCents: 7_000_000 },
  ]);
  await inState('pending_ratification', [
    { programmeId: own.id, year: 2026, amountCents: 11_000_000 },
    { programmeId: own.id, year: 2028, amountCents: 500 },
  ]);
  await inState('rejected', [{ programmeId: own.id, year: 2027, amountCents: 12_000_000 }]);
  await inState('draft', [{ programmeId: own.id, year: 2029, amountCents: 100 }]);
  const after = await funding(t, own.id);
  t.same(withMoney(after), [
    { year: 2026, bindingCents: 12_000_000, pendingCents: 11_000_000 },
    { year: 2028, bindingCents: 0, pendingCents: 500 },
  ]);
  t.equal(after.totalBindingCents, 12_000_000);
  t.equal(after.totalPendingCents, 11_000_500);
  const others = await funding(t, other.id);
  t.same(withMoney(others), [{ year: 2026, bindingCents: 7_000_000, pendingCents: 0 }]);
});

t.test('funding of an unknown programme answers 404 RESOURCE_NOT_FOUND', async (t) => {
  problemOf(t, await admin.get(`/api/v1/programmes/${randomUUID()}/funding`), 404, 'RESOURCE_NOT_FOUND');
});

// ---------------------------------------------------------------------------------------------
// The commitments list
// ---------------------------------------------------------------------------------------------

interface CommitmentPage {
  items: CommitmentListItem[];
  nextCursor: string | null;
}

async function commitmentsPage(t: Test, query: string, client: Client = admin): Promise<CommitmentPage> {
  const page = okJson<CommitmentPage>(t, await client.get(`/api/v1/commitments?${query}`));
  t.same(Object.keys(page).sort(), ['items', 'nextCursor']);
  return page;
}

t.test('the commitments list filters by programme, year and binding, with the decision status and binding flag', async (t) => {
  const own = await createProgramme(admin);
  const decisions = {
    draft: await inState('draft', [{ programmeId: own.id, year: 2026, amountCents: 100 }]),
    pending: await inState('pending_ratification', [
      { programmeId: own.id, year: 2026, amountCents: 14_000_000, purpose: 'WTMR 2026' },
      { programmeId: own.id, year: 2027, amountCents: 25_000_000, purpose: 'WTMR 2027' },
    ]),
    adopted: await inState('adopted', [{ programmeId: own.id, year: 2027, amountCents: 300 }]),
    ratified: await inState('ratified', [{ programmeId: own.id, year: 2026, amountCents: 10_000_000 }]),
    rejected: await inState('rejected', [{ programmeId: own.id, year: 2028, amountCents: 10_000_001 }]),
    withdrawn: await inState('withdrawn', [{ programmeId: own.id, year: 2026, amountCents: 400 }]),
  };
  const expected: CommitmentListItem[] = Object.values(decisions).flatMap((decision) =>
    decision.commitments.map((c) => ({
      id: c.id,
      decisionId: decision.id,
      programmeId: own.id,
      year: c.year,
      amountCents: c.amountCents,
      purpose: c.purpose,
      finalAmountCents: null,
      disbursedCents: 0,
      decisionStatus: decision.status,
      binding: decision.status === 'adopted' || decision.status === 'ratified',
    })),
  );
  const byId = (items: CommitmentListItem[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));
  const select = (keep: (item: CommitmentListItem) => boolean) => byId(expected.filter(keep));

  const all = await commitmentsPage(t, `programmeId=${own.id}&limit=200`);
  t.equal(all.nextCursor, null);
  t.equal(all.items.length, 7);
  for (const item of all.items) {
    t.same(Object.keys(item).sort(), [
      'amountCents',
      'binding',
      'decisionId',
      'decisionStatus',
      'disbursedCents',
      'finalAmountCents',
      'id',
      'programmeId',
      'purpose',
      'year',
    ]);
  }
  t.same(byId(all.items), select(() => true), 'every commitment of the programme, with status and binding flag');

  t.same(byId((await commitmentsPage(t, `programmeId=${own.id}&year=2026`)).items), select((c) => c.year === 2026));
  t.same(byId((await commitmentsPage(t, `programmeId=${own.id}&year=2027`)).items), select((c) => c.year === 2027));
  const binding = (await commitmentsPage(t, `programmeId=${own.id}&binding=true`)).items;
  t.same(byId(binding), select((c) => c.binding));
  t.same(binding.map((c) => c.decisionStatus).sort(), ['adopted', 'ratified']);
  const notBinding = (await commitmentsPage(t, `programmeId=${own.id}&binding=false`)).items;
  t.same(byId(notBinding), select((c) => !c.binding));
  t.same(
    [...new Set(notBinding.map((c) => c.decisionStatus))].sort(),
    ['draft', 'pending_ratification', 'rejected', 'withdrawn'],
  );
  t.same(
    byId((await commitmentsPage(t, `programmeId=${own.id}&year=2026&binding=true`)).items),
    select((c) => c.year === 2026 && c.binding),
  );

  // After the last approvals the pending commitments bind.
  for (const id of centreIds) await voteOn(decisions.pending.id, id, 'approve');
  const nowBinding = (await commitmentsPage(t, `programmeId=${own.id}&binding=true&limit=200`)).items;
  t.equal(nowBinding.length, 4);
  t.same(
    nowBinding.filter((c) => c.decisionId === decisions.pending.id).map((c) => [c.decisionStatus, c.binding]),
    [
      ['ratified', true],
      ['ratified', true],
    ],
  );

  const reader = ctx.as((await createKey(admin, 'reader')).key);
  t.equal((await commitmentsPage(t, `programmeId=${own.id}`, reader)).items.length, 7, 'a reader key can list commitments');

  problemOf(t, await admin.get('/api/v1/commitments?binding=maybe'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/commitments?year=1999'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/commitments?programmeId=WTMR'), 400, 'VALIDATION_FAILED');
});

t.test('the commitments list pages by nextCursor, each commitment once', async (t) => {
  const own = await createProgramme(admin);
  const created: string[] = [];
  for (const amounts of [[1, 2], [3], [4, 5, 6], [7]]) {
    const decision = await draftDecision(
      admin,
      amounts.map((amountCents, i) => ({ programmeId: own.id, year: 2030 + i, amountCents })),
      [],
    );
    created.push(...decision.commitments.map((c) => c.id));
  }
  t.equal(created.length, 7);

  const seen: string[] = [];
  const sizes: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `programmeId=${own.id}&limit=3${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = await commitmentsPage(t, query);
    sizes.push(page.items.length);
    seen.push(...page.items.map((c) => c.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.same(sizes, [3, 3, 1]);
  t.equal(new Set(seen).size, 7, 'no commitment twice');
  t.same([...seen].sort(), [...created].sort(), 'every commitment once');
  t.equal(cursor, null, 'the last page has nextCursor null');

  const year = await commitmentsPage(t, `programmeId=${own.id}&year=2031&limit=1`);
  t.equal(year.items.length, 1);
  t.not(year.nextCursor, null, 'two commitments in 2031: another page');
  const rest = await commitmentsPage(t, `programmeId=${own.id}&year=2031&limit=1&cursor=${encodeURIComponent(year.nextCursor!)}`);
  t.equal(rest.items.length, 1);
  t.equal(rest.nextCursor, null);
  t.not(rest.items[0]!.id, year.items[0]!.id);

  problemOf(t, await admin.get('/api/v1/commitments?cursor=garbage'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/commitments?limit=0'), 400, 'VALIDATION_FAILED');
});
