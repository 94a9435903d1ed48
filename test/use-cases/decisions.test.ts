import { randomUUID } from 'node:crypto';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../src/db/client.js';
import { fixedClock } from '../../src/domain/clock.js';
import { DomainError, Problems } from '../../src/domain/errors.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { DecisionViewCache } from '../../src/use-cases/decision-view-cache.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import {
  addDocuments,
  adoptDecision,
  createDecision,
  getDecision,
  getDecisionRendered,
  listDecisionsRendered,
  patchDecision,
  registerDraft,
  withdrawDecision,
  type DecisionInput,
} from '../../src/use-cases/decisions.js';
import { etagOf, type ExpectedVersion } from '../../src/use-cases/etag.js';
import { runUnitOfWork, type Caller } from '../../src/use-cases/unit-of-work.js';
import { amend, bindingDecision, paid, reference } from '../helpers/after-adoption.js';
import { startTestApp } from '../helpers/app.js';
import { expectStatus, problemsOf, refusalOf, RFC3339_UTC } from '../helpers/assertions.js';
import { auditHeadSeq, emittedBy } from '../helpers/audit-events.js';
import { createCentreMunicipalities, createOrganisation, createProgramme, fundTheRegister } from '../helpers/factories.js';

/**
 * The decisions' use cases called directly: registering a draft (every problem of the input at
 * once, an amendment's own relation), editing it, adopting and withdrawing it at an expected
 * version (checked under the lock, before the state), the events each records, adding documents,
 * and the checks of the reads. Today is 2026-03-01. The register has no fund money until the
 * adoption tests that need it add some: until then every adoption is flagged as not covered.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const secretariat: Caller = { principal: { keyId: randomUUID(), role: 'secretariat', organisationId: null } };
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);
const applicant = await createOrganisation(admin, { kind: 'applicant', name: 'Stichting WTMR' });

const in2026 = (amountCents: number) => ({ programmeId: programme.id, year: 2026, amountCents });
const DOCUMENT = { title: 'Besluitenlijst DB 22 januari 2026', url: 'https://eszl.example/db-2026-01-22.pdf', kind: 'board_decision' as const };
const input = (overrides: Partial<DecisionInput> = {}): DecisionInput => ({
  reference: reference(),
  title: 'Principebesluit',
  boardMeetingDate: '2026-01-22',
  commitments: [in2026(5_000_000)],
  ...overrides,
});
const draft = (overrides: Partial<DecisionInput> = {}) => createDecision(ctx, secretariat, input(overrides));

/** The version a client read `decision` at; and one no current decision is at. */
const at = (decision: Decision): ExpectedVersion => ({ matches: (etag) => etag === etagOf(decision) });
const STALE: ExpectedVersion = { matches: () => false };

const storedWithReference = async (ref: string) =>
  Number((await queryRows<{ n: string }>(db.database.db, sql`select count(*)::text as n from decisions where reference = ${ref}`))[0]!.n);

t.test('a draft is registered as it was inserted: the view is the stored one; decision.created is recorded, not published', async (t) => {
  const { result: created, events, published } = await emittedBy(ctx.database, () =>
    createDecision(
      ctx,
      secretariat,
      input({
        summary: 'Talent voor de regio',
        applicantOrganisationId: applicant.id,
        commitments: [in2026(3_000_000), { programmeId: programme.id, year: 2027, amountCents: 2_000_000, purpose: 'Tweede jaar' }],
        conditions: [{ description: 'Begroting 2026 aanleveren', dueDate: '2026-06-30' }],
        documents: [DOCUMENT],
        relatedDecisions: [{ externalReference: 'DB-2025-12-04/7', relation: 'continues' }],
      }),
    ),
  );
  t.match(created, {
    status: 'draft',
    totalAmountCents: 5_000_000,
    amends: null,
    applicantOrganisationId: applicant.id,
    commitments: [{ year: 2026, purpose: null, disbursedCents: 0 }, { year: 2027, purpose: 'Tweede jaar' }],
    conditions: [{ status: 'open', blocksDisbursement: false, reference: null }],
    relatedDecisions: [{ decisionId: null, externalReference: 'DB-2025-12-04/7', relation: 'continues' }],
  });
  t.same(created, await getDecision(ctx, created.id), 'the view built from the inserted rows is the one read back');
  t.same(events, [{ action: 'decision.created', resourceType: 'decision', resourceId: created.id, data: { decision: created } }]);
  t.same(published, []);
});

