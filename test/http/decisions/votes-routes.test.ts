import { randomBytes, randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../../src/domain/clock.js';
import type { Decision, Vote } from '../../../src/use-cases/decision-views.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { expectStatus, okJson, problemOf, RFC3339_UTC, sortedErrorPaths, UUID } from '../../helpers/assertions.js';
import {
  adopt,
  createCentreMunicipalities,
  createDecision,
  createKey,
  createOrganisation,
  createProgramme,
  getDecision,
} from '../../helpers/factories.js';

/**
 * Ratification votes over HTTP: the contract's check table row by row and in its order (when two
 * checks fail, the earlier one answers), settling a decision, and reading the votes back.
 * Today (Europe/Amsterdam) is pinned to 2026-03-01; decisions are taken on 2026-02-10.
 */
const TODAY = '2026-03-01';
const TOMORROW = '2026-03-02';
const BOARD_MEETING = '2026-02-10';
const DAY_BEFORE_BOARD_MEETING = '2026-02-09';

const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const centreIds = [heerlen.id, sittardGeleen.id, maastricht.id];
const programme = await createProgramme(admin);
const applicant = await createOrganisation(admin, { kind: 'applicant', name: 'Stichting WTMR' });

const college = {
  heerlen: ctx.as((await createKey(admin, 'college', heerlen.id)).key),
  sittardGeleen: ctx.as((await createKey(admin, 'college', sittardGeleen.id)).key),
  maastricht: ctx.as((await createKey(admin, 'college', maastricht.id)).key),
};
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
const auditor = ctx.as((await createKey(admin, 'auditor')).key);
const reader = ctx.as((await createKey(admin, 'reader')).key);

const VOTE_FIELDS = ['id', 'decisionId', 'municipalityId', 'outcome', 'decidedOn', 'reference', 'note', 'castAt', 'collegeDecisionId'];

/** A vote cast: 201 with the vote as JSON. */
const created = (t: Test, res: LightMyRequestResponse): Vote => okJson<Vote>(t, res, 201);

function draftDecision(client: Client, amounts: number[], extra: Record<string, unknown> = {}): Promise<Decision> {
  return createDecision(client, {
    reference: `PB-${randomBytes(5).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate: BOARD_MEETING,
    applicantOrganisationId: applicant.id,
    commitments: amounts.map((amountCents, i) => ({ programmeId: programme.id, year: 2026 + i, amountCents })),
    ...extra,
  });
}

/** EUR 140,000 + EUR 250,000: needs the three colleges. */
async function pendingDecision(): Promise<Decision> {
  return adopt(admin, (await draftDecision(admin, [14_000_000, 25_000_000])).id, 'pending_ratification');
}

async function votesOf(id: string): Promise<Vote[]> {
  const res = await admin.get(`/api/v1/decisions/${id}/votes`);
  expectStatus(res, 200, 'list votes');
  return res.json<{ items: Vote[] }>().items;
}

function castVote(client: Client, decisionId: string, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return client.post(`/api/v1/decisions/${decisionId}/votes`, body);
}

const approve = (municipalityId: string, decidedOn = TODAY) => ({ municipalityId, outcome: 'approve', decidedOn });
const reject = (municipalityId: string, decidedOn = TODAY) => ({ municipalityId, outcome: 'reject', decidedOn });

// ---------------------------------------------------------------------------------------------
// Row 1: who may vote (403 before anything else)
// ---------------------------------------------------------------------------------------------

t.test('secretariat, auditor and reader keys may not vote: 403 FORBIDDEN, even with an invalid body', async (t) => {
  const decision = await pendingDecision();
  for (const [role, client] of Object.entries({ secretariat, auditor, reader })) {
    problemOf(t, await castVote(client, decision.id, approve(heerlen.id)), 403, 'FORBIDDEN');
    problemOf(t, await castVote(client, decision.id, { outcome: 'perhaps' }), 403, 'FORBIDDEN');
    problemOf(t, await castVote(client, randomUUID(), approve(heerlen.id)), 403, 'FORBIDDEN');
    t.same(await votesOf(decision.id), [], `${role}: no vote recorded`);
  }
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification');
});

t.test('a college key of Heerlen voting for Maastricht answers 403, before the body is validated', async (t) => {
  const decision = await pendingDecision();
  problemOf(t, await castVote(college.heerlen, decision.id, approve(maastricht.id)), 403, 'FORBIDDEN');
  problemOf(t, await castVote(college.heerlen, decision.id, reject(maastricht.id)), 403, 'FORBIDDEN');
  // Missing outcome and a bad date: still 403, since 403 comes first.
  problemOf(t, await castVote(college.heerlen, decision.id, { municipalityId: maastricht.id, decidedOn: 'gisteren' }), 403, 'FORBIDDEN');
  // Unknown decision: still 403.
  problemOf(t, await castVote(college.heerlen, randomUUID(), approve(maastricht.id)), 403, 'FORBIDDEN');
  // An applicant (not a centre municipality) is another organisation too.
  problemOf(t, await castVote(college.heerlen, decision.id, approve(applicant.id)), 403, 'FORBIDDEN');
  t.same(await votesOf(decision.id), [], 'no vote recorded');
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification');
});

t.test('without a key a vote answers 401', async (t) => {
  const decision = await pendingDecision();
  problemOf(t, await castVote(ctx.as(undefined), decision.id, approve(heerlen.id)), 401, 'UNAUTHENTICATED');
  t.same(await votesOf(decision.id), []);
});

// ---------------------------------------------------------------------------------------------
// Row 2: schema (400), before existence and state
// ---------------------------------------------------------------------------------------------

t.test('a college key of Heerlen with an invalid body answers 400 listing every problem', async (t) => {
  const decision = await pendingDecision();
  const problem = problemOf(
    t,
    await castVote(college.heerlen, decision.id, { municipalityId: heerlen.id, outcome: 'abstain' }),
    400,
    'VALIDATION_FAILED',
  );
  t.same(sortedErrorPaths(problem), ['/decidedOn', '/outcome'], 'bad outcome and missing decidedOn, both at once');

  const more = problemOf(
    t,
    await castVote(college.heerlen, decision.id, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: '2026-02-30', extra: 1 }),
    400,
    'VALIDATION_FAILED',
  );
  t.same(sortedErrorPaths(more), ['/decidedOn', '/extra']);
  t.same(await votesOf(decision.id), [], 'no vote recorded');
});

t.test('an invalid body answers 400 before an unknown decision (404) or a wrong state (409)', async (t) => {
  const invalid = { municipalityId: heerlen.id, outcome: 'approve' };
  problemOf(t, await castVote(college.heerlen, randomUUID(), invalid), 400, 'VALIDATION_FAILED');
  problemOf(t, await castVote(admin, randomUUID(), invalid), 400, 'VALIDATION_FAILED');
  const draft = await draftDecision(admin, [20_000_000]);
  problemOf(t, await castVote(admin, draft.id, invalid), 400, 'VALIDATION_FAILED');
  problemOf(t, await castVote(admin, draft.id, { municipalityId: 'heerlen', outcome: 'approve', decidedOn: TODAY }), 400, 'VALIDATION_FAILED');
});

// ---------------------------------------------------------------------------------------------
// Row 3: unknown decision (404), before state and the rest
// ---------------------------------------------------------------------------------------------

t.test('a valid vote on an unknown decision answers 404 RESOURCE_NOT_FOUND', async (t) => {
  problemOf(t, await castVote(college.heerlen, randomUUID(), approve(heerlen.id)), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await castVote(admin, randomUUID(), approve(maastricht.id)), 404, 'RESOURCE_NOT_FOUND');
  // A municipality that would not be required and a date out of range: 404 still comes first.
  problemOf(t, await castVote(admin, randomUUID(), approve(applicant.id, TOMORROW)), 404, 'RESOURCE_NOT_FOUND');
});

// ---------------------------------------------------------------------------------------------
// Row 4: decision not pending_ratification (409)
// ---------------------------------------------------------------------------------------------

t.test('a vote on a draft, an adopted (below threshold) or a withdrawn decision answers 409', async (t) => {
  const draft = await draftDecision(admin, [20_000_000]);
  const adopted = await adopt(admin, (await draftDecision(admin, [9_999_999])).id, 'adopted');
  const withdrawnDraft = await draftDecision(admin, [20_000_000]);
  expectStatus(await admin.post(`/api/v1/decisions/${withdrawnDraft.id}/withdraw`, { reason: 'Ingetrokken' }), 200, 'withdraw');
  const withdrawnPending = await pendingDecision();
  expectStatus(await admin.post(`/api/v1/decisions/${withdrawnPending.id}/withdraw`, { reason: 'Ingetrokken' }), 200, 'withdraw');

  const cases: [string, Decision][] = [
    ['draft', draft],
    ['adopted', adopted],
    ['withdrawn draft', withdrawnDraft],
    ['withdrawn pending', withdrawnPending],
  ];
  for (const [name, decision] of cases) {
    problemOf(t, await castVote(college.heerlen, decision.id, approve(heerlen.id)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
    problemOf(t, await castVote(admin, decision.id, reject(maastricht.id)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
    // Later checks failing as well: the state check still answers.
    problemOf(t, await castVote(admin, decision.id, approve(applicant.id)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
    problemOf(t, await castVote(admin, decision.id, approve(heerlen.id, TOMORROW)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
    t.same(await votesOf(decision.id), [], `${name}: no vote recorded`);
  }
  t.equal((await getDecision(admin, draft.id)).status, 'draft');
  t.equal((await getDecision(admin, adopted.id)).status, 'adopted');
  t.same((await getDecision(admin, adopted.id)).ratification.requiredMunicipalityIds, []);
});

// ---------------------------------------------------------------------------------------------
// Row 5: municipality not required (400)
// ---------------------------------------------------------------------------------------------

t.test('a vote for a municipality outside requiredMunicipalityIds answers 400 VOTE_MUNICIPALITY_NOT_REQUIRED', async (t) => {
  const decision = await pendingDecision();
  const byApplicant = problemOf(t, await castVote(admin, decision.id, approve(applicant.id)), 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED');
  t.same(sortedErrorPaths(byApplicant), ['/municipalityId']);
  problemOf(t, await castVote(admin, decision.id, reject(randomUUID())), 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED');
  // Also a date out of range: the municipality check comes first.
  problemOf(t, await castVote(admin, decision.id, approve(applicant.id, TOMORROW)), 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED');
  problemOf(t, await castVote(admin, decision.id, approve(randomUUID(), DAY_BEFORE_BOARD_MEETING)), 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED');
  t.same(await votesOf(decision.id), [], 'no vote recorded');
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification');
});

// ---------------------------------------------------------------------------------------------
// Row 6: decidedOn between the board meeting and today (400)
// ---------------------------------------------------------------------------------------------

t.test('decidedOn one day before the board meeting answers 400 VOTE_DATE_OUT_OF_RANGE; on the board meeting 201', async (t) => {
  const decision = await pendingDecision();
  const early = problemOf(t, await castVote(admin, decision.id, approve(heerlen.id, DAY_BEFORE_BOARD_MEETING)), 400, 'VOTE_DATE_OUT_OF_RANGE');
  t.same(sortedErrorPaths(early), ['/decidedOn']);
  t.same(await votesOf(decision.id), [], 'the refused vote was not recorded');
  const vote = created(t, await castVote(admin, decision.id, approve(heerlen.id, BOARD_MEETING)));
  t.equal(vote.decidedOn, BOARD_MEETING);
});

t.test('decidedOn after today answers 400 VOTE_DATE_OUT_OF_RANGE; today answers 201', async (t) => {
  const decision = await pendingDecision();
  const late = problemOf(t, await castVote(college.sittardGeleen, decision.id, reject(sittardGeleen.id, TOMORROW)), 400, 'VOTE_DATE_OUT_OF_RANGE');
  t.same(sortedErrorPaths(late), ['/decidedOn']);
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification', 'the refused rejection did not reject');
  const vote = created(t, await castVote(college.sittardGeleen, decision.id, approve(sittardGeleen.id, TODAY)));
  t.equal(vote.decidedOn, TODAY);
});

t.test('a date out of range answers 400 before "already voted" (409)', async (t) => {
  const decision = await pendingDecision();
  created(t, await castVote(admin, decision.id, approve(heerlen.id)));
  problemOf(t, await castVote(admin, decision.id, approve(heerlen.id, TOMORROW)), 400, 'VOTE_DATE_OUT_OF_RANGE');
  problemOf(t, await castVote(admin, decision.id, reject(heerlen.id, DAY_BEFORE_BOARD_MEETING)), 400, 'VOTE_DATE_OUT_OF_RANGE');
});

// ---------------------------------------------------------------------------------------------
// Row 7: votes are final (409)
// ---------------------------------------------------------------------------------------------

t.test('a second vote of the same municipality answers 409 VOTE_ALREADY_CAST', async (t) => {
  const decision = await pendingDecision();
  const first = created(t, await castVote(college.heerlen, decision.id, approve(heerlen.id)));
  problemOf(t, await castVote(college.heerlen, decision.id, approve(heerlen.id)), 409, 'VOTE_ALREADY_CAST');
  problemOf(t, await castVote(college.heerlen, decision.id, reject(heerlen.id)), 409, 'VOTE_ALREADY_CAST');
  problemOf(t, await castVote(admin, decision.id, reject(heerlen.id, BOARD_MEETING)), 409, 'VOTE_ALREADY_CAST');
  t.same(await votesOf(decision.id), [first], 'only the first vote is on record');
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification', 'the refused rejection did not reject');
});

// ---------------------------------------------------------------------------------------------
// Settling a decision
// ---------------------------------------------------------------------------------------------

t.test('three approvals ratify a decision after the third, not before', async (t) => {
  const decision = await pendingDecision();
  created(t, await castVote(college.heerlen, decision.id, approve(heerlen.id)));
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification', 'after one approval');
  created(t, await castVote(college.maastricht, decision.id, approve(maastricht.id)));
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification', 'after two approvals');
  created(t, await castVote(college.sittardGeleen, decision.id, approve(sittardGeleen.id)));
  const ratified = await getDecision(admin, decision.id);
  t.equal(ratified.status, 'ratified', 'after the third approval');
  t.equal(ratified.ratification.votes.length, 3);
});

t.test('approve, approve, then reject rejects the decision', async (t) => {
  const decision = await pendingDecision();
  created(t, await castVote(admin, decision.id, approve(heerlen.id)));
  created(t, await castVote(admin, decision.id, approve(sittardGeleen.id)));
  t.equal((await getDecision(admin, decision.id)).status, 'pending_ratification');
  created(t, await castVote(college.maastricht, decision.id, reject(maastricht.id)));
  t.equal((await getDecision(admin, decision.id)).status, 'rejected');
});

t.test('a first rejection rejects at once, and every further vote answers 409', async (t) => {
  const decision = await pendingDecision();
  created(t, await castVote(college.sittardGeleen, decision.id, reject(sittardGeleen.id)));
  t.equal((await getDecision(admin, decision.id)).status, 'rejected');
  problemOf(t, await castVote(college.heerlen, decision.id, approve(heerlen.id)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await castVote(admin, decision.id, approve(maastricht.id)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await castVote(college.sittardGeleen, decision.id, approve(sittardGeleen.id)), 409);
  t.equal((await votesOf(decision.id)).length, 1);
  t.equal((await getDecision(admin, decision.id)).status, 'rejected');
  problemOf(t, await admin.post(`/api/v1/decisions/${decision.id}/withdraw`, { reason: 'Te laat' }), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
});

t.test('after ratification every vote answers 409 and so does withdrawing', async (t) => {
  const decision = await pendingDecision();
  for (const id of centreIds) created(t, await castVote(admin, decision.id, approve(id)));
  const ratified = await getDecision(admin, decision.id);
  t.equal(ratified.status, 'ratified');
  for (const id of centreIds) {
    problemOf(t, await castVote(admin, decision.id, reject(id)), 409);
  }
  problemOf(t, await castVote(college.heerlen, decision.id, reject(heerlen.id)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await castVote(admin, decision.id, approve(applicant.id)), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await admin.post(`/api/v1/decisions/${decision.id}/withdraw`, { reason: 'Te laat' }), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  t.same(await getDecision(admin, decision.id), ratified, 'the ratified decision is unchanged');
});

// ---------------------------------------------------------------------------------------------
// Who may vote, and the votes read back
// ---------------------------------------------------------------------------------------------

t.test('the admin key can vote for any required municipality', async (t) => {
  const decision = await pendingDecision();
  for (const id of centreIds) {
    const vote = created(t, await castVote(admin, decision.id, approve(id)));
    t.equal(vote.municipalityId, id);
  }
  t.equal((await getDecision(admin, decision.id)).status, 'ratified');
});

t.test('a college key votes for its own municipality: 201 with the whole vote', async (t) => {
  const decision = await pendingDecision();
  const res = await castVote(college.maastricht, decision.id, {
    municipalityId: maastricht.id,
    outcome: 'approve',
    decidedOn: '2026-02-24',
    reference: 'B&W Maastricht 2026/114',
    note: 'Akkoord onder voorbehoud van evaluatie',
  });
  const vote = created(t, res);
  t.hasOwnProps(vote, VOTE_FIELDS);
  t.same(Object.keys(vote).sort(), [...VOTE_FIELDS].sort(), 'exactly the contract fields');
  t.match(vote.id, UUID);
  t.equal(vote.decisionId, decision.id);
  t.equal(vote.municipalityId, maastricht.id);
  t.equal(vote.outcome, 'approve');
  t.equal(vote.decidedOn, '2026-02-24');
  t.equal(vote.reference, 'B&W Maastricht 2026/114');
  t.equal(vote.note, 'Akkoord onder voorbehoud van evaluatie');
  t.match(vote.castAt, RFC3339_UTC);

  const bare = created(t, await castVote(college.heerlen, decision.id, reject(heerlen.id)));
  t.equal(bare.reference, null, 'reference null when left out');
  t.equal(bare.note, null, 'note null when left out');
  t.equal((await getDecision(admin, decision.id)).status, 'rejected');
});

t.test('a college key may leave out municipalityId: the vote is its own municipality\'s; any other key must name one', async (t) => {
  const decision = await pendingDecision();
  const own = created(t, await castVote(college.sittardGeleen, decision.id, { outcome: 'approve', decidedOn: TODAY }));
  t.equal(own.municipalityId, sittardGeleen.id, 'the college key\'s own municipality');
  const problem = problemOf(t, await castVote(admin, decision.id, { outcome: 'approve', decidedOn: TODAY }), 400, 'VALIDATION_FAILED');
  t.same(problem.paths, ['/municipalityId']);
  t.same((await votesOf(decision.id)).map((vote) => vote.municipalityId), [sittardGeleen.id], 'only the college\'s vote');
});

t.test('awaitingVoteOf=me lists what awaits a college key\'s own vote; for a key without a municipality it is 400', async (t) => {
  const decision = await pendingDecision();
  const list = async (client: Client, query: string) => (await client.get(`/api/v1/decisions?limit=200&${query}`)).json<{ items: Decision[] }>().items.map((d) => d.id);
  t.ok((await list(college.maastricht, 'awaitingVoteOf=me')).includes(decision.id), 'awaiting Maastricht');
  t.same(await list(college.maastricht, 'awaitingVoteOf=me'), await list(admin, `awaitingVoteOf=${maastricht.id}`), 'me is the key\'s municipality');
  created(t, await castVote(college.maastricht, decision.id, { outcome: 'approve', decidedOn: TODAY }));
  t.notOk((await list(college.maastricht, 'awaitingVoteOf=me')).includes(decision.id), 'no longer once it voted');
  const problem = problemOf(t, await admin.get('/api/v1/decisions?awaitingVoteOf=me'), 400, 'VALIDATION_FAILED');
  t.same(problem.paths, ['query.awaitingVoteOf']);
  problemOf(t, await admin.get('/api/v1/decisions?awaitingVoteOf=you'), 400, 'VALIDATION_FAILED');
});

t.test('GET votes lists them in acceptance order with every field, matching ratification.votes', async (t) => {
  const decision = await pendingDecision();
  const cast: Vote[] = [];
  cast.push(created(t, await castVote(college.sittardGeleen, decision.id, { ...approve(sittardGeleen.id, BOARD_MEETING), reference: 'SG-1' })));
  cast.push(created(t, await castVote(admin, decision.id, { ...approve(maastricht.id), note: 'Via secretariaat ingevoerd' })));
  cast.push(created(t, await castVote(college.heerlen, decision.id, approve(heerlen.id, '2026-02-27'))));

  const res = await reader.get(`/api/v1/decisions/${decision.id}/votes`);
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const page = res.json<{ items: Vote[]; nextCursor: string | null }>();
  t.same(Object.keys(page).sort(), ['items', 'nextCursor']);
  t.equal(page.nextCursor, null);
  t.same(page.items, cast, 'the votes as answered, in acceptance order');
  t.same(
    page.items.map((vote) => vote.municipalityId),
    [sittardGeleen.id, maastricht.id, heerlen.id],
  );
  for (const vote of page.items) t.same(Object.keys(vote).sort(), [...VOTE_FIELDS].sort());
  for (let i = 1; i < page.items.length; i++) {
    t.ok(Date.parse(page.items[i]!.castAt) >= Date.parse(page.items[i - 1]!.castAt), `castAt of vote ${i + 1} is not earlier`);
  }
  const after = await getDecision(admin, decision.id);
  t.equal(after.status, 'ratified');
  t.same(after.ratification.votes, page.items, 'ratification.votes matches');
});

t.test('GET votes of a decision without votes answers an empty list', async (t) => {
  const decision = await pendingDecision();
  const res = await admin.get(`/api/v1/decisions/${decision.id}/votes`);
  t.equal(res.statusCode, 200);
  t.same(res.json(), { items: [], nextCursor: null });
});

t.test('GET votes of an unknown decision answers 404 RESOURCE_NOT_FOUND', async (t) => {
  problemOf(t, await admin.get(`/api/v1/decisions/${randomUUID()}/votes`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await reader.get(`/api/v1/decisions/${randomUUID()}/votes`), 404, 'RESOURCE_NOT_FOUND');
});

// ---------------------------------------------------------------------------------------------
// "Today" is the calendar date in Europe/Amsterdam (an app of its own, with another clock)
// ---------------------------------------------------------------------------------------------

t.test('decidedOn is bounded by today in Europe/Amsterdam, not by the UTC date', async (t) => {
  // 2026-02-28T23:30Z is already 2026-03-01 00:30 in Amsterdam (CET, UTC+1).
  const late = await startTestApp(t, { clock: fixedClock('2026-02-28T23:30:00Z') });
  const own = await createCentreMunicipalities(late.admin);
  const ownProgramme = await createProgramme(late.admin);
  const res = await late.admin.post('/api/v1/decisions', {
    reference: `PB-${randomBytes(5).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate: BOARD_MEETING,
    commitments: [{ programmeId: ownProgramme.id, year: 2026, amountCents: 10_000_000 }],
  });
  expectStatus(res, 201, 'create');
  const id = res.json<Decision>().id;
  expectStatus(await late.admin.post(`/api/v1/decisions/${id}/adopt`), 200, 'adopt');
  problemOf(t, await castVote(late.admin, id, approve(own.heerlen.id, '2026-03-02')), 400, 'VOTE_DATE_OUT_OF_RANGE');
  const vote = created(t, await castVote(late.admin, id, approve(own.heerlen.id, '2026-03-01')));
  t.equal(vote.decidedOn, '2026-03-01', 'the Amsterdam date of the moment is accepted');
});

// UUIDs are case-insensitive: an upper-case id names the same municipality.
t.test('a municipality id written in upper case is the same municipality', async (t) => {
  const decision = await pendingDecision();
  const own = await castVote(college.heerlen, decision.id, approve(heerlen.id.toUpperCase()));
  t.equal(own.statusCode, 201, `the college key of Heerlen votes for HEERLEN-ID (body: ${own.body.slice(0, 300)})`);
  const byAdmin = await castVote(admin, decision.id, approve(maastricht.id.toUpperCase()));
  t.equal(byAdmin.statusCode, 201, `the admin votes for MAASTRICHT-ID (body: ${byAdmin.body.slice(0, 300)})`);
  // Whatever the answer, an upper-case id never lets a key vote for another municipality.
  problemOf(t, await castVote(college.heerlen, decision.id, approve(maastricht.id.toUpperCase())), 403, 'FORBIDDEN');
});
