import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { idempotencyKeys } from '../../../../src/db/schema.js';
import type { Client } from '../../../helpers/app.js';
import type { Headers } from '../../../helpers/audit-mutations.js';
import {
  expectCatalogueEvents,
  expectStatus,
  expectTrailWhole,
  mutatingOperations,
  startAuditTrail,
  TODAY,
  unique,
} from '../../../helpers/audit-trail.js';
import { CONDITION, LARGE, playWtmrStory, SMALL, WEBHOOK_URL, worldTools, type DecisionJson } from '../../../helpers/audit-world.js';
import type { ProgrammeJson } from '../../../helpers/factories.js';

/**
 * The audit trail over HTTP when a change fails: every failure status a mutating operation of the
 * OpenAPI document declares is answered to a request here, and none of those requests writes an
 * event or moves the head (a revocation or unsubscription that changes nothing writes none
 * either). Today (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const operations = await mutatingOperations(); // before the app starts: see there
const trail = await startAuditTrail(t);
const { ctx, admin, auditor, reader, issueKey, headSeq, measured, getJson } = trail;
const { world } = await playWtmrStory(trail);
const { decisionBody, newDecision, adopted, definedIndicator, webhookDelivery } = worldTools(trail, world);

interface Failure {
  name: string;
  status: number;
  /** Done before the head is read: e.g. the first use of an Idempotency-Key. */
  prepare?(): Promise<unknown>;
  request(): Promise<LightMyRequestResponse>;
}

const FAILURE_STATUSES = [400, 403, 404, 409, 412, 422];
const STALE = { 'if-match': '"c3RhbGU"' };

/**
 * 422: the Idempotency-Key was first used (by the same API key) for another request, here one
 * that failed harmlessly; the second request would succeed on its own but must be refused.
 */
function reusedKey(what: string, first: (h: Headers) => Promise<LightMyRequestResponse>, second: (h: Headers) => Promise<LightMyRequestResponse>): Failure {
  const headers = { 'idempotency-key': `reused-${randomUUID()}` };
  return { name: `an Idempotency-Key already used for ${what}`, status: 422, prepare: () => first(headers), request: () => second(headers) };
}

/**
 * 409: a retry while the first request with the same Idempotency-Key still runs. The first one is
 * made to look unfinished by setting its record back to `in_progress`, as an earlier release left
 * a claim committed before its change while the change still ran; the retry waits for it, then gives up.
 */
function stillRunning(what: string, send: (h: Headers) => Promise<LightMyRequestResponse>): Failure {
  const key = `running-${randomUUID()}`;
  const headers = { 'idempotency-key': key };
  return {
    name: `a retry while the first ${what} with its Idempotency-Key is still running`,
    status: 409,
    prepare: async () => {
      const first = await send(headers);
      if (first.statusCode >= 300) throw new Error(`${what}: the first request answered ${first.statusCode}`);
      await ctx.db.database.db.update(idempotencyKeys).set({ state: 'in_progress' }).where(eq(idempotencyKeys.key, key));
    },
    request: () => send(headers),
  };
}