t.test('every problem of a new draft is answered at once, the first deciding the code; nothing is stored', async (t) => {
  const [unknownProgramme, unknownOrganisation, unknownDecision] = [randomUUID(), randomUUID(), randomUUID()];
  const sent = input({
    commitments: [in2026(1_000_000), { programmeId: unknownProgramme, year: 2026, amountCents: 1 }],
    applicantOrganisationId: unknownOrganisation,
    documents: [{ ...DOCUMENT, url: 'http://eszl.example/x.pdf' }],
    relatedDecisions: [{ decisionId: unknownDecision, relation: 'relates_to' }, { relation: 'continues' }],
  });
  const before = await auditHeadSeq(ctx.database);
  const refusal = await refusalOf(createDecision(ctx, secretariat, sent));
  t.equal(refusal.code, 'VALIDATION_FAILED');
  t.same(problemsOf(refusal), [
    ['VALIDATION_FAILED', '/documents/0/url'],
    ['VALIDATION_FAILED', '/relatedDecisions/1'],
    ['REFERENCED_RESOURCE_NOT_FOUND', '/commitments/1/programmeId'],
    ['REFERENCED_RESOURCE_NOT_FOUND', '/applicantOrganisationId'],
    ['REFERENCED_RESOURCE_NOT_FOUND', '/relatedDecisions/0/decisionId'],
  ]);
  t.equal(await storedWithReference(sent.reference), 0);
  t.equal(await auditHeadSeq(ctx.database), before);
});

t.test('a reference already taken is DECISION_REFERENCE_TAKEN', async (t) => {
  const first = await draft();
  await t.rejects(draft({ reference: first.reference }), { code: 'DECISION_REFERENCE_TAKEN' });
  t.equal(await storedWithReference(first.reference), 1);
});

t.test("registerDraft of an amendment names the amended decision first; the caller's problems come before the input's", async (t) => {
  const amended = await draft({ commitments: [in2026(12_000_000)] });
  const amendment = await runUnitOfWork(ctx, secretariat, (uow) =>
    registerDraft(ctx, uow, input({ commitments: [in2026(11_000_000)], relatedDecisions: [{ externalReference: 'GS-1', relation: 'relates_to' }] }), {
      id: amended.id,
      totalAmountCents: 12_000_000,
    }),
  );
  t.equal(amendment.amends, amended.id);
  t.same(amendment.relatedDecisions, [
    { decisionId: amended.id, externalReference: null, relation: 'amends' },
    { decisionId: null, externalReference: 'GS-1', relation: 'relates_to' },
  ]);
  t.equal(amendment.ratification.required, false, 'measured against the amended total: no increase, no ratification');
  t.same(await getDecision(ctx, amendment.id), amendment);

  const problems = new Problems();
  problems.add(new DomainError('AMENDMENT_IN_PROGRESS', 'The decision has a live amendment.'));
  const sent = input({ commitments: [{ programmeId: randomUUID(), year: 2026, amountCents: 1 }] });
  const refusal = await refusalOf(runUnitOfWork(ctx, secretariat, (uow) => registerDraft(ctx, uow, sent, null, problems)));
  t.equal(refusal.code, 'AMENDMENT_IN_PROGRESS');
  t.same(problemsOf(refusal), [['AMENDMENT_IN_PROGRESS', '/'], ['REFERENCED_RESOURCE_NOT_FOUND', '/commitments/0/programmeId']]);
  t.equal(await storedWithReference(sent.reference), 0);
});

