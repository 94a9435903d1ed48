import { randomBytes, randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Condition, Decision } from '../../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../../helpers/app.js';
import { expectStatus, okJson, problemOf, sortedErrorPaths } from '../../../helpers/assertions.js';
import { createCentreMunicipalities, createKey, createProgramme, getDecision } from '../../../helpers/factories.js';
import { decisionStates, evidence, SMALL } from '../../../helpers/decision-states.js';

/**
 * Conditions of a decision: their derived status and their fulfilment. Today
 * (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const TODAY = '2026-03-01';
const TOMORROW = '2026-03-02';

const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);

const { draftDecision, inState, fulfil } = decisionStates(admin, programme.id, centreIds);

// ---------------------------------------------------------------------------------------------
// Condition status
// ---------------------------------------------------------------------------------------------

t.test('an open condition is overdue once its due date has passed, open on and before it', async (t) => {
  const decision = await draftDecision(admin, SMALL);
  t.same(
    decision.conditions.map(({ dueDate, status, fulfilledOn, evidence }) => ({ dueDate, status, fulfilledOn, evidence })),
    [
      { dueDate: '2026-02-15', status: 'overdue', fulfilledOn: null, evidence: null },
      { dueDate: '2026-03-01', status: 'open', fulfilledOn: null, evidence: null },
      { dueDate: '2026-03-02', status: 'open', fulfilledOn: null, evidence: null },
    ],
  );
  const listed = okJson<{ items: Decision[] }>(t, await admin.get(`/api/v1/decisions?programmeId=${programme.id}&limit=200`));
  const inList = listed.items.find((item) => item.id === decision.id);
  t.same(inList?.conditions, decision.conditions, 'the list derives the same status');
});

t.test('condition status and fulfilment use today in Europe/Amsterdam, not the UTC date', async (t) => {
  // 2026-02-28T23:30Z is already 2026-03-01 00:30 in Amsterdam (CET, UTC+1).
  const late = await startTestApp(t, { clock: fixedClock('2026-02-28T23:30:00Z') });
  const ownProgramme = await createProgramme(late.admin);
  const res = await late.admin.post('/api/v1/decisions', {
    reference: `PB-${randomBytes(5).toString('hex')}`,
    title: 'Principebesluit',
    boardMeetingDate: '2026-01-22',
    commitments: [{ programmeId: ownProgramme.id, year: 2026, amountCents: 1_000_000 }],
    conditions: [
      { description: 'Vervalt op 28 februari', dueDate: '2026-02-28' },
      { description: 'Vervalt op 1 maart', dueDate: '2026-03-01' },
    ],
  });
  const draft = okJson<Decision>(t, res, 201);
  t.same(draft.conditions.map((c) => c.status), ['overdue', 'open'], 'in Amsterdam 2026-02-28 has passed');
  expectStatus(await late.admin.post(`/api/v1/decisions/${draft.id}/adopt`), 200, 'adopt');
  const conditionId = draft.conditions[0]!.id;
  problemOf(
    t,
    await fulfil(late.admin, draft.id, conditionId, { fulfilledOn: '2026-03-02', evidence: 'Te vroeg' }),
    400,
    'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE',
  );
  const condition = okJson<Condition>(t, await fulfil(late.admin, draft.id, conditionId, { fulfilledOn: '2026-03-01', evidence: 'Net op tijd' }));
  t.equal(condition.fulfilledOn, '2026-03-01');
  t.equal(condition.status, 'fulfilled');
});

// ---------------------------------------------------------------------------------------------
// Fulfilling a condition
// ---------------------------------------------------------------------------------------------

for (const status of ['pending_ratification', 'adopted', 'ratified']) {
  t.test(`fulfilling a condition of a ${status} decision answers 200 with the fulfilled condition`, async (t) => {
    const decision = await inState(status);
    const overdue = decision.conditions[0]!;
    t.equal(overdue.status, 'overdue');
    const condition = okJson<Condition>(t, await fulfil(admin, decision.id, overdue.id, evidence));
    t.same(Object.keys(condition).sort(), [
      'blocksDisbursement',
      'description',
      'documents',
      'dueDate',
      'evidence',
      'fulfilledLate',
      'fulfilledOn',
      'id',
      'indicatorIds',
      'reference',
      'status',
    ]);
    t.same(condition, {
      id: overdue.id,
      description: overdue.description,
      dueDate: '2026-02-15',
      status: 'fulfilled',
      fulfilledOn: '2026-02-14',
      evidence: evidence.evidence,
      blocksDisbursement: false,
      fulfilledLate: false,
      reference: null,
      documents: [],
      indicatorIds: [],
    });
    const after = await getDecision(admin, decision.id);
    t.equal(after.status, status, 'the decision keeps its status');
    t.same(after.conditions[0], condition, 'the decision shows the fulfilled condition');
    t.same(after.conditions.slice(1), decision.conditions.slice(1), 'the other conditions are untouched');
  });
}

t.test('a fulfilment dated today is accepted, even after the due date', async (t) => {
  const decision = await inState('adopted');
  const condition = okJson<Condition>(
    t,
    await fulfil(admin, decision.id, decision.conditions[0]!.id, { fulfilledOn: TODAY, evidence: 'Laat maar compleet' }),
  );
  t.equal(condition.status, 'fulfilled');
  t.equal(condition.fulfilledOn, TODAY);
});

t.test('a secretariat key can fulfil a condition; college, auditor and reader keys cannot (403)', async (t) => {
  const decision = await inState('adopted');
  for (const [role, organisationId] of [['college', centre.heerlen.id], ['auditor'], ['reader']] as [string, string?][]) {
    const client = ctx.as((await createKey(admin, role, organisationId)).key);
    problemOf(t, await fulfil(client, decision.id, decision.conditions[1]!.id, evidence), 403, 'FORBIDDEN');
  }
  t.same((await getDecision(admin, decision.id)).conditions, decision.conditions, 'nothing was fulfilled');
  const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
  const condition = okJson<Condition>(t, await fulfil(secretariat, decision.id, decision.conditions[1]!.id, evidence));
  t.equal(condition.status, 'fulfilled');
});

for (const status of ['draft', 'rejected', 'withdrawn']) {
  t.test(`fulfilling a condition of a ${status} decision answers 409 and changes nothing`, async (t) => {
    const decision = await inState(status);
    problemOf(t, await fulfil(admin, decision.id, decision.conditions[0]!.id, evidence), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
    t.same(await getDecision(admin, decision.id), decision, 'the decision is unchanged');
  });
}

t.test('fulfilling a condition a second time answers 409 CONDITION_NOT_FULFILLABLE', async (t) => {
  const decision = await inState('pending_ratification');
  const conditionId = decision.conditions[1]!.id;
  const first = okJson<Condition>(t, await fulfil(admin, decision.id, conditionId, evidence));
  problemOf(t, await fulfil(admin, decision.id, conditionId, evidence), 409, 'CONDITION_NOT_FULFILLABLE');
  problemOf(
    t,
    await fulfil(admin, decision.id, conditionId, { fulfilledOn: '2026-02-28', evidence: 'Ander bewijs' }),
    409,
    'CONDITION_NOT_FULFILLABLE',
  );
  t.same((await getDecision(admin, decision.id)).conditions[1], first, 'the first fulfilment stands');
});

t.test('fulfilling an unknown condition answers 404 RESOURCE_NOT_FOUND', async (t) => {
  const decision = await inState('adopted');
  problemOf(t, await fulfil(admin, decision.id, randomUUID(), evidence), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await fulfil(admin, randomUUID(), decision.conditions[0]!.id, evidence), 404, 'RESOURCE_NOT_FOUND');
});

t.test('fulfilling a condition of another decision answers 404 and fulfils nothing', async (t) => {
  const one = await inState('adopted');
  const other = await inState('adopted');
  problemOf(t, await fulfil(admin, one.id, other.conditions[0]!.id, evidence), 404, 'RESOURCE_NOT_FOUND');
  t.same(await getDecision(admin, one.id), one);
  t.same(await getDecision(admin, other.id), other);
});

t.test('a fulfilment dated after today answers 400 CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', async (t) => {
  const decision = await inState('adopted');
  const problem = problemOf(
    t,
    await fulfil(admin, decision.id, decision.conditions[2]!.id, { fulfilledOn: TOMORROW, evidence: 'Vooruitgelopen' }),
    400,
    'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE',
  );
  t.same(sortedErrorPaths(problem), ['/fulfilledOn']);
  t.same(await getDecision(admin, decision.id), decision, 'nothing was fulfilled');
});

t.test('a fulfilment without evidence or with an invalid date answers 400 VALIDATION_FAILED', async (t) => {
  const decision = await inState('adopted');
  const conditionId = decision.conditions[0]!.id;
  const noEvidence = problemOf(t, await fulfil(admin, decision.id, conditionId, { fulfilledOn: '2026-02-14' }), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(noEvidence), ['/evidence']);
  problemOf(t, await fulfil(admin, decision.id, conditionId, { fulfilledOn: '2026-02-14', evidence: '' }), 400, 'VALIDATION_FAILED');
  const both = problemOf(t, await fulfil(admin, decision.id, conditionId, { fulfilledOn: '2026-02-30' }), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(both), ['/evidence', '/fulfilledOn'], 'every problem at once');
  problemOf(t, await fulfil(admin, decision.id, 'not-a-uuid', evidence), 400, 'VALIDATION_FAILED');
  t.same(await getDecision(admin, decision.id), decision, 'nothing was fulfilled');
});
