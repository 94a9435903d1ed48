import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import type { FastifyRequest, LightMyRequestResponse } from 'fastify';
import { etagMatches, expectedVersion } from '../../src/http/etag.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { startTestApp } from '../helpers/app.js';
import { problemOf } from '../helpers/assertions.js';
import { createCentreMunicipalities, createDecision, createKey, createOrganisation, createProgramme } from '../helpers/factories.js';

/**
 * Strong ETags on single-resource GETs (organisation, programme, decision), If-None-Match (304)
 * on those GETs, and If-Match (412 PRECONDITION_FAILED on a mismatch) on PATCH and on the state
 * actions adopt and withdraw. Today (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const { heerlen } = await createCentreMunicipalities(admin);
const collegeHeerlen = ctx.as((await createKey(admin, 'college', heerlen.id)).key);
const programme = await createProgramme(admin, { name: 'Welcome to Maastricht Region' });

const STRONG_ETAG = /^"[\x21\x23-\x7e]+"$/;
const unique = () => randomBytes(4).toString('hex').toUpperCase();

function etagOf(t: Test, res: LightMyRequestResponse): string {
  const etag = res.headers.etag;
  t.type(etag, 'string', 'the response has an ETag');
  t.match(String(etag), STRONG_ETAG, `the ETag is a quoted strong tag (${String(etag)})`);
  return String(etag);
}

function preconditionFailed(t: Test, res: LightMyRequestResponse): void {
  problemOf(t, res, 412, 'PRECONDITION_FAILED');
}

function createDraft(amountCents: number, conditions: { description: string; dueDate: string }[] = []): Promise<Decision> {
  return createDecision(admin, {
    reference: `PB-${unique()}`,
    title: 'Kwartiermaker Ambitieus MKB',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
    conditions,
  });
}

const resources = [
  { kind: 'organisation', path: async () => `/api/v1/organisations/${(await createOrganisation(admin)).id}` },
  { kind: 'programme', path: async () => `/api/v1/programmes/${(await createProgramme(admin)).id}` },
  { kind: 'decision', path: async () => `/api/v1/decisions/${(await createDraft(5_000_000)).id}` },
];

for (const resource of resources) {
  t.test(`GET of one ${resource.kind} returns a stable strong ETag and honours If-None-Match`, async (t) => {
    const path = await resource.path();
    const first = await admin.get(path);
    t.equal(first.statusCode, 200);
    const etag = etagOf(t, first);
    const second = await admin.get(path);
    t.equal(second.statusCode, 200);
    t.equal(second.headers.etag, etag, 'the same GET twice gives the same ETag');
    t.equal(second.body, first.body);

    const notModified = await admin.get(path, { 'if-none-match': etag });
    t.equal(notModified.statusCode, 304, 'If-None-Match with the current ETag answers 304');
    t.equal(notModified.body, '', 'with an empty body');
    t.equal(notModified.headers['api-version'], '1.0.0', 'and still the API-Version header');
    t.type(notModified.headers['x-request-id'], 'string', 'and X-Request-Id');
    t.equal(notModified.headers.etag, etag, 'and the ETag');

    const inList = await admin.get(path, { 'if-none-match': `"something-else", ${etag}` });
    t.equal(inList.statusCode, 304, 'the current ETag in a list of tags also answers 304');
    const weak = await admin.get(path, { 'if-none-match': `W/${etag}` });
    t.equal(weak.statusCode, 304, 'If-None-Match uses the weak comparison: W/ of the current tag matches');
    const any = await admin.get(path, { 'if-none-match': '*' });
    t.equal(any.statusCode, 304, 'If-None-Match: * matches an existing resource');

    const other = await admin.get(path, { 'if-none-match': '"not-the-current-tag"' });
    t.equal(other.statusCode, 200, 'another ETag gets the full representation');
    t.equal(other.body, first.body);
    t.equal(other.headers.etag, etag);
  });
}

t.test('PATCH of an organisation honours If-Match and changes the ETag', async (t) => {
  const organisation = await createOrganisation(admin, { name: `Stichting ETag ${unique()}` });
  const path = `/api/v1/organisations/${organisation.id}`;
  const etag = etagOf(t, await admin.get(path));

  const patched = await admin.patch(path, { name: `Stichting ETag Nieuw ${unique()}` }, { 'if-match': etag });
  t.equal(patched.statusCode, 200, `PATCH with the current ETag succeeds (body: ${patched.body.slice(0, 200)})`);
  const newEtag = etagOf(t, patched);
  t.not(newEtag, etag, 'the PATCH response carries a new ETag');
  const after = await admin.get(path);
  t.equal(after.headers.etag, newEtag, 'the new ETag is the one a GET now returns');
  t.equal(after.body, patched.body);
  t.equal((await admin.get(path, { 'if-none-match': etag })).statusCode, 200, 'the old ETag no longer gives 304');

  const stale = await admin.patch(path, { name: 'Stichting Verouderd' }, { 'if-match': etag });
  preconditionFailed(t, stale);
  const unchanged = await admin.get(path);
  t.equal(unchanged.body, after.body, 'nothing changed after the 412');
  t.equal(unchanged.headers.etag, newEtag);

  const weak = await admin.patch(path, { name: 'Stichting Zwak' }, { 'if-match': `W/${newEtag}` });
  preconditionFailed(t, weak);
  t.equal((await admin.get(path)).body, after.body, 'a weak ETag never matches If-Match: nothing changed');

  const listed = await admin.patch(path, { kvkNumber: '87654321' }, { 'if-match': `"stale", ${newEtag}` });
  t.equal(listed.statusCode, 200, 'the current ETag in a list of tags matches');

  const star = await admin.patch(path, { kvkNumber: '11223344' }, { 'if-match': '*' });
  t.equal(star.statusCode, 200, 'If-Match: * matches');
  t.equal(star.json<{ kvkNumber: string }>().kvkNumber, '11223344');

  const without = await admin.patch(path, { kvkNumber: null });
  t.equal(without.statusCode, 200, 'without If-Match PATCH works as before');
  t.equal(without.json<{ kvkNumber: string | null }>().kvkNumber, null);
});

t.test('PATCH of a programme honours If-Match and changes the ETag', async (t) => {
  const created = await createProgramme(admin);
  const path = `/api/v1/programmes/${created.id}`;
  const etag = etagOf(t, await admin.get(path));
  const patched = await admin.patch(path, { description: 'Arbeidsmarktprogramma' }, { 'if-match': etag });
  t.equal(patched.statusCode, 200);
  const newEtag = etagOf(t, patched);
  t.not(newEtag, etag);
  t.equal((await admin.get(path)).headers.etag, newEtag, 'the PATCH response ETag is the current one');
  const stale = await admin.patch(path, { description: 'Verouderd' }, { 'if-match': etag });
  preconditionFailed(t, stale);
  t.equal((await admin.get(path)).json<{ description: string }>().description, 'Arbeidsmarktprogramma', 'nothing changed');
  const without = await admin.patch(path, { description: null });
  t.equal(without.statusCode, 200, 'without If-Match PATCH works as before');
});

t.test('PATCH of a draft decision honours If-Match and changes the ETag', async (t) => {
  const draft = await createDraft(5_000_000);
  const path = `/api/v1/decisions/${draft.id}`;
  const etag = etagOf(t, await admin.get(path));
  const patched = await admin.patch(path, { title: 'Nieuwe titel' }, { 'if-match': etag });
  t.equal(patched.statusCode, 200, `PATCH with the current ETag succeeds (body: ${patched.body.slice(0, 200)})`);
  const newEtag = etagOf(t, patched);
  t.not(newEtag, etag);
  t.equal((await admin.get(path)).headers.etag, newEtag, 'the PATCH response ETag is the current one');
  const stale = await admin.patch(path, { title: 'Verouderde titel' }, { 'if-match': etag });
  preconditionFailed(t, stale);
  const unchanged = await admin.get(path);
  t.equal(unchanged.json<Decision>().title, 'Nieuwe titel', 'nothing changed');
  t.equal(unchanged.headers.etag, newEtag);
  const weak = await admin.patch(path, { title: 'Zwak' }, { 'if-match': `W/${newEtag}` });
  preconditionFailed(t, weak);
  const star = await admin.patch(path, { title: 'Ster' }, { 'if-match': '*' });
  t.equal(star.statusCode, 200, 'If-Match: * matches');
  const without = await admin.patch(path, { title: 'Zonder' });
  t.equal(without.statusCode, 200, 'without If-Match PATCH works as before');
  t.equal(without.json<Decision>().title, 'Zonder');
});

t.test('adopt with a stale or weak If-Match answers 412 and leaves the decision a draft', async (t) => {
  const draft = await createDraft(5_000_000);
  const path = `/api/v1/decisions/${draft.id}`;
  const etag = etagOf(t, await admin.get(path));
  const edited = await admin.patch(path, { title: 'Gewijzigd na het lezen' });
  t.equal(edited.statusCode, 200);
  const current = etagOf(t, edited);

  const stale = await admin.post(`${path}/adopt`, undefined, { 'if-match': etag });
  preconditionFailed(t, stale);
  const weak = await admin.post(`${path}/adopt`, undefined, { 'if-match': `W/${current}` });
  preconditionFailed(t, weak);
  const afterRefusals = await admin.get(path);
  t.equal(afterRefusals.json<Decision>().status, 'draft', 'the decision is still a draft');
  t.equal(afterRefusals.headers.etag, current, 'and its ETag is unchanged');
  const audit = await admin.get(`/api/v1/audit-events?resourceId=${draft.id}`);
  t.notOk(audit.json<{ items: { action: string }[] }>().items.some((e) => e.action === 'decision.adopted'), 'no decision.adopted event');

  const adopted = await admin.post(`${path}/adopt`, undefined, { 'if-match': current });
  t.equal(adopted.statusCode, 200, `adopt with the current ETag succeeds (body: ${adopted.body.slice(0, 200)})`);
  t.equal(adopted.json<Decision>().status, 'adopted');
  const adoptedEtag = etagOf(t, adopted);
  t.not(adoptedEtag, current, 'adoption changes the ETag');
  t.equal((await admin.get(path)).headers.etag, adoptedEtag, 'the adopt response ETag is the current one');
});

t.test('adopt with If-Match: * adopts; without If-Match adopt works as before', async (t) => {
  const a = await createDraft(5_000_000);
  const star = await admin.post(`/api/v1/decisions/${a.id}/adopt`, undefined, { 'if-match': '*' });
  t.equal(star.statusCode, 200);
  t.equal(star.json<Decision>().status, 'adopted');
  const b = await createDraft(5_000_000);
  const without = await admin.post(`/api/v1/decisions/${b.id}/adopt`);
  t.equal(without.statusCode, 200);
  t.equal(without.json<Decision>().status, 'adopted');
});

t.test('withdraw with a stale If-Match answers 412 and leaves the state unchanged', async (t) => {
  const draft = await createDraft(14_000_000);
  const path = `/api/v1/decisions/${draft.id}`;
  const draftEtag = etagOf(t, await admin.get(path));
  const adopted = await admin.post(`${path}/adopt`);
  t.equal(adopted.json<Decision>().status, 'pending_ratification');
  const pendingEtag = etagOf(t, await admin.get(path));
  t.not(pendingEtag, draftEtag, 'adoption changed the ETag');

  const stale = await admin.post(`${path}/withdraw`, { reason: 'Aanvraag ingetrokken' }, { 'if-match': draftEtag });
  preconditionFailed(t, stale);
  const weak = await admin.post(`${path}/withdraw`, { reason: 'Aanvraag ingetrokken' }, { 'if-match': `W/${pendingEtag}` });
  preconditionFailed(t, weak);
  const unchanged = await admin.get(path);
  t.equal(unchanged.json<Decision>().status, 'pending_ratification', 'still pending ratification');
  t.equal(unchanged.headers.etag, pendingEtag, 'and the ETag is unchanged');

  const withdrawn = await admin.post(`${path}/withdraw`, { reason: 'Aanvraag ingetrokken' }, { 'if-match': pendingEtag });
  t.equal(withdrawn.statusCode, 200, `withdraw with the current ETag succeeds (body: ${withdrawn.body.slice(0, 200)})`);
  t.equal(withdrawn.json<Decision>().status, 'withdrawn');
  t.not(etagOf(t, withdrawn), pendingEtag);
});

t.test('withdraw without If-Match works as before', async (t) => {
  const draft = await createDraft(5_000_000);
  const res = await admin.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'Dubbel ingediend' });
  t.equal(res.statusCode, 200);
  t.equal(res.json<Decision>().status, 'withdrawn');
});

t.test('a vote changes the decision ETag', async (t) => {
  const draft = await createDraft(14_000_000);
  const path = `/api/v1/decisions/${draft.id}`;
  t.equal((await admin.post(`${path}/adopt`)).statusCode, 200);
  const before = await admin.get(path);
  const etag = etagOf(t, before);
  const vote = await collegeHeerlen.post(`${path}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: '2026-02-20' });
  t.equal(vote.statusCode, 201, `the vote is cast (body: ${vote.body.slice(0, 200)})`);
  const after = await admin.get(path);
  t.equal(after.json<Decision>().ratification.votes.length, 1);
  t.not(etagOf(t, after), etag, 'the ETag changed');
  t.equal((await admin.get(path, { 'if-none-match': etag })).statusCode, 200, 'the old ETag no longer gives 304');
  preconditionFailed(t, await admin.post(`${path}/withdraw`, { reason: 'Te laat' }, { 'if-match': etag }));
  t.equal((await admin.get(path)).json<Decision>().status, 'pending_ratification', 'the stale withdrawal changed nothing');
});

t.test('fulfilling a condition changes the decision ETag', async (t) => {
  const draft = await createDraft(5_000_000, [{ description: 'Meetbare resultaatcriteria indienen', dueDate: '2026-06-15' }]);
  const path = `/api/v1/decisions/${draft.id}`;
  t.equal((await admin.post(`${path}/adopt`)).statusCode, 200);
  const before = await admin.get(path);
  const etag = etagOf(t, before);
  const conditionId = before.json<Decision>().conditions[0]!.id;
  const fulfilled = await admin.post(`${path}/conditions/${conditionId}/fulfil`, {
    fulfilledOn: '2026-02-20',
    evidence: 'Brief van 20 februari 2026 met het verwachte aantal plaatsingen',
  });
  t.equal(fulfilled.statusCode, 200, `the condition is fulfilled (body: ${fulfilled.body.slice(0, 200)})`);
  const after = await admin.get(path);
  t.equal(after.json<Decision>().conditions[0]?.status, 'fulfilled');
  t.not(etagOf(t, after), etag, 'the ETag changed');
  t.equal((await admin.get(path, { 'if-none-match': etag })).statusCode, 200, 'the old ETag no longer gives 304');
});

t.test('If-Match on an unknown resource answers 404, not 412', async (t) => {
  const res = await admin.patch('/api/v1/organisations/00000000-0000-4000-8000-00000000abcd', { name: 'Niemand' }, { 'if-match': '"x"' });
  t.equal(res.statusCode, 404);
  t.equal(res.json<{ code: string }>().code, 'RESOURCE_NOT_FOUND');
});

t.test('etagMatches reads an RFC 9110 list: strong for If-Match, weak for If-None-Match', async (t) => {
  const etag = '"abc"';
  t.ok(etagMatches('"abc"', etag));
  t.ok(etagMatches('"x", "abc"', etag), 'any tag of a list');
  t.ok(etagMatches(' "x" ,"abc" ', etag), 'blanks around the tags');
  t.ok(etagMatches('*', etag), '* matches any current version');
  t.notOk(etagMatches('"abd"', etag));
  t.notOk(etagMatches('abc', etag), 'an unquoted tag is not the tag');
  t.notOk(etagMatches('W/"abc"', etag), 'a weak tag never matches the strong comparison');
  t.ok(etagMatches('W/"abc"', etag, true), 'the weak comparison of If-None-Match accepts it');
  t.notOk(etagMatches('W/"abd"', etag, true));
});

t.test('expectedVersion carries If-Match to the use cases, and nothing without it', async (t) => {
  const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;
  t.equal(expectedVersion(request({})), undefined, 'no header: no expectation');
  const expected = expectedVersion(request({ 'if-match': '"v1", "v2"' }));
  t.ok(expected?.matches('"v2"'));
  t.notOk(expected?.matches('"v3"'));
});