t.test('a PATCH at a stale version changes nothing; at the current one it applies the fields sent and records before and after', async (t) => {
  const original = await draft({ summary: 'Eerste versie', applicantOrganisationId: applicant.id, conditions: [{ description: 'Begroting', dueDate: '2026-06-30' }] });
  const before = await auditHeadSeq(ctx.database);
  await t.rejects(patchDecision(ctx, secretariat, original.id, { title: 'Nieuw' }, STALE), { code: 'PRECONDITION_FAILED' });
  t.same(await getDecision(ctx, original.id), original, 'unchanged');
  t.equal(await auditHeadSeq(ctx.database), before, 'nothing recorded');

  const changes = { title: 'Nieuw', summary: null, commitments: [in2026(1_000_000), { programmeId: programme.id, year: 2027, amountCents: 2_000_000 }] };
  const { result: patched, events } = await emittedBy(ctx.database, () => patchDecision(ctx, secretariat, original.id, changes, at(original)));
  t.match(patched, { title: 'Nieuw', summary: null, totalAmountCents: 3_000_000, reference: original.reference, applicantOrganisationId: applicant.id });
  t.same(patched.commitments.map((c) => [c.year, c.amountCents]), [[2026, 1_000_000], [2027, 2_000_000]]);
  t.same(patched.conditions, original.conditions, 'conditions not sent stay as they were');
  t.same(events, [{ action: 'decision.updated', resourceType: 'decision', resourceId: original.id, data: { before: original, decision: patched } }]);
  await t.rejects(patchDecision(ctx, secretariat, original.id, { title: 'Nog eens' }, at(original)), { code: 'PRECONDITION_FAILED' }, 'the version read before a change is stale after it');
  t.equal((await patchDecision(ctx, secretariat, original.id, { title: 'Zonder versie' })).title, 'Zonder versie', 'no expected version: no check');
});

t.test('a PATCH checks the version before the state; past draft it is DECISION_TRANSITION_NOT_ALLOWED; a self-relation is invalid', async (t) => {
  const adopted = await adoptDecision(ctx, secretariat, (await draft()).id);
  await t.rejects(patchDecision(ctx, secretariat, adopted.id, { title: 'x' }, STALE), { code: 'PRECONDITION_FAILED' });
  await t.rejects(patchDecision(ctx, secretariat, adopted.id, { title: 'x' }, at(adopted)), { code: 'DECISION_TRANSITION_NOT_ALLOWED' });
  await t.rejects(patchDecision(ctx, secretariat, randomUUID(), { title: 'x' }), { code: 'RESOURCE_NOT_FOUND' });
  const own = await draft();
  await t.rejects(
    patchDecision(ctx, secretariat, own.id, { relatedDecisions: [{ decisionId: own.id, relation: 'relates_to' }] }),
    { code: 'VALIDATION_FAILED', errors: [{ path: '/relatedDecisions/0/decisionId' }] },
  );
});

t.test('an amendment keeps naming the decision it amends, whatever related decisions a PATCH sends', async (t) => {
  const original = await bindingDecision(admin, centreIds, [in2026(4_000_000)]);
  const amendment = await amend(admin, original.id, [in2026(3_000_000)]);
  const amends = { decisionId: original.id, externalReference: null, relation: 'amends' };
  t.same((await patchDecision(ctx, secretariat, amendment.id, { relatedDecisions: [] })).relatedDecisions, [amends]);
  const patched = await patchDecision(ctx, secretariat, amendment.id, { relatedDecisions: [{ externalReference: 'GS-2', relation: 'continues' }] });
  t.same(patched.relatedDecisions, [amends, { decisionId: null, externalReference: 'GS-2', relation: 'continues' }]);
  t.equal(patched.amends, original.id);
});

