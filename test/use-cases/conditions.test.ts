import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import { addCondition, fulfilCondition, type FulfilmentInput } from '../../src/use-cases/conditions.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import { getDecision } from '../../src/use-cases/decisions.js';
import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { startTestApp } from '../helpers/app.js';
import { expectJson, problemsOf, refusalOf } from '../helpers/assertions.js';
import { auditHeadSeq, emittedBy } from '../helpers/audit-events.js';
import { decisionStates } from '../helpers/decision-states.js';
import { createCentreMunicipalities, createProgramme, fundTheRegister } from '../helpers/factories.js';

/**
 * Fulfilling and adding conditions, called directly: which check answers alone (an unknown
 * condition, a state that allows no fulfilment) and which are answered together, what the
 * returned condition and the event's decision hold, and that a refusal records nothing. Today is
 * 2026-03-01; the decisions' board meeting was on 2026-01-22.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const secretariat: Caller = { principal: { keyId: randomUUID(), role: 'secretariat', organisationId: null } };
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, maastricht.id);
const programme = await createProgramme(admin);
const { inState } = decisionStates(admin, programme.id, [heerlen.id, sittardGeleen.id, maastricht.id]);

const EVIDENCE: FulfilmentInput = { fulfilledOn: '2026-02-14', evidence: 'Notitie resultaatcriteria, 14 februari 2026' };
const CRITERIA = { title: 'Resultaatcriteria WTMR', url: 'https://eszl.example/docs/criteria.pdf', kind: 'criteria' as const };

async function defineIndicator(decisionId: string): Promise<string> {
  const body = { code: `IND-${randomUUID().slice(0, 8)}`, name: 'Placements', unit: 'placements', targets: [{ period: '2026', value: 60 }] };
  return expectJson<{ id: string }>(await admin.post(`/api/v1/decisions/${decisionId}/indicators`, body), 201, 'indicator').id;
}

t.test('fulfilled: the condition with its evidence, documents and indicators; the event carries it with the whole decision', async (t) => {
  const decision = await inState('adopted');
  const [first, second] = decision.conditions;
  const indicatorId = await defineIndicator(decision.id);
  const { result: condition, events, published } = await emittedBy(ctx.database, () =>
    fulfilCondition(ctx, secretariat, decision.id, first!.id, { ...EVIDENCE, documents: [CRITERIA], indicatorIds: [indicatorId] }),
  );
  t.match(condition, {
    id: first!.id,
    status: 'fulfilled',
    fulfilledOn: '2026-02-14',
    evidence: EVIDENCE.evidence,
    fulfilledLate: false,
    indicatorIds: [indicatorId],
    documents: [{ ...CRITERIA, registrationNumber: null, sha256: null, issuedOn: null }],
  });
  t.equal(events.length, 1);
  t.match(events[0], { action: 'condition.fulfilled', resourceType: 'decision', resourceId: decision.id, data: { condition } });
  const inEvent = (events[0]!.data as { decision: { conditions: { id: string; status: string }[] } }).decision.conditions;
  t.same(inEvent.map((c) => [c.id, c.status]), [[first!.id, 'fulfilled'], [second!.id, 'open'], [decision.conditions[2]!.id, 'open']], 'the decision after the change, its other conditions as they were');
  t.same(published, ['condition.fulfilled']);
  t.same((await getDecision(ctx, decision.id)).conditions[0], condition, 'stored as returned');
});

t.test('a fulfilment without documents or indicators stores none; one dated after the due date is late', async (t) => {
  const decision = await inState('ratified');
  const overdue = decision.conditions[0]!;
  const condition = await fulfilCondition(ctx, secretariat, decision.id, overdue.id, { fulfilledOn: '2026-02-28', evidence: 'Ontvangen' });
  t.match(condition, { status: 'fulfilled', fulfilledLate: true, documents: [], indicatorIds: [] });
});

t.test('an unknown decision or condition, or a condition of another decision, is RESOURCE_NOT_FOUND before any other check', async (t) => {
  const decision = await inState('draft');
  const other = await inState('adopted');
  const bad = { fulfilledOn: '2027-01-01', evidence: 'x', indicatorIds: [randomUUID()] };
  await t.rejects(fulfilCondition(ctx, secretariat, randomUUID(), decision.conditions[0]!.id, bad), { code: 'RESOURCE_NOT_FOUND' });
  await t.rejects(fulfilCondition(ctx, secretariat, decision.id, randomUUID(), bad), { code: 'RESOURCE_NOT_FOUND', message: /^Condition / });
  await t.rejects(fulfilCondition(ctx, secretariat, decision.id, other.conditions[0]!.id, bad), { code: 'RESOURCE_NOT_FOUND', message: /^Condition / });
  t.equal((await getDecision(ctx, other.id)).conditions[0]!.status, 'overdue', 'the other decision\'s condition stays open (overdue)');
});

t.test('a state that allows no fulfilment answers alone, whatever else is wrong', async (t) => {
  for (const status of ['draft', 'withdrawn', 'rejected'] as const) {
    const decision = await inState(status);
    const refusal = await refusalOf(fulfilCondition(ctx, secretariat, decision.id, decision.conditions[0]!.id, { fulfilledOn: '2027-01-01', evidence: 'x', indicatorIds: [randomUUID()] }));
    t.match(refusal, { code: 'DECISION_TRANSITION_NOT_ALLOWED', message: new RegExp(`'${status}'`) }, status);
    t.equal(refusal.problems.length, 1, `${status}: one problem`);
  }
});

t.test('a second fulfilment, a date outside board meeting..today and a foreign indicator are answered together; nothing is recorded', async (t) => {
  const decision = await inState('pending_ratification');
  const conditionId = decision.conditions[1]!.id;
  await fulfilCondition(ctx, secretariat, decision.id, conditionId, EVIDENCE);
  const foreign = await defineIndicator((await inState('draft')).id);
  const before = await auditHeadSeq(ctx.database);
  const refusal = await refusalOf(fulfilCondition(ctx, secretariat, decision.id, conditionId, { fulfilledOn: '2026-01-21', evidence: 'Opnieuw', indicatorIds: [foreign] }));
  t.equal(refusal.code, 'CONDITION_NOT_FULFILLABLE', 'the first problem decides the code');
  t.same(
    problemsOf(refusal),
    [
      ['CONDITION_NOT_FULFILLABLE', '/'],
      ['CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', '/fulfilledOn'],
      ['REFERENCED_RESOURCE_NOT_FOUND', '/indicatorIds/0'],
    ],
  );
  t.equal(await auditHeadSeq(ctx.database), before);
  t.match((await getDecision(ctx, decision.id)).conditions[1], { fulfilledOn: '2026-02-14', evidence: EVIDENCE.evidence }, 'the first fulfilment stands');
});

t.test('invalid documents are refused before the decision is even looked up', async (t) => {
  await t.rejects(
    fulfilCondition(ctx, secretariat, randomUUID(), randomUUID(), { ...EVIDENCE, documents: [{ ...CRITERIA, url: 'http://eszl.example/x.pdf' }] }),
    { code: 'VALIDATION_FAILED', errors: [{ path: '/documents/0/url' }] },
  );
});

t.test('a condition added while the decision awaits the colleges or binds: defaults, its status today, the event', async (t) => {
  for (const status of ['pending_ratification', 'adopted', 'ratified'] as const) {
    const decision = await inState(status);
    const { result: condition, events, published } = await emittedBy(ctx.database, () =>
      addCondition(ctx, secretariat, decision.id, { description: 'Tussentijdse rapportage', dueDate: '2026-02-27' }),
    );
    t.match(condition, { description: 'Tussentijdse rapportage', dueDate: '2026-02-27', status: 'overdue', blocksDisbursement: false, reference: null, fulfilledOn: null }, status);
    t.equal(events.length, 1);
    t.match(events[0], { action: 'condition.added', resourceId: decision.id, data: { condition, decision: { id: decision.id, status } } });
    const conditionsInEvent = (events[0]!.data as { decision: { conditions: { id: string }[] } }).decision.conditions.map((c) => c.id);
    t.same(conditionsInEvent, [...decision.conditions.map((c) => c.id), condition.id], 'the new condition comes last');
    t.same(published, ['condition.added']);
  }
  const decision = await inState('adopted');
  const blocking = await addCondition(ctx, secretariat, decision.id, { description: 'Bankgarantie', dueDate: '2026-06-30', blocksDisbursement: true, reference: 'BG-1' });
  t.match(blocking, { status: 'open', blocksDisbursement: true, reference: 'BG-1' });
  t.same((await getDecision(ctx, decision.id)).conditions.at(-1), blocking, 'stored as returned');
});

t.test('no condition is added to a draft, withdrawn or rejected decision, nor to an unknown one; nothing is recorded', async (t) => {
  for (const status of ['draft', 'withdrawn', 'rejected'] as const) {
    const decision = await inState(status);
    const head = await auditHeadSeq(ctx.database);
    await t.rejects(addCondition(ctx, secretariat, decision.id, { description: 'Te laat', dueDate: '2026-06-30' }), { code: 'DECISION_TRANSITION_NOT_ALLOWED' }, status);
    t.equal(await auditHeadSeq(ctx.database), head, `${status}: nothing recorded`);
    t.equal((await getDecision(ctx, decision.id)).conditions.length, decision.conditions.length);
  }
  await t.rejects(addCondition(ctx, secretariat, randomUUID(), { description: 'x', dueDate: '2026-06-30' }), { code: 'RESOURCE_NOT_FOUND' });
});
