import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { fixedClock } from '../../../src/domain/clock.js';
import type { CollegeDecision } from '../../../src/use-cases/college-decisions.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import { startTestApp, type Client } from '../../helpers/app.js';
import { expectStatus, okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createCentreMunicipality, createDecision, createKey, createOrganisation, createProgramme, getDecision } from '../../helpers/factories.js';

/**
 * College decisions over HTTP: one municipality's votes on several decisions, recorded all or
 * none, each checked as a single vote would be; every failing vote answers, each named in
 * errors[].path, the first deciding the status. Today (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const TODAY = '2026-03-01';
const BOARD_MEETING = '2026-02-10';

const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const college = {
  heerlen: ctx.as((await createKey(admin, 'college', heerlen.id)).key),
  maastricht: ctx.as((await createKey(admin, 'college', maastricht.id)).key),
};
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);

function draft(boardMeetingDate = BOARD_MEETING, amountCents = 20_000_000): Promise<Decision> {
  return createDecision(admin, {
    reference: `PB-${randomBytes(5).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate,
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
  });
}

async function pending(boardMeetingDate = BOARD_MEETING): Promise<Decision> {
  return adopt(admin, (await draft(boardMeetingDate)).id, 'pending_ratification');
}

interface Body {
  municipalityId: string;
  decidedOn: string;
  reference: string;
  documents?: unknown[];
  votes: { decisionId: string; outcome: string; note?: string | null }[];
}

function body(municipalityId: string, decisionIds: string[], extra: Partial<Body> = {}): Body {
  return {
    municipalityId,
    decidedOn: '2026-02-20',
    reference: `CB-${randomBytes(4).toString('hex')}`,
    votes: decisionIds.map((decisionId) => ({ decisionId, outcome: 'approve', note: 'Conform' })),
    ...extra,
  };
}

const record = (client: Client, payload: unknown) => client.post('/api/v1/college-decisions', payload);

async function auditHead(): Promise<number> {
  return okJson<{ count: number }>(t, await admin.get('/api/v1/audit-events/verify')).count;
}

async function actionsAfter(seq: number): Promise<{ action: string; resourceType: string; resourceId: string }[]> {
  const res = await admin.get(`/api/v1/audit-events?afterSeq=${seq}&limit=200`);
  expectStatus(res, 200, 'audit events');
  return res.json<{ items: { action: string; resourceType: string; resourceId: string }[] }>().items;
}

t.test('a college decision on two decisions answers 201 and records both votes, dated and referenced as the college decision', async (t) => {
  const [a, b] = [await pending(), await pending()];
  const before = await auditHead();
  const payload = body(heerlen.id, [a.id, b.id], {
    documents: [{ title: 'Collegebesluit', url: 'https://example.org/cb.pdf', kind: 'college_decision', registrationNumber: '2026.001' }],
  });
  payload.votes[1]!.outcome = 'reject';
  const recorded = okJson<CollegeDecision>(t, await record(college.heerlen, payload), 201);
  t.match(recorded, { municipalityId: heerlen.id, decidedOn: '2026-02-20', reference: payload.reference });
  t.same(recorded.documents, [
    { title: 'Collegebesluit', url: 'https://example.org/cb.pdf', kind: 'college_decision', registrationNumber: '2026.001', sha256: null, issuedOn: null },
  ]);
  t.same(
    recorded.votes.map((v) => [v.decisionId, v.municipalityId, v.outcome, v.decidedOn, v.reference, v.note, v.collegeDecisionId]),
    [
      [a.id, heerlen.id, 'approve', '2026-02-20', payload.reference, 'Conform', recorded.id],
      [b.id, heerlen.id, 'reject', '2026-02-20', payload.reference, 'Conform', recorded.id],
    ],
    'the votes in the order of the request, each pointing at the college decision',
  );
  t.equal((await getDecision(admin, a.id)).ratification.votes[0]?.collegeDecisionId, recorded.id, 'the decision shows the vote with its college decision');
  t.equal((await getDecision(admin, b.id)).status, 'rejected', 'the rejection settled the second decision');

  const events = await actionsAfter(before);
  t.same(
    events.map((e) => e.action),
    ['vote.cast', 'vote.cast', 'decision.rejected', 'college_decision.recorded'],
    'one vote.cast per vote, the settling event after its vote, then college_decision.recorded',
  );
  t.match(events[3], { resourceType: 'college-decision', resourceId: recorded.id });

  const res = await admin.get(`/api/v1/college-decisions/${recorded.id}`);
  t.same(okJson<CollegeDecision>(t, res), recorded, 'GET answers the same college decision');
  t.type(res.headers.etag, 'string', 'with an ETag');
  t.equal((await admin.get(`/api/v1/college-decisions/${recorded.id}`, { 'if-none-match': String(res.headers.etag) })).statusCode, 304);
});

t.test('the votes keep the order of the request, also when they share a castAt', async (t) => {
  const decisions = [await pending(), await pending(), await pending(), await pending(), await pending(), await pending()];
  // Neither the order of creation nor of ids: a reading that sorted by either would show.
  const ordered = [...decisions].sort((a, b) => b.id.localeCompare(a.id)).map((d) => d.id);
  [ordered[0], ordered[5]] = [ordered[5]!, ordered[0]!];
  const recorded = okJson<CollegeDecision>(t, await record(college.maastricht, body(maastricht.id, ordered)), 201);
  t.same(recorded.votes.map((v) => v.decisionId), ordered, 'as recorded');
  t.same(okJson<CollegeDecision>(t, await admin.get(`/api/v1/college-decisions/${recorded.id}`)).votes.map((v) => v.decisionId), ordered, 'as read');
  // All votes at one instant, as when a story's moments are set afterwards: still the request's order.
  await ctx.db.database.db.execute(sql`update ratification_votes set cast_at = '2026-02-20T12:00:00Z' where college_decision_id = ${recorded.id}`);
  t.same(okJson<CollegeDecision>(t, await admin.get(`/api/v1/college-decisions/${recorded.id}`)).votes.map((v) => v.decisionId), ordered, 'at one castAt');
});

t.test('the vote that completes the approvals ratifies its decision within the college decision', async (t) => {
  const decision = await pending();
  for (const id of [heerlen.id, sittardGeleen.id]) {
    expectStatus(await admin.post(`/api/v1/decisions/${decision.id}/votes`, { municipalityId: id, outcome: 'approve', decidedOn: TODAY }), 201, 'vote');
  }
  const before = await auditHead();
  okJson(t, await record(college.maastricht, body(maastricht.id, [decision.id])), 201);
  t.equal((await getDecision(admin, decision.id)).status, 'ratified');
  t.same((await actionsAfter(before)).map((e) => e.action), ['vote.cast', 'decision.ratified', 'college_decision.recorded']);
});

t.test('a college decision whose second vote fails records nothing, answering that vote\'s problem at /votes/1/decisionId', async (t) => {
  // Adopted before a fourth centre municipality existed: it does not ask that one.
  const frozenBefore = await pending();
  const outsider = await createCentreMunicipality(admin, `Gemeente ${randomBytes(3).toString('hex')}`);
  const fourthsOwn = await pending();
  const cases: [string, () => Promise<{ municipalityId: string; second: string; decidedOn?: string }>, number, string][] = [
    ['an unknown decision', async () => ({ municipalityId: heerlen.id, second: randomUUID() }), 404, 'RESOURCE_NOT_FOUND'],
    ['a draft', async () => ({ municipalityId: heerlen.id, second: (await draft()).id }), 409, 'DECISION_TRANSITION_NOT_ALLOWED'],
    ['a decision that does not ask this municipality', async () => ({ municipalityId: outsider.id, second: frozenBefore.id }), 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED'],
    ['a decision whose board meeting was after decidedOn', async () => ({ municipalityId: heerlen.id, second: (await pending('2026-02-25')).id }), 400, 'VOTE_DATE_OUT_OF_RANGE'],
    [
      'a decision the municipality already voted on',
      async () => {
        const voted = await pending();
        expectStatus(await admin.post(`/api/v1/decisions/${voted.id}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: TODAY }), 201, 'vote');
        return { municipalityId: heerlen.id, second: voted.id };
      },
      409,
      'VOTE_ALREADY_CAST',
    ],
  ];
  for (const [what, setUp, status, code] of cases) {
    const { municipalityId, second } = await setUp();
    const first = municipalityId === outsider.id ? fourthsOwn : await pending();
    const before = await auditHead();
    const collegeDecisionsBefore = await listCollegeDecisions(municipalityId);
    const problem = problemOf(t, await record(admin, body(municipalityId, [first.id, second])), status, code);
    t.same(problem.paths, ['/votes/1/decisionId'], `${what}: the second vote is named`);
    t.match(problem.detail, /^Vote 1 /, `${what}: the detail names the vote`);
    t.same((await getDecision(admin, first.id)).ratification.votes, [], `${what}: the first, valid vote was not recorded`);
    t.equal(await auditHead(), before, `${what}: no audit event`);
    t.equal((await listCollegeDecisions(municipalityId)).length, collegeDecisionsBefore.length, `${what}: no college decision`);
  }
});

async function listCollegeDecisions(municipalityId: string): Promise<CollegeDecision[]> {
  const res = await admin.get(`/api/v1/college-decisions?municipalityId=${municipalityId}&limit=200`);
  expectStatus(res, 200, 'list college decisions');
  return res.json<{ items: CollegeDecision[] }>().items;
}

t.test('every failing vote is named in array order; the first decides the status, even when a later one fails an earlier check', async (t) => {
  const a = await pending();
  const problem = problemOf(t, await record(admin, body(heerlen.id, [a.id, (await draft()).id, randomUUID()])), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  t.same(problem.paths, ['/votes/1/decisionId', '/votes/2/decisionId']);
  t.same(problem.errors?.map((error) => (error as { code?: string }).code), ['DECISION_TRANSITION_NOT_ALLOWED', 'RESOURCE_NOT_FOUND'], 'each with its own code');
});

t.test('an invalid body answers 400 listing every problem, with those of the votes it can check', async (t) => {
  const a = await pending();
  const cases: [string, unknown, string[]][] = [
    ['no votes', body(heerlen.id, []), ['/votes']],
    ['51 votes', body(heerlen.id, Array.from({ length: 51 }, () => randomUUID())), ['/votes']],
    ['a decision named twice, and an unknown one', body(heerlen.id, [a.id, randomUUID(), a.id]), ['/votes/2/decisionId', '/votes/1/decisionId']],
    ['a vote without outcome', { ...body(heerlen.id, []), votes: [{ decisionId: a.id }] }, ['/votes/0/outcome']],
    ['an impossible decidedOn and no reference', { ...body(heerlen.id, [a.id], { decidedOn: '2026-02-30' }), reference: undefined }, ['/decidedOn', '/reference']],
    ['a decidedOn in the year 0000, which does not exist (so the vote is before the board meeting)', body(heerlen.id, [a.id], { decidedOn: '0000-01-01' }), ['/decidedOn', '/votes/0/decisionId']],
    ['a document that is not https', body(heerlen.id, [a.id], { documents: [{ title: 'x', url: 'http://example.org/x', kind: 'other' }] }), ['/documents/0/url']],
    ['a vote with an extra field', { ...body(heerlen.id, []), votes: [{ decisionId: a.id, outcome: 'approve', municipalityId: heerlen.id }] }, ['/votes/0/municipalityId']],
  ];
  for (const [what, payload, paths] of cases) {
    const problem = problemOf(t, await record(admin, payload), 400);
    t.same(problem.paths.sort(), paths.sort(), what);
  }
  t.same((await getDecision(admin, a.id)).ratification.votes, [], 'nothing was recorded');
});

t.test('a college decision after today answers 400 VOTE_DATE_OUT_OF_RANGE naming its first vote', async (t) => {
  const problem = problemOf(t, await record(admin, body(heerlen.id, [(await pending()).id], { decidedOn: '2026-03-02' })), 400, 'VOTE_DATE_OUT_OF_RANGE');
  t.same(problem.paths, ['/votes/0/decisionId']);
});

t.test('a municipality that does not exist votes on nothing: the first vote answers as a single vote would', async (t) => {
  const unknown = randomUUID();
  t.same(problemOf(t, await record(admin, body(unknown, [(await pending()).id])), 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED').paths, ['/votes/0/decisionId']);
  t.same(problemOf(t, await record(admin, body(unknown, [randomUUID()])), 404, 'RESOURCE_NOT_FOUND').paths, ['/votes/0/decisionId']);
  const applicant = await createOrganisation(admin, { kind: 'applicant' });
  t.same(problemOf(t, await record(admin, body(applicant.id, [(await pending()).id])), 400, 'VOTE_MUNICIPALITY_NOT_REQUIRED').paths, ['/votes/0/decisionId']);
});

t.test('who may record: admin and the college of the municipality; another college 403 before 400; other roles 403', async (t) => {
  const a = await pending();
  problemOf(t, await record(college.maastricht, body(heerlen.id, [a.id])), 403, 'FORBIDDEN');
  problemOf(t, await record(college.maastricht, { municipalityId: heerlen.id, votes: 'nonsense' }), 403, 'FORBIDDEN');
  problemOf(t, await record(secretariat, body(heerlen.id, [a.id])), 403, 'FORBIDDEN');
  problemOf(t, await record(ctx.as(undefined), body(heerlen.id, [a.id])), 401, 'UNAUTHENTICATED');
  t.same((await getDecision(admin, a.id)).ratification.votes, [], 'none of them recorded a vote');
  okJson(t, await record(college.heerlen, body(heerlen.id.toUpperCase(), [a.id])), 201);
});

t.test('a college key may leave out municipalityId: the college decision is its own municipality\'s; another key must name one', async (t) => {
  const a = await pending();
  const { municipalityId: _left, ...withoutMunicipality } = body(heerlen.id, [a.id]);
  const problem = problemOf(t, await record(admin, withoutMunicipality), 400, 'VALIDATION_FAILED');
  t.same(problem.paths, ['/municipalityId']);
  const recorded = okJson<{ municipalityId: string; votes: { municipalityId: string }[] }>(t, await record(college.maastricht, withoutMunicipality), 201);
  t.equal(recorded.municipalityId, maastricht.id, 'the college key\'s own municipality');
  t.same(recorded.votes.map((vote) => vote.municipalityId), [maastricht.id]);
});

t.test('the list filters by municipality and pages by keyset; reads are open to every reading role', async (t) => {
  const sittard = ctx.as((await createKey(admin, 'college', sittardGeleen.id)).key);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push(okJson<CollegeDecision>(t, await record(sittard, body(sittardGeleen.id, [(await pending()).id])), 201).id);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: CollegeDecision[]; nextCursor: string | null } = okJson(
      t,
      await secretariat.get(`/api/v1/college-decisions?municipalityId=${sittardGeleen.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`),
    );
    t.ok(page.items.every((item) => item.municipalityId === sittardGeleen.id), 'only Sittard-Geleen');
    seen.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  t.same(seen, ids, 'each once, in creation order');
  const reader = ctx.as((await createKey(admin, 'reader')).key);
  t.equal((await reader.get(`/api/v1/college-decisions/${ids[0]}`)).statusCode, 200);
  problemOf(t, await admin.get(`/api/v1/college-decisions/${randomUUID()}`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.get(`/api/v1/college-decisions?municipality=${sittardGeleen.id}`), 400, 'VALIDATION_FAILED');
  t.same((await admin.get(`/api/v1/college-decisions?municipalityId=${randomUUID()}`)).json<{ items: unknown[] }>().items, [], 'an unknown municipality: an empty page');
});