t.test("an amendment's problem at adoption is answered together with the adoption's own", async (t) => {
  // From today, a rule that blocks adoptions the fund does not cover (and it covers none yet).
  const rule = { effectiveFrom: '2026-03-01', thresholdCents: 10_000_000, splitting: { scope: 'applicant_year', action: 'flag' }, fundCheck: 'block', reference: 'Statuten ESZL (2026)' };
  expectStatus(await admin.post('/api/v1/statute-rules', rule), 201, 'statute rule');
  const original = await bindingDecision(admin, centreIds, [in2026(4_000_000)]);
  await paid(admin, original.id, original.commitments[0]!.id, 3_000_000);
  const amendment = await amend(admin, original.id, [in2026(2_000_000)], { boardMeetingDate: '2026-03-01' });
  const refusal = await refusalOf(adoptDecision(ctx, secretariat, amendment.id));
  t.equal(refusal.code, 'AMOUNT_BELOW_DISBURSED');
  t.same(problemsOf(refusal), [['AMOUNT_BELOW_DISBURSED', '/'], ['INSUFFICIENT_FUNDS', '/']]);
  t.equal((await getDecision(ctx, amendment.id)).status, 'draft');
  t.equal((await getDecision(ctx, original.id)).status, 'adopted');
});

t.test('adoption at a stale version is refused; otherwise it records when it happened and the day it took effect', async (t) => {
  const decision = await draft({ boardMeetingDate: '2026-01-22' });
  await t.rejects(adoptDecision(ctx, secretariat, decision.id, STALE), { code: 'PRECONDITION_FAILED' });
  t.equal((await getDecision(ctx, decision.id)).status, 'draft');
  const { result: adopted, events, published } = await emittedBy(ctx.database, () => adoptDecision(ctx, secretariat, decision.id, at(decision), { adoptedOn: '2026-02-02' }));
  t.match(adopted, { status: 'adopted', adoptedAt: '2026-03-01T12:00:00.000Z', adoptedOn: '2026-02-02', fundCoverage: { uncommittedCentsBefore: 0, sufficient: false } });
  t.same(adopted, await getDecision(ctx, decision.id), 'returned as stored');
  t.same(events.map((e) => [e.action, e.resourceId]), [['decision.adopted', decision.id], ['decision.fund_insufficient', decision.id]], 'the fund did not cover it: flagged');
  t.same(events.map((e) => e.data), [{ decision: adopted }, { decision: adopted }]);
  t.same(published, ['decision.adopted', 'decision.fund_insufficient']);
  await t.rejects(adoptDecision(ctx, secretariat, decision.id, at(adopted)), { code: 'DECISION_TRANSITION_NOT_ALLOWED' }, 'adopted once');
});

t.test('adoption covered by the fund records decision.adopted alone, and decision.splitting_suspected when it is suspected', async (t) => {
  await fundTheRegister(admin, centre.maastricht.id);
  const other = await createOrganisation(admin, { kind: 'applicant', name: 'Ambitieus MKB' });
  const adoptEvents = async (id: string) => (await emittedBy(ctx.database, () => adoptDecision(ctx, secretariat, id))).events.map((e) => e.action);
  t.same(await adoptEvents((await draft({ applicantOrganisationId: other.id, commitments: [in2026(6_000_000)] })).id), ['decision.adopted']);
  const second = await draft({ applicantOrganisationId: other.id, commitments: [in2026(5_000_000)] });
  t.same(await adoptEvents(second.id), ['decision.adopted', 'decision.splitting_suspected'], 'with the first, the applicant reaches the threshold in 2026');
  t.match(await getDecision(ctx, second.id), { status: 'adopted', splitting: { suspected: true, cumulativeCents: 11_000_000 } });
});

t.test('withdrawal at a stale version is refused; otherwise recorded and published with its reason', async (t) => {
  const decision = await draft();
  await t.rejects(withdrawDecision(ctx, secretariat, decision.id, 'Aanvraag ingetrokken', STALE), { code: 'PRECONDITION_FAILED' });
  const { result: withdrawn, events, published } = await emittedBy(ctx.database, () => withdrawDecision(ctx, secretariat, decision.id, 'Aanvraag ingetrokken', at(decision)));
  t.match(withdrawn, { status: 'withdrawn', withdrawalReason: 'Aanvraag ingetrokken', withdrawnAt: RFC3339_UTC });
  t.same(events, [{ action: 'decision.withdrawn', resourceType: 'decision', resourceId: decision.id, data: { reason: 'Aanvraag ingetrokken', decision: withdrawn } }]);
  t.same(published, ['decision.withdrawn']);
  const adopted = await adoptDecision(ctx, secretariat, (await draft()).id);
  await t.rejects(withdrawDecision(ctx, secretariat, adopted.id, 'Te laat'), { code: 'DECISION_TRANSITION_NOT_ALLOWED' });
});

