import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Condition, Decision } from '../../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../../helpers/app.js';
import { okJson, problemOf, sortedErrorPaths } from '../../../helpers/assertions.js';
import { amend, bindingDecision, decisionBody, pay, ratify, settle } from '../../../helpers/after-adoption.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, getDecision } from '../../../helpers/factories.js';

/** POST /decisions/{id}/conditions: conditions set after adoption, some of which block payments. Today is 2026-03-01. */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);
const small = [{ programmeId: programme.id, year: 2026, amountCents: 5_000_000 }];
const large = [{ programmeId: programme.id, year: 2026, amountCents: 20_000_000 }];

const addCondition = (id: string, body: unknown, key?: string) => (key ? ctx.as(key) : admin).post(`/api/v1/decisions/${id}/conditions`, body);

async function inState(status: Decision['status']): Promise<Decision> {
  if (status === 'adopted') return bindingDecision(admin, centreIds, small);
  if (status === 'ratified') return bindingDecision(admin, centreIds, large);
  const draft = await createDecision(admin, decisionBody(status === 'superseded' || status === 'settled' ? small : large));
  if (status === 'draft') return draft;
  if (status === 'withdrawn') {
    await admin.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'Ingetrokken' });
    return getDecision(admin, draft.id);
  }
  if (status === 'superseded' || status === 'settled') {
    const adopted = await adopt(admin, draft.id, 'adopted');
    if (status === 'settled') return okJson<Decision>(t, await settle(admin, adopted, [5_000_000]));
    await adopt(admin, (await amend(admin, adopted.id, small)).id, 'adopted');
    return getDecision(admin, adopted.id);
  }
  const pending = await adopt(admin, draft.id, 'pending_ratification');
  if (status === 'rejected') {
    await admin.post(`/api/v1/decisions/${draft.id}/votes`, { municipalityId: centre.heerlen.id, outcome: 'reject', decidedOn: '2026-02-20' });
    return getDecision(admin, draft.id);
  }
  return pending;
}

const monitoring = { description: 'Monitoringsrapportage plaatsingen Q1 2026', dueDate: '2026-04-30', blocksDisbursement: true, reference: 'ESZL-2026-031' };

t.test('a condition is added while the decision awaits the colleges, is adopted or ratified', async (t) => {
  for (const status of ['pending_ratification', 'adopted', 'ratified'] as const) {
    const decision = await inState(status);
    const condition = okJson<Condition>(t, await addCondition(decision.id, monitoring), 201);
    t.match(condition, { ...monitoring, status: 'open', fulfilledOn: null, evidence: null, fulfilledLate: false, documents: [] }, status);
    const after = await getDecision(admin, decision.id);
    t.same(after.conditions.at(-1), condition, `${status}: the decision shows it last`);
    t.equal(after.status, status, `${status}: the state stays`);
  }
});

t.test('without blocksDisbursement and reference the condition does not block and has no reference', async (t) => {
  const decision = await inState('adopted');
  const condition = okJson<Condition>(t, await addCondition(decision.id, { description: 'Eindrapportage', dueDate: '2026-02-01' }), 201);
  t.match(condition, { blocksDisbursement: false, reference: null, status: 'overdue' });
});

t.test('any other state answers 409; an unknown decision 404', async (t) => {
  for (const status of ['draft', 'rejected', 'withdrawn', 'superseded', 'settled'] as const) {
    const decision = await inState(status);
    t.equal(decision.status, status);
    problemOf(t, await addCondition(decision.id, monitoring), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
    t.equal((await getDecision(admin, decision.id)).conditions.length, 0, `${status}: nothing was added`);
  }
  problemOf(t, await addCondition(randomUUID(), monitoring), 404, 'RESOURCE_NOT_FOUND');
});

t.test('invalid input answers 400 with every problem at once', async (t) => {
  const decision = await inState('adopted');
  const problem = problemOf(t, await addCondition(decision.id, { dueDate: '2026-02-30', blocksDisbursement: 'yes', extra: 1 }), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(problem), ['/blocksDisbursement', '/description', '/dueDate', '/extra'].sort());
});

t.test('only the secretariat and admin add conditions', async (t) => {
  const decision = await inState('adopted');
  for (const role of ['reader', 'auditor']) {
    problemOf(t, await addCondition(decision.id, monitoring, (await createKey(admin, role)).key), 403, 'FORBIDDEN');
  }
  okJson(t, await addCondition(decision.id, monitoring, (await createKey(admin, 'secretariat')).key), 201);
});

t.test('a blocking condition added after adoption stops payments until it is fulfilled; the event carries it', async (t) => {
  const decision = await inState('ratified');
  const commitment = decision.commitments[0]!;
  okJson(t, await pay(admin, decision.id, commitment.id, 1_000_000), 201);
  const condition = okJson<Condition>(t, await addCondition(decision.id, monitoring), 201);
  problemOf(t, await pay(admin, decision.id, commitment.id, 1_000_000), 409, 'CONDITION_BLOCKS_DISBURSEMENT');
  okJson(t, await admin.post(`/api/v1/decisions/${decision.id}/conditions/${condition.id}/fulfil`, { fulfilledOn: '2026-03-01', evidence: 'Rapportage ontvangen' }));
  okJson(t, await pay(admin, decision.id, commitment.id, 1_000_000), 201);

  const events = okJson<{ items: { action: string; data: { condition?: Condition; decision?: Decision } }[] }>(
    t,
    await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${decision.id}`),
  ).items;
  const added = events.find((e) => e.action === 'condition.added');
  t.same(added?.data.condition, condition, 'condition.added carries the condition');
  t.equal(added?.data.decision?.conditions.length, 1, 'and the decision after the change');
});

t.test('a blocking condition given at creation blocks payments once the decision binds', async (t) => {
  const draft = await createDecision(admin, decisionBody(large, { conditions: [{ description: 'Resultaatcriteria', dueDate: '2026-02-15', blocksDisbursement: true, reference: 'K-1' }] }));
  t.match(draft.conditions[0], { blocksDisbursement: true, reference: 'K-1' });
  await adopt(admin, draft.id, 'pending_ratification');
  const ratified = await ratify(admin, draft.id, centreIds, '2026-02-20');
  problemOf(t, await pay(admin, ratified.id, ratified.commitments[0]!.id, 1), 409, 'CONDITION_BLOCKS_DISBURSEMENT');
});