t.test('a failed change writes no event', async (t) => {
  const { secretariat, college, heerlen, sittardGeleen, applicant, programme } = world;
  const s = secretariat.client;
  const unknown = randomUUID();
  const otherProgramme = await s.post('/api/v1/programmes', { code: `DUP-${unique()}`, name: 'Taken code' });
  expectStatus(otherProgramme, 201, 'create programme');
  const takenCode = otherProgramme.json<ProgrammeJson>().code;
  const draft = await newDecision(SMALL, [CONDITION]);
  const bound = await adopted(SMALL, [CONDITION, { ...CONDITION, description: 'Second condition' }]);
  const fulfilled = await s.post(`/api/v1/decisions/${bound.id}/conditions/${bound.conditions[1]!.id}/fulfil`, { fulfilledOn: TODAY, evidence: 'Done' });
  expectStatus(fulfilled, 200, 'fulfil');
  const pending = await adopted(LARGE);
  const heerlenVoted = await college.heerlen.client.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: TODAY });
  expectStatus(heerlenVoted, 201, 'vote');
  const revokable = await issueKey('reader');
  const paying = await adopted(SMALL);
  const blocked = await adopted(SMALL, [{ ...CONDITION, blocksDisbursement: true } as typeof CONDITION]);
  const vote = (key: Client, decisionId: string, body: Record<string, unknown>, h?: Headers) => key.post(`/api/v1/decisions/${decisionId}/votes`, body, h);
  const goodVote = { municipalityId: sittardGeleen.id, outcome: 'approve', decidedOn: TODAY };
  const fulfil = (decisionId: string, conditionId: string, body: Record<string, unknown> = { fulfilledOn: TODAY, evidence: 'Evidence' }, key = s, h?: Headers) =>
    key.post(`/api/v1/decisions/${decisionId}/conditions/${conditionId}/fulfil`, body, h);
  const createdKeyHeaders = { 'idempotency-key': `created-${randomUUID()}` };
  const createdSubscriptionHeaders = { 'idempotency-key': `created-${randomUUID()}` };
  const subscription = { callbackUrl: WEBHOOK_URL, eventTypes: ['decision.withdrawn'] };
  const live = await webhookDelivery();
  const cancelled = await webhookDelivery();
  expectStatus(await admin.delete(`/api/v1/webhook-subscriptions/${cancelled.subscriptionId}`), 204, 'unsubscribe');
  const documentRef = { title: 'Notulen', url: 'https://eszl.example/notulen.pdf', kind: 'board_decision' };
  const withdrawn = await newDecision(SMALL);
  expectStatus(await s.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Withdrawn' }), 200, 'withdraw');
  // Sittard-Geleen's college decisions (Heerlen voted on `pending` already).
  const collegeDecision = (key: Client, decisionIds: string[], h?: Headers) =>
    key.post('/api/v1/college-decisions', { municipalityId: sittardGeleen.id, decidedOn: TODAY, reference: 'CB X', votes: decisionIds.map((decisionId) => ({ decisionId, outcome: 'approve' })) }, h);
  const redeliver = (target: { subscriptionId: string; deliveryId: string }, key: Client = admin, h?: Headers) =>
    key.post(`/api/v1/webhook-subscriptions/${target.subscriptionId}/deliveries/${target.deliveryId}/redeliver`, undefined, h);

  const monitored = await adopted(SMALL);
  const placements = await definedIndicator(monitored.id);
  const draftIndicator = await definedIndicator(draft.id, 'DRAFT-PLACEMENTS');
  const rule = (effectiveFrom: string) => ({ effectiveFrom, thresholdCents: 10_000_000, splitting: { scope: 'applicant_year', action: 'flag' }, reference: 'Statuten' });
  const contribution = (organisationId: string) => ({ organisationId, year: 2026, amountCents: 100, receivedOn: TODAY, reference: 'Bijdrage' });
  const coFinancing = { funderName: 'Regio Deal', kind: 'regio_deal', year: 2026, amountCents: 100, reference: 'Tranche' };
  const indicator = { code: `CODE-${unique()}`, name: 'Indicator', unit: 'count', targets: [{ period: '2026', value: 1 }] };
  const report = { period: '2026', value: 1, reportedOn: TODAY };
  const FAILURES: Record<string, Failure[]> = {
    createStatuteRule: [
      { name: 'an effectiveFrom before today', status: 400, request: () => admin.post('/api/v1/statute-rules', rule('2026-02-28')) },
      { name: 'a secretariat key', status: 403, request: () => s.post('/api/v1/statute-rules', rule('2045-01-01')) },
      {
        name: 'an effectiveFrom before the latest rule',
        status: 409,
        prepare: () => admin.post('/api/v1/statute-rules', rule('2040-01-01')),
        request: () => admin.post('/api/v1/statute-rules', rule('2039-01-01')),
      },
      reusedKey(
        'a rule effective in the past',
        (h) => admin.post('/api/v1/statute-rules', rule('2026-02-28'), h),
        (h) => admin.post('/api/v1/statute-rules', rule('2050-01-01'), h),
      ),
    ],
    recordFundContribution: [
      { name: 'an organisation that is not a municipality', status: 400, request: () => s.post('/api/v1/fund/contributions', contribution(applicant.id)) },
      { name: 'a reader key', status: 403, request: () => reader.client.post('/api/v1/fund/contributions', contribution(heerlen.id)) },
      stillRunning('contribution', (h) => s.post('/api/v1/fund/contributions', contribution(heerlen.id), h)),
      reusedKey(
        'a contribution of an applicant',
        (h) => s.post('/api/v1/fund/contributions', contribution(applicant.id), h),
        (h) => s.post('/api/v1/fund/contributions', contribution(heerlen.id), h),
      ),
    ],
    recordCoFinancing: [
      { name: 'no funder', status: 400, request: () => s.post(`/api/v1/programmes/${programme.id}/co-financing`, { ...coFinancing, funderName: null }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post(`/api/v1/programmes/${programme.id}/co-financing`, coFinancing) },
      { name: 'an unknown programme', status: 404, request: () => s.post(`/api/v1/programmes/${unknown}/co-financing`, coFinancing) },
      stillRunning('co-financing', (h) => s.post(`/api/v1/programmes/${programme.id}/co-financing`, coFinancing, h)),
      reusedKey(
        'co-financing of an unknown programme',
        (h) => s.post(`/api/v1/programmes/${unknown}/co-financing`, coFinancing, h),
        (h) => s.post(`/api/v1/programmes/${programme.id}/co-financing`, coFinancing, h),
      ),
    ],
    defineIndicator: [
      { name: 'a period that is not one', status: 400, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators`, { ...indicator, targets: [{ period: '2026-Q5', value: 1 }] }) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post(`/api/v1/decisions/${monitored.id}/indicators`, indicator) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/indicators`, indicator) },
      { name: 'a code the decision has already', status: 409, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators`, { ...indicator, code: 'PLACEMENTS' }) },
      reusedKey(
        'an indicator of an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/indicators`, indicator, h),
        (h) => s.post(`/api/v1/decisions/${monitored.id}/indicators`, indicator, h),
      ),
    ],
    reportIndicator: [
      { name: 'a period outside the targets\' range', status: 400, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators/${placements.id}/reports`, { ...report, period: '2027' }) },
      { name: 'a reader key', status: 403, request: () => reader.client.post(`/api/v1/decisions/${monitored.id}/indicators/${placements.id}/reports`, report) },
      { name: 'an unknown indicator', status: 404, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators/${unknown}/reports`, report) },
      { name: 'a draft decision', status: 409, request: () => s.post(`/api/v1/decisions/${draft.id}/indicators/${draftIndicator.id}/reports`, report) },
      reusedKey(
        'a report on an unknown indicator',
        (h) => s.post(`/api/v1/decisions/${monitored.id}/indicators/${unknown}/reports`, report, h),
        (h) => s.post(`/api/v1/decisions/${monitored.id}/indicators/${placements.id}/reports`, report, h),
      ),
    ],
    createOrganisation: [
      { name: 'an unknown kind', status: 400, request: () => s.post('/api/v1/organisations', { name: 'X', kind: 'club' }) },
      ((body) => stillRunning('registration', (h) => s.post('/api/v1/organisations', body, h)))({ name: `Running ${unique()}`, kind: 'applicant' }),
      // centreMunicipality is the admin's: an admin's request reaches the check of the kind.
      { name: 'a centre municipality that is not a municipality', status: 400, request: () => admin.post('/api/v1/organisations', { name: 'X', kind: 'applicant', centreMunicipality: true }) },
      { name: 'a reader key', status: 403, request: () => reader.client.post('/api/v1/organisations', { name: 'X', kind: 'applicant' }) },
      { name: 'no key', status: 401, request: () => ctx.as(undefined).post('/api/v1/organisations', { name: 'X', kind: 'applicant' }) },
      reusedKey(
        'a rejected organisation',
        (h) => s.post('/api/v1/organisations', { name: 'X', kind: 'applicant', centreMunicipality: true }, h),
        (h) => s.post('/api/v1/organisations', { name: 'Valid', kind: 'applicant' }, h),
      ),
    ],
    updateOrganisation: [
      { name: 'an empty body', status: 400, request: () => s.patch(`/api/v1/organisations/${applicant.id}`, {}) },
      { name: 'making an applicant a centre municipality (checked after the row lock)', status: 400, request: () => admin.patch(`/api/v1/organisations/${applicant.id}`, { centreMunicipality: true }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.patch(`/api/v1/organisations/${applicant.id}`, { name: 'Y' }) },
      { name: 'an unknown id', status: 404, request: () => s.patch(`/api/v1/organisations/${unknown}`, { name: 'Y' }) },
      { name: 'a stale If-Match', status: 412, request: () => s.patch(`/api/v1/organisations/${applicant.id}`, { name: 'Y' }, STALE) },
    ],
    createProgramme: [
      { name: 'a lower-case code', status: 400, request: () => s.post('/api/v1/programmes', { code: 'lower', name: 'X' }) },
      { name: 'an owner that does not exist', status: 400, request: () => s.post('/api/v1/programmes', { code: `O-${unique()}`, name: 'X', ownerOrganisationId: unknown }) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post('/api/v1/programmes', { code: `A-${unique()}`, name: 'X' }) },
      { name: 'a code already taken', status: 409, request: () => s.post('/api/v1/programmes', { code: takenCode, name: 'X' }) },
      reusedKey(
        'a taken code',
        (h) => s.post('/api/v1/programmes', { code: takenCode, name: 'X' }, h),
        (h) => s.post('/api/v1/programmes', { code: `V-${unique()}`, name: 'Valid' }, h),
      ),
    ],
    updateProgramme: [
      { name: 'an extra property', status: 400, request: () => s.patch(`/api/v1/programmes/${programme.id}`, { colour: 'blue' }) },
      { name: 'a reader key', status: 403, request: () => reader.client.patch(`/api/v1/programmes/${programme.id}`, { name: 'X' }) },
      { name: 'an unknown id', status: 404, request: () => s.patch(`/api/v1/programmes/${unknown}`, { name: 'X' }) },
      { name: 'a code already taken', status: 409, request: () => s.patch(`/api/v1/programmes/${programme.id}`, { code: takenCode }) },
      { name: 'a stale If-Match', status: 412, request: () => s.patch(`/api/v1/programmes/${programme.id}`, { name: 'X' }, STALE) },
    ],
    createApiKey: [
      { name: 'an unknown role', status: 400, request: () => admin.post('/api/v1/api-keys', { name: 'X', role: 'root' }) },
      { name: 'a college key for an applicant', status: 400, request: () => admin.post('/api/v1/api-keys', { name: 'X', role: 'college', organisationId: applicant.id }) },
      { name: 'a secretariat key', status: 403, request: () => s.post('/api/v1/api-keys', { name: 'X', role: 'reader' }) },
      {
        name: 'a retry of a created key (its response holds the secret, so it is not replayed)',
        status: 409,
        prepare: async () => expectStatus(await admin.post('/api/v1/api-keys', { name: 'Once', role: 'reader' }, createdKeyHeaders), 201, 'create key'),
        request: () => admin.post('/api/v1/api-keys', { name: 'Once', role: 'reader' }, createdKeyHeaders),
      },
      reusedKey(
        'a rejected college key',
        (h) => admin.post('/api/v1/api-keys', { name: 'X', role: 'college', organisationId: applicant.id }, h),
        (h) => admin.post('/api/v1/api-keys', { name: 'Valid', role: 'reader' }, h),
      ),
    ],
    revokeApiKey: [
      { name: 'an id that is not a UUID', status: 400, request: () => admin.delete('/api/v1/api-keys/not-a-uuid') },
      { name: 'a secretariat key', status: 403, request: () => s.delete(`/api/v1/api-keys/${revokable.actor.keyId}`) },
      { name: 'an unknown id', status: 404, request: () => admin.delete(`/api/v1/api-keys/${unknown}`) },
    ],
    createDecision: [
      { name: 'no commitments', status: 400, request: () => s.post('/api/v1/decisions', { ...decisionBody(SMALL), commitments: [] }) },
      { name: 'a programme that does not exist', status: 400, request: () => s.post('/api/v1/decisions', { ...decisionBody(SMALL), commitments: [{ programmeId: unknown, year: 2026, amountCents: 100 }] }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post('/api/v1/decisions', decisionBody(SMALL)) },
      { name: 'a reference already taken', status: 409, request: () => s.post('/api/v1/decisions', { ...decisionBody(SMALL), reference: draft.reference }) },
      reusedKey(
        'a taken reference',
        (h) => s.post('/api/v1/decisions', { ...decisionBody(SMALL), reference: draft.reference }, h),
        (h) => s.post('/api/v1/decisions', decisionBody(SMALL), h),
      ),
    ],
    addDecisionDocuments: [
      { name: 'no documents', status: 400, request: () => s.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [] }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [documentRef] }) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/documents`, { documents: [documentRef] }) },
      { name: 'a withdrawn decision', status: 409, request: () => s.post(`/api/v1/decisions/${withdrawn.id}/documents`, { documents: [documentRef] }) },
      reusedKey(
        'documents for an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/documents`, { documents: [documentRef] }, h),
        (h) => s.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [documentRef] }, h),
      ),
    ],
    recordCollegeDecision: [
      { name: 'no votes', status: 400, request: () => collegeDecision(admin, []) },
      { name: 'a secretariat key', status: 403, request: () => collegeDecision(s, [pending.id]) },
      { name: 'an unknown decision as its second vote', status: 404, request: () => collegeDecision(admin, [pending.id, unknown]) },
      { name: 'a decision that is not pending as its second vote', status: 409, request: () => collegeDecision(admin, [pending.id, bound.id]) },
      reusedKey(
        'a college decision on an unknown decision',
        (h) => collegeDecision(admin, [unknown], h),
        (h) => collegeDecision(admin, [pending.id], h),
      ),
    ],
    updateDecision: [
      { name: 'a negative amount', status: 400, request: () => s.patch(`/api/v1/decisions/${draft.id}`, { commitments: [{ programmeId: programme.id, year: 2026, amountCents: -5 }] }) },
      { name: 'a reader key', status: 403, request: () => reader.client.patch(`/api/v1/decisions/${draft.id}`, { title: 'X' }) },
      { name: 'an unknown id', status: 404, request: () => s.patch(`/api/v1/decisions/${unknown}`, { title: 'X' }) },
      { name: 'an adopted decision', status: 409, request: () => s.patch(`/api/v1/decisions/${bound.id}`, { title: 'X' }) },
      { name: 'a stale If-Match', status: 412, request: () => s.patch(`/api/v1/decisions/${draft.id}`, { title: 'X' }, STALE) },
    ],
    adoptDecision: [
      { name: 'an id that is not a UUID', status: 400, request: () => s.post('/api/v1/decisions/not-a-uuid/adopt') },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post(`/api/v1/decisions/${draft.id}/adopt`) },
      { name: 'an unknown id', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/adopt`) },
      { name: 'an adopted decision', status: 409, request: () => s.post(`/api/v1/decisions/${bound.id}/adopt`) },
      { name: 'a stale If-Match', status: 412, request: () => s.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, STALE) },
      reusedKey(
        'adopting an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/adopt`, undefined, h),
        (h) => s.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, h),
      ),
    ],
    withdrawDecision: [
      { name: 'no reason', status: 400, request: () => s.post(`/api/v1/decisions/${draft.id}/withdraw`, {}) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'X' }) },
      { name: 'an unknown id', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/withdraw`, { reason: 'X' }) },
      { name: 'an adopted decision', status: 409, request: () => s.post(`/api/v1/decisions/${bound.id}/withdraw`, { reason: 'X' }) },
      { name: 'a stale If-Match', status: 412, request: () => s.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'X' }, STALE) },
      reusedKey(
        'withdrawing an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/withdraw`, { reason: 'X' }, h),
        (h) => s.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'X' }, h),
      ),
    ],
    castVote: [
      { name: 'a secretariat key', status: 403, request: () => vote(s, pending.id, goodVote) },
      { name: 'a college key of another municipality', status: 403, request: () => vote(college.heerlen.client, pending.id, goodVote) },
      { name: 'an unknown outcome', status: 400, request: () => vote(college.sittardGeleen.client, pending.id, { ...goodVote, outcome: 'abstain' }) },
      { name: 'a municipality that is not required', status: 400, request: () => vote(admin, pending.id, { ...goodVote, municipalityId: applicant.id }) },
      { name: 'a decision date after today', status: 400, request: () => vote(college.sittardGeleen.client, pending.id, { ...goodVote, decidedOn: '2026-03-02' }) },
      { name: 'an unknown decision', status: 404, request: () => vote(college.sittardGeleen.client, unknown, goodVote) },
      { name: 'a decision that is not pending', status: 409, request: () => vote(college.sittardGeleen.client, bound.id, goodVote) },
      { name: 'a municipality that already voted', status: 409, request: () => vote(college.heerlen.client, pending.id, { ...goodVote, municipalityId: heerlen.id }) },
      reusedKey(
        'a vote on an unknown decision',
        (h) => vote(college.sittardGeleen.client, unknown, goodVote, h),
        (h) => vote(college.sittardGeleen.client, pending.id, goodVote, h),
      ),
    ],
    fulfilCondition: [
      { name: 'no evidence', status: 400, request: () => fulfil(bound.id, bound.conditions[0]!.id, { fulfilledOn: TODAY }) },
      { name: 'a fulfilment date after today', status: 400, request: () => fulfil(bound.id, bound.conditions[0]!.id, { fulfilledOn: '2026-03-02', evidence: 'E' }) },
      { name: 'a college key', status: 403, request: () => fulfil(bound.id, bound.conditions[0]!.id, undefined, college.heerlen.client) },
      { name: 'an unknown decision', status: 404, request: () => fulfil(unknown, bound.conditions[0]!.id) },
      { name: 'an unknown condition', status: 404, request: () => fulfil(bound.id, unknown) },
      { name: 'a condition already fulfilled', status: 409, request: () => fulfil(bound.id, bound.conditions[1]!.id) },
      { name: 'a draft decision', status: 409, request: () => fulfil(draft.id, draft.conditions[0]!.id) },
      reusedKey(
        'fulfilling an unknown condition',
        (h) => fulfil(bound.id, unknown, undefined, s, h),
        (h) => fulfil(bound.id, bound.conditions[0]!.id, undefined, s, h),
      ),
    ],
    addCondition: [
      { name: 'an empty description', status: 400, request: () => s.post(`/api/v1/decisions/${bound.id}/conditions`, { ...CONDITION, description: '' }) },
      { name: 'a reader key', status: 403, request: () => reader.client.post(`/api/v1/decisions/${bound.id}/conditions`, CONDITION) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/conditions`, CONDITION) },
      { name: 'a draft decision', status: 409, request: () => s.post(`/api/v1/decisions/${draft.id}/conditions`, CONDITION) },
      reusedKey(
        'a condition on an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/conditions`, CONDITION, h),
        (h) => s.post(`/api/v1/decisions/${bound.id}/conditions`, CONDITION, h),
      ),
    ],
    recordDisbursement: (() => {
      const payment = (commitmentId: string, paidOn = TODAY) => ({ commitmentId, amountCents: 1_000, paidOn, reference: 'BET-X' });
      const pay = (id: string, body: Record<string, unknown>, key: Client = s, h?: Headers) => key.post(`/api/v1/decisions/${id}/disbursements`, body, h);
      return [
        { name: 'a payment date after today', status: 400, request: () => pay(paying.id, payment(paying.commitments[0]!.id, '2026-03-02')) },
        { name: 'a commitment of another decision', status: 400, request: () => pay(paying.id, payment(draft.commitments[0]!.id)) },
        { name: 'a college key', status: 403, request: () => pay(paying.id, payment(paying.commitments[0]!.id), college.heerlen.client) },
        { name: 'an unknown decision', status: 404, request: () => pay(unknown, payment(paying.commitments[0]!.id)) },
        { name: 'a draft decision', status: 409, request: () => pay(draft.id, payment(draft.commitments[0]!.id)) },
        { name: 'more than the commitment', status: 409, request: () => pay(paying.id, { ...payment(paying.commitments[0]!.id), amountCents: SMALL[0]! + 1 }) },
        { name: 'an open blocking condition', status: 409, request: () => pay(blocked.id, payment(blocked.commitments[0]!.id)) },
        reusedKey(
          'a payment on an unknown decision',
          (h) => pay(unknown, payment(paying.commitments[0]!.id), s, h),
          (h) => pay(paying.id, payment(paying.commitments[0]!.id), s, h),
        ),
      ];
    })(),
    createAmendment: [
      { name: 'no commitments', status: 400, request: () => s.post(`/api/v1/decisions/${paying.id}/amendments`, { ...decisionBody(SMALL), commitments: [] }) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post(`/api/v1/decisions/${paying.id}/amendments`, decisionBody(SMALL)) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/amendments`, decisionBody(SMALL)) },
      { name: 'a draft decision', status: 409, request: () => s.post(`/api/v1/decisions/${draft.id}/amendments`, decisionBody(SMALL)) },
      reusedKey(
        'an amendment of an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/amendments`, decisionBody(SMALL), h),
        (h) => s.post(`/api/v1/decisions/${paying.id}/amendments`, decisionBody(SMALL), h),
      ),
    ],
    settleDecision: (() => {
      const settlement = (d: DecisionJson, amountCents = 1_000) => ({ settledOn: TODAY, reference: 'VS-X', finalAmounts: [{ commitmentId: d.commitments[0]!.id, amountCents }] });
      const settle = (id: string, body: Record<string, unknown>, key: Client = s, h?: Headers) => key.post(`/api/v1/decisions/${id}/settle`, body, h);
      return [
        { name: 'a final amount above the commitment', status: 400, request: () => settle(paying.id, settlement(paying, SMALL[0]! + 1)) },
        { name: 'a reader key', status: 403, request: () => settle(paying.id, settlement(paying), reader.client) },
        { name: 'an unknown decision', status: 404, request: () => settle(unknown, settlement(paying)) },
        { name: 'a draft decision', status: 409, request: () => settle(draft.id, settlement(draft)) },
        { name: 'a stale If-Match', status: 412, request: () => settle(paying.id, settlement(paying), s, STALE) },
        reusedKey(
          'settling an unknown decision',
          (h) => settle(unknown, settlement(paying), s, h),
          (h) => settle(paying.id, settlement(paying), s, h),
        ),
      ];
    })(),
    createWebhookSubscription: [
      { name: 'an unknown event type', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, eventTypes: ['decision.created'] }) },
      { name: 'no event types', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, eventTypes: [] }) },
      { name: 'a private callback URL that is not allow-listed', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, callbackUrl: 'http://10.0.0.1/hook' }) },
      { name: 'a programme filter that does not exist', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, programmeId: unknown }) },
      { name: 'a secretariat key', status: 403, request: () => s.post('/api/v1/webhook-subscriptions', subscription) },
      { name: 'no key', status: 401, request: () => ctx.as(undefined).post('/api/v1/webhook-subscriptions', subscription) },
      {
        name: 'a retry of a created subscription (its response holds the secret, so it is not replayed)',
        status: 409,
        prepare: async () => expectStatus(await admin.post('/api/v1/webhook-subscriptions', subscription, createdSubscriptionHeaders), 201, 'subscribe'),
        request: () => admin.post('/api/v1/webhook-subscriptions', subscription, createdSubscriptionHeaders),
      },
      reusedKey(
        'a subscription refused for its private callback URL',
        (h) => admin.post('/api/v1/webhook-subscriptions', { ...subscription, callbackUrl: 'http://10.0.0.1/hook' }, h),
        (h) => admin.post('/api/v1/webhook-subscriptions', subscription, h),
      ),
    ],
    deleteWebhookSubscription: [
      { name: 'an id that is not a UUID', status: 400, request: () => admin.delete('/api/v1/webhook-subscriptions/not-a-uuid') },
      { name: 'a secretariat key', status: 403, request: () => s.delete(`/api/v1/webhook-subscriptions/${live.subscriptionId}`) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.delete(`/api/v1/webhook-subscriptions/${live.subscriptionId}`) },
      { name: 'an unknown id', status: 404, request: () => admin.delete(`/api/v1/webhook-subscriptions/${unknown}`) },
      { name: 'a subscription already cancelled (idempotent: 204, nothing changes)', status: 204, request: () => admin.delete(`/api/v1/webhook-subscriptions/${cancelled.subscriptionId}`) },
    ],
    redeliverWebhook: [
      { name: 'a delivery id that is not a UUID', status: 400, request: () => redeliver({ ...live, deliveryId: 'not-a-uuid' }) },
      { name: 'an auditor key', status: 403, request: () => redeliver(live, auditor.client) },
      { name: 'a college key', status: 403, request: () => redeliver(live, college.heerlen.client) },
      { name: 'an unknown subscription', status: 404, request: () => redeliver({ ...live, subscriptionId: unknown }) },
      { name: 'an unknown delivery', status: 404, request: () => redeliver({ ...live, deliveryId: unknown }) },
      { name: 'the delivery of another subscription', status: 404, request: () => redeliver({ subscriptionId: live.subscriptionId, deliveryId: cancelled.deliveryId }) },
      { name: 'a cancelled subscription', status: 409, request: () => redeliver(cancelled) },
      reusedKey(
        'redelivering an unknown delivery',
        (h) => redeliver({ ...live, deliveryId: unknown }, admin, h),
        (h) => redeliver(live, admin, h),
      ),
    ],
  };

  for (const op of operations) {
    const failures = FAILURES[op.operationId] ?? [];
    const covered = new Set(failures.map((f) => f.status));
    const declared = op.statuses.filter((status) => FAILURE_STATUSES.includes(status));
    t.same(
      declared.filter((status) => !covered.has(status)),
      [],
      `${op.operationId}: every failure status it declares (${declared.join(', ')}) has a failing request here`,
    );
    for (const failure of failures) {
      await failure.prepare?.();
      const m = await measured(failure.request);
      t.equal(m.res.statusCode, failure.status, `${op.operationId} with ${failure.name} answers ${failure.status} (body: ${m.res.body.slice(0, 200)})`);
      t.same(m.events, [], `${op.operationId} with ${failure.name} writes no event`);
      t.equal(await headSeq(), m.before, `${op.operationId} with ${failure.name} leaves the head seq at ${m.before}`);
    }
  }

  const first = await measured(() => admin.delete(`/api/v1/api-keys/${revokable.actor.keyId}`));
  t.equal(first.res.statusCode, 204);
  t.same(first.events.map((e) => e.action), ['apikey.revoked'], 'the first revocation is recorded');
  const again = await measured(() => admin.delete(`/api/v1/api-keys/${revokable.actor.keyId}`));
  t.equal(again.res.statusCode, 204, 'revoking an already revoked key answers 204 (idempotent)');
  t.same(again.events, [], 'and records nothing, since nothing changed');

  const stillDraft = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${draft.id}`);
  t.equal(stillDraft.status, 'draft', 'none of the refused adoptions or withdrawals changed the draft');
  t.equal(stillDraft.conditions[0]?.fulfilledOn, null);
  const stillBound = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${bound.id}`);
  t.equal(stillBound.conditions[0]?.fulfilledOn, null, 'the refused fulfilments left the open condition open');
  const stillPending = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${pending.id}`);
  t.equal(stillPending.status, 'pending_ratification', 'none of the failed votes changed the pending decision');
  t.same(stillPending.ratification.votes.map((v) => v.municipalityId), [heerlen.id], 'it still holds only the Heerlen vote');
});

t.test('the trail is still whole and valid at the end of the file, each event with its catalogue payload', async (t) => {
  expectCatalogueEvents(t, await expectTrailWhole(t, trail));
});