t.test('documents are added after those a decision has, in any state but withdrawn; the event names only the new ones', async (t) => {
  const minutes = { title: 'Notulen', url: 'https://eszl.example/notulen.pdf', kind: 'other' as const, issuedOn: '2026-02-20' };
  const decision = await bindingDecision(admin, centreIds, [in2026(20_000_000)], { decidedOn: '2026-02-20' });
  const existing = decision.documents;
  const { result: updated, events, published } = await emittedBy(ctx.database, () => addDocuments(ctx, secretariat, decision.id, [minutes]));
  const added = { ...minutes, registrationNumber: null, sha256: null };
  t.equal(updated.status, 'ratified');
  t.same(updated.documents, [...existing, added]);
  t.same(events, [{ action: 'decision.document_added', resourceType: 'decision', resourceId: decision.id, data: { decision: updated, documents: [added] } }]);
  t.same(published, ['decision.document_added']);

  const withdrawn = await withdrawDecision(ctx, secretariat, (await draft()).id, 'Ingetrokken');
  await t.rejects(addDocuments(ctx, secretariat, withdrawn.id, [minutes]), { code: 'DECISION_TRANSITION_NOT_ALLOWED' });
  await t.rejects(addDocuments(ctx, secretariat, randomUUID(), [{ ...minutes, url: 'ftp://eszl.example/x' }]), { code: 'VALIDATION_FAILED', errors: [{ path: '/documents/0/url' }] }, 'checked before the decision is looked up');
  const full = await draft({ documents: Array.from({ length: 20 }, (_, i) => ({ ...DOCUMENT, title: `Stuk ${i + 1}` })) });
  await t.rejects(addDocuments(ctx, secretariat, full.id, [minutes]), { code: 'VALIDATION_FAILED', errors: [{ path: '/documents' }] }, 'at most 20');
  t.equal((await getDecision(ctx, full.id)).documents.length, 20);
});

t.test('reads: an unknown decision is RESOURCE_NOT_FOUND, with a view cache or without; a bad date range names its fields', async (t) => {
  await t.rejects(getDecision(ctx, randomUUID()), { code: 'RESOURCE_NOT_FOUND' });
  const cached: ServiceContext = { ...ctx, decisionViews: new DecisionViewCache(10) };
  const render = (decision: Decision) => ({ body: Buffer.from(JSON.stringify(decision)), etag: etagOf(decision) });
  await t.rejects(getDecisionRendered(cached, randomUUID(), render), { code: 'RESOURCE_NOT_FOUND' });
  await t.rejects(getDecisionRendered(ctx, randomUUID(), render), { code: 'RESOURCE_NOT_FOUND' });

  const serialise = (decision: Decision) => JSON.stringify(decision);
  const list = (filter: Parameters<typeof listDecisionsRendered>[1]) => listDecisionsRendered(ctx, filter, undefined, 10, serialise);
  const reversed = await refusalOf(list({ boardMeetingDateFrom: '2026-02-01', boardMeetingDateTo: '2026-01-31' }));
  t.same(problemsOf(reversed), [[undefined, '/boardMeetingDateFrom']]);
  const yearZero = await refusalOf(list({ boardMeetingDateFrom: '0000-01-01', boardMeetingDateTo: '0000-12-31' }));
  t.same(problemsOf(yearZero).map(([, path]) => path), ['/boardMeetingDateFrom', '/boardMeetingDateTo']);
  t.equal(yearZero.code, 'VALIDATION_FAILED');
  const one = await draft();
  const page = await list({ reference: one.reference, boardMeetingDateFrom: '2026-01-22', boardMeetingDateTo: '2026-01-22' });
  t.same(page.items.map((item) => item.toString('utf8')), [serialise(one)], 'a range of one day is valid');
});
