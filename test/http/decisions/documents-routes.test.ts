import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { Condition, Decision } from '../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../helpers/app.js';
import { expectStatus, okJson, problemOf } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme, getDecision } from '../../helpers/factories.js';

/**
 * The legal basis of a decision as data: documents (https, optional hash and registration
 * number, at most 20) on the decision, added in any state but withdrawn, and on condition
 * fulfilment; related decisions of this register or outside it; fulfilment dates between the
 * board meeting and today, and fulfilledLate. Today (Europe/Amsterdam) is 2026-03-01.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const SHA = 'a'.repeat(64);
const minutes = { title: 'Notulen bestuursvergadering', url: 'https://eszl.example/notulen-2026-02-10.pdf', kind: 'board_decision' };
const full = { title: 'Besluit', url: 'https://eszl.example/besluit.pdf', kind: 'board_decision', registrationNumber: 'ESZL-2026-7', sha256: SHA, issuedOn: '2026-02-10' };
const asStored = (doc: Record<string, unknown>) => ({ registrationNumber: null, sha256: null, issuedOn: null, ...doc });

function body(extra: Record<string, unknown> = {}) {
  return {
    reference: `PB-${randomBytes(5).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }],
    conditions: [{ description: 'Resultaatcriteria', dueDate: '2026-02-15' }],
    ...extra,
  };
}

async function auditActions(after: number): Promise<{ action: string; data: { documents?: unknown[]; decision: Decision } }[]> {
  return okJson<{ items: { action: string; data: { documents?: unknown[]; decision: Decision } }[] }>(t, await admin.get(`/api/v1/audit-events?afterSeq=${after}`)).items;
}
const auditHead = async () => okJson<{ count: number }>(t, await admin.get('/api/v1/audit-events/verify')).count;

t.test('a decision created with documents and related decisions shows them, every field present', async (t) => {
  const earlier = await createDecision(admin, body());
  const created = await createDecision(
    admin,
    body({
      documents: [minutes, full],
      relatedDecisions: [
        { decisionId: earlier.id, relation: 'extends' },
        { externalReference: '2023.048225', relation: 'continues' },
      ],
    }),
  );
  t.same(created.documents, [asStored(minutes), full]);
  t.same(created.relatedDecisions, [
    { decisionId: earlier.id, externalReference: null, relation: 'extends' },
    { decisionId: null, externalReference: '2023.048225', relation: 'continues' },
  ]);
  t.same(await getDecision(admin, created.id), created, 'and GET shows the same');
});

t.test('invalid documents and related decisions answer 400 listing every problem, and create nothing', async (t) => {
  const cases: [string, Record<string, unknown>, string, string[]][] = [
    ['an http URL, an upper-case hash, no title', { documents: [{ ...minutes, url: 'http://eszl.example/x.pdf' }, { ...full, sha256: SHA.toUpperCase() }, { url: minutes.url, kind: 'other' }] }, 'VALIDATION_FAILED', ['/documents/0/url', '/documents/1/sha256', '/documents/2/title']],
    ['21 documents', { documents: Array.from({ length: 21 }, () => minutes) }, 'VALIDATION_FAILED', ['/documents']],
    ['an unknown kind', { documents: [{ ...minutes, kind: 'memo' }] }, 'VALIDATION_FAILED', ['/documents/0/kind']],
    // Every problem at once: the unknown decision the first one names is reported too.
    ['a related decision naming both and one naming neither', { relatedDecisions: [{ decisionId: randomUUID(), externalReference: 'X', relation: 'extends' }, { relation: 'extends' }] }, 'VALIDATION_FAILED', ['/relatedDecisions/0', '/relatedDecisions/0/decisionId', '/relatedDecisions/1']],
    ['the relation amends (the register sets it)', { relatedDecisions: [{ externalReference: 'X', relation: 'amends' }] }, 'VALIDATION_FAILED', ['/relatedDecisions/0/relation']],
    ['an unknown related decision', { relatedDecisions: [{ externalReference: 'X', relation: 'continues' }, { decisionId: randomUUID(), relation: 'continues' }] }, 'REFERENCED_RESOURCE_NOT_FOUND', ['/relatedDecisions/1/decisionId']],
  ];
  for (const [what, extra, code, paths] of cases) {
    const before = await auditHead();
    const problem = problemOf(t, await admin.post('/api/v1/decisions', body(extra)), 400, code);
    t.same(problem.paths.sort(), paths, what);
    t.equal(await auditHead(), before, `${what}: nothing created`);
  }
});

t.test('PATCH of a draft replaces its documents and related decisions; a decision cannot relate to itself', async (t) => {
  const draft = await createDecision(admin, body({ documents: [minutes] }));
  const patched = okJson<Decision>(t, await admin.patch(`/api/v1/decisions/${draft.id}`, { documents: [full], relatedDecisions: [{ externalReference: '2024.1', relation: 'relates_to' }] }));
  t.same(patched.documents, [full]);
  t.same(patched.relatedDecisions, [{ decisionId: null, externalReference: '2024.1', relation: 'relates_to' }]);
  const self = problemOf(t, await admin.patch(`/api/v1/decisions/${draft.id}`, { relatedDecisions: [{ decisionId: draft.id, relation: 'extends' }] }), 400, 'VALIDATION_FAILED');
  t.same(self.paths, ['/relatedDecisions/0/decisionId']);
  const pending = await adopt(admin, draft.id, 'pending_ratification');
  problemOf(t, await admin.patch(`/api/v1/decisions/${pending.id}`, { documents: [] }), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
});

t.test('POST /documents adds documents in any state but withdrawn, writing decision.document_added with the whole decision', async (t) => {
  const draft = await createDecision(admin, body({ documents: [minutes] }));
  const before = await auditHead();
  const added = okJson<Decision>(t, await admin.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [full] }));
  t.same(added.documents, [asStored(minutes), full], 'appended after the ones it had');
  const [event, ...rest] = await auditActions(before);
  t.same(rest, [], 'one event');
  t.equal(event?.action, 'decision.document_added');
  t.same(event?.data.documents, [full], 'the event names the documents added');
  t.same(event?.data.decision, added, 'and carries the whole decision after the change');

  const pending = await adopt(admin, draft.id, 'pending_ratification');
  for (const municipality of Object.values(centre)) {
    expectStatus(await admin.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: municipality.id, outcome: 'approve', decidedOn: '2026-02-20' }), 201, 'vote');
  }
  const ratified = okJson<Decision>(t, await admin.post(`/api/v1/decisions/${pending.id}/documents`, { documents: [{ ...minutes, title: 'Collegebesluit Heerlen', kind: 'college_decision' }] }));
  t.equal(ratified.status, 'ratified', 'a ratified decision still gains documents and keeps its state');
  t.equal(ratified.documents.length, 3);

  const withdrawn = await createDecision(admin, body());
  expectStatus(await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Ingetrokken' }), 200, 'withdraw');
  problemOf(t, await admin.post(`/api/v1/decisions/${withdrawn.id}/documents`, { documents: [minutes] }), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await admin.post(`/api/v1/decisions/${randomUUID()}/documents`, { documents: [minutes] }), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [] }), 400, 'VALIDATION_FAILED');
});

t.test('a decision holds at most 20 documents: adding beyond answers 400 and adds nothing', async (t) => {
  const draft = await createDecision(admin, body({ documents: Array.from({ length: 18 }, () => minutes) }));
  const problem = problemOf(t, await admin.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [minutes, minutes, minutes] }), 400, 'VALIDATION_FAILED');
  t.same(problem.paths, ['/documents']);
  t.equal((await getDecision(admin, draft.id)).documents.length, 18, 'nothing was added');
  t.equal(okJson<Decision>(t, await admin.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [minutes, minutes] })).documents.length, 20, 'up to 20 fits');
});

t.test('fulfilment: documents on the condition; a date before the board meeting or after today is 400; fulfilledLate', async (t) => {
  const decision = await adopt(admin, (await createDecision(admin, body({ conditions: [
    { description: 'Resultaatcriteria', dueDate: '2026-02-15' },
    { description: 'Begroting', dueDate: '2026-02-15' },
    { description: 'Rapportage', dueDate: '2026-06-30' },
  ] }))).id, 'pending_ratification');
  const [criteria, budget, report] = decision.conditions as [Condition, Condition, Condition];
  t.same(decision.conditions.map((c) => c.fulfilledLate), [false, false, false], 'open conditions are not late, even overdue ones');
  const fulfil = (condition: Condition, payload: Record<string, unknown>) =>
    admin.post(`/api/v1/decisions/${decision.id}/conditions/${condition.id}/fulfil`, payload);

  const early = problemOf(t, await fulfil(criteria, { fulfilledOn: '2026-02-09', evidence: 'Notitie' }), 400, 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE');
  t.same(early.paths, ['/fulfilledOn'], 'the day before the board meeting');
  problemOf(t, await fulfil(criteria, { fulfilledOn: '2026-03-02', evidence: 'Notitie' }), 400, 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE');
  problemOf(t, await fulfil(criteria, { fulfilledOn: '2026-02-12', evidence: 'Notitie', documents: [{ ...minutes, url: 'ftp://x' }] }), 400, 'VALIDATION_FAILED');

  const memo = { title: 'Notitie resultaatcriteria WTMR', url: 'https://wtmr.example/criteria.pdf', kind: 'criteria' };
  const onTime = okJson<Condition>(t, await fulfil(criteria, { fulfilledOn: '2026-02-10', evidence: 'Notitie', documents: [memo] }));
  t.match(onTime, { status: 'fulfilled', fulfilledOn: '2026-02-10', fulfilledLate: false, documents: [asStored(memo)] }, 'on the board meeting day: accepted, with its documents');
  t.match(okJson<Condition>(t, await fulfil(budget, { fulfilledOn: '2026-02-16', evidence: 'Begroting' })), { fulfilledLate: true, documents: [] }, 'the day after the due date: late');
  t.match(okJson<Condition>(t, await fulfil(report, { fulfilledOn: '2026-03-01', evidence: 'Rapportage' })), { fulfilledLate: false }, 'before the due date: not late');
  t.same((await getDecision(admin, decision.id)).conditions.map((c) => c.fulfilledLate), [false, true, false], 'the decision shows the same');
});
