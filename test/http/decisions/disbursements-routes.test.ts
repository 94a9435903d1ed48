import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import type { Disbursement } from '../../../src/use-cases/disbursements.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson, problemOf, RFC3339_UTC, sortedErrorPaths, UUID } from '../../helpers/assertions.js';
import { amend, bindingDecision, decisionBody, paid, pay, settle } from '../../helpers/after-adoption.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, getDecision, listAll } from '../../helpers/factories.js';

/** Payments: POST and GET /decisions/{id}/disbursements. Today is 2026-03-01. */
const TODAY = '2026-03-01';
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);
const twoYears = [
  { programmeId: programme.id, year: 2026, amountCents: 14_000_000 },
  { programmeId: programme.id, year: 2027, amountCents: 6_000_000 },
];
const small = [{ programmeId: programme.id, year: 2026, amountCents: 5_000_000 }];

t.test('a payment answers 201 with the payment; the commitment shows what was paid', async (t) => {
  const decision = await bindingDecision(admin, centreIds, twoYears, { decidedOn: '2026-02-20' });
  const [c2026] = decision.commitments;
  const res = await admin.post(`/api/v1/decisions/${decision.id}/disbursements`, {
    commitmentId: c2026!.id,
    amountCents: 7_000_000,
    paidOn: '2026-02-20',
    reference: 'BET-2026-0001',
  });
  const payment = okJson<Disbursement>(t, res, 201);
  t.match(payment, { decisionId: decision.id, commitmentId: c2026!.id, amountCents: 7_000_000, paidOn: '2026-02-20', reference: 'BET-2026-0001' });
  t.match(payment.id, UUID);
  t.match(payment.createdAt, RFC3339_UTC);
  t.same(Object.keys(payment).sort(), ['amountCents', 'commitmentId', 'createdAt', 'decisionId', 'id', 'paidOn', 'reference']);
  const after = await getDecision(admin, decision.id);
  t.same(after.commitments.map((c) => c.disbursedCents), [7_000_000, 0]);
  t.equal(after.status, 'ratified', 'a payment changes no state');

  const list = okJson<{ items: Disbursement[]; nextCursor: string | null }>(t, await admin.get(`/api/v1/decisions/${decision.id}/disbursements`));
  t.same(list, { items: [payment], nextCursor: null });
});

t.test('paying more than remains is 409 DISBURSEMENT_EXCEEDS_COMMITMENT, naming the remaining amount', async (t) => {
  const decision = await bindingDecision(admin, centreIds, small);
  const commitment = decision.commitments[0]!;
  await paid(admin, decision.id, commitment.id, 3_000_000);
  const problem = problemOf(t, await pay(admin, decision.id, commitment.id, 2_000_001), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
  t.match(problem.detail, 'EUR 20,000.00 (2000000 cents)');
  await paid(admin, decision.id, commitment.id, 2_000_000);
  problemOf(t, await pay(admin, decision.id, commitment.id, 1), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
  t.equal((await getDecision(admin, decision.id)).commitments[0]!.disbursedCents, 5_000_000);
});

t.test('only a binding decision is paid: 409 otherwise; a settled one up to its final amounts', async (t) => {
  const draft = await createDecision(admin, decisionBody(twoYears));
  problemOf(t, await pay(admin, draft.id, draft.commitments[0]!.id, 1), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  const pending = await adopt(admin, draft.id, 'pending_ratification');
  problemOf(t, await pay(admin, pending.id, pending.commitments[0]!.id, 1), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  await admin.post(`/api/v1/decisions/${pending.id}/withdraw`, { reason: 'Ingetrokken' });
  problemOf(t, await pay(admin, pending.id, pending.commitments[0]!.id, 1), 409, 'DECISION_TRANSITION_NOT_ALLOWED');

  const adopted = await bindingDecision(admin, centreIds, small);
  await adopt(admin, (await amend(admin, adopted.id, small)).id, 'adopted');
  problemOf(t, await pay(admin, adopted.id, adopted.commitments[0]!.id, 1), 409, 'DECISION_TRANSITION_NOT_ALLOWED');

  const other = await bindingDecision(admin, centreIds, small);
  okJson(t, await settle(admin, other, [4_000_000]));
  await paid(admin, other.id, other.commitments[0]!.id, 4_000_000);
  problemOf(t, await pay(admin, other.id, other.commitments[0]!.id, 1), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
});

t.test('a commitment of another decision is 400 REFERENCED_RESOURCE_NOT_FOUND; an unknown decision 404', async (t) => {
  const decision = await bindingDecision(admin, centreIds, small);
  const other = await bindingDecision(admin, centreIds, small);
  const problem = problemOf(t, await pay(admin, decision.id, other.commitments[0]!.id, 1), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(problem.paths, ['/commitmentId']);
  problemOf(t, await pay(admin, decision.id, randomUUID(), 1), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  problemOf(t, await pay(admin, randomUUID(), decision.commitments[0]!.id, 1), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await admin.get(`/api/v1/decisions/${randomUUID()}/disbursements`), 404, 'RESOURCE_NOT_FOUND');
});

t.test('paidOn before the decision bound or after today is 400', async (t) => {
  const ratified = await bindingDecision(admin, centreIds, twoYears, { decidedOn: '2026-02-20' });
  const id = ratified.commitments[0]!.id;
  t.same(problemOf(t, await pay(admin, ratified.id, id, 1, '2026-02-19'), 400, 'DISBURSEMENT_DATE_OUT_OF_RANGE').paths, ['/paidOn'], 'before the last college approved');
  problemOf(t, await pay(admin, ratified.id, id, 1, '2026-03-02'), 400, 'DISBURSEMENT_DATE_OUT_OF_RANGE');
  okJson(t, await pay(admin, ratified.id, id, 1, '2026-02-20'), 201);
  okJson(t, await pay(admin, ratified.id, id, 1, TODAY), 201);
  const adopted = await bindingDecision(admin, centreIds, small);
  problemOf(t, await pay(admin, adopted.id, adopted.commitments[0]!.id, 1, '2026-02-28'), 400, 'DISBURSEMENT_DATE_OUT_OF_RANGE');
  okJson(t, await pay(admin, adopted.id, adopted.commitments[0]!.id, 1, TODAY), 201); // adopted today, paid today
});

t.test('invalid input answers 400 with every problem at once', async (t) => {
  const decision = await bindingDecision(admin, centreIds, small);
  const res = await admin.post(`/api/v1/decisions/${decision.id}/disbursements`, { commitmentId: 'nope', amountCents: 0, paidOn: '2026-02-30' });
  t.same(sortedErrorPaths(problemOf(t, res, 400, 'VALIDATION_FAILED')), ['/amountCents', '/commitmentId', '/paidOn', '/reference']);
  for (const amountCents of [-1, 1.5, '100', 1_000_000_000_001]) {
    const bad = await admin.post(`/api/v1/decisions/${decision.id}/disbursements`, { commitmentId: decision.commitments[0]!.id, amountCents, paidOn: TODAY, reference: 'x' });
    t.same(problemOf(t, bad, 400, 'VALIDATION_FAILED').paths, ['/amountCents'], `amountCents ${amountCents}`);
  }
});

t.test('a retried payment with the same Idempotency-Key pays once', async (t) => {
  const decision = await bindingDecision(admin, centreIds, small);
  const body = { commitmentId: decision.commitments[0]!.id, amountCents: 1_000_000, paidOn: TODAY, reference: 'BET-1' };
  const first = await admin.post(`/api/v1/decisions/${decision.id}/disbursements`, body, { 'idempotency-key': 'pay-once' });
  const second = await admin.post(`/api/v1/decisions/${decision.id}/disbursements`, body, { 'idempotency-key': 'pay-once' });
  t.equal(second.statusCode, 201);
  t.equal(second.headers['idempotent-replayed'], 'true');
  t.equal(second.body, first.body);
  t.equal((await getDecision(admin, decision.id)).commitments[0]!.disbursedCents, 1_000_000);
});

t.test('payments are recorded in the audit trail with the decision after the payment', async (t) => {
  const decision = await bindingDecision(admin, centreIds, small);
  const payment = await paid(admin, decision.id, decision.commitments[0]!.id, 1_234_567);
  const events = okJson<{ items: { action: string; data: { disbursement?: Disbursement; decision?: Decision } }[] }>(
    t,
    await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${decision.id}`),
  ).items;
  const recorded = events.find((e) => e.action === 'disbursement.recorded');
  t.equal(recorded?.data.disbursement?.id, payment.id);
  t.equal(recorded?.data.decision?.commitments[0]?.disbursedCents, 1_234_567);
});

t.test('the secretariat and admin pay; every register role reads', async (t) => {
  const decision = await bindingDecision(admin, centreIds, small);
  for (const role of ['reader', 'auditor']) {
    const key = (await createKey(admin, role)).key;
    problemOf(t, await pay(ctx.as(key), decision.id, decision.commitments[0]!.id, 1), 403, 'FORBIDDEN');
    okJson(t, await ctx.as(key).get(`/api/v1/decisions/${decision.id}/disbursements`));
    okJson(t, await ctx.as(key).get('/api/v1/disbursements'));
  }
  okJson(t, await pay(ctx.as((await createKey(admin, 'secretariat')).key), decision.id, decision.commitments[0]!.id, 1), 201);
});

t.test('GET /disbursements filters by programme and year and pages by keyset', async (t) => {
  const own = await createProgramme(admin);
  const decision = await bindingDecision(admin, centreIds, [
    { programmeId: own.id, year: 2026, amountCents: 4_000_000 },
    { programmeId: own.id, year: 2027, amountCents: 4_000_000 },
  ]);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await paid(admin, decision.id, decision.commitments[i % 2]!.id, 100 + i)).id);
  const all = await listAll<Disbursement>(admin, `/api/v1/disbursements?programmeId=${own.id}`, 2);
  t.same(all.map((d) => d.id), ids, 'in creation order, over three pages of 2');
  const only2027 = await listAll<Disbursement>(admin, `/api/v1/disbursements?programmeId=${own.id}&year=2027`);
  t.same(only2027.map((d) => d.amountCents), [101, 103]);
  const ofDecision = await listAll<Disbursement>(admin, `/api/v1/decisions/${decision.id}/disbursements`, 3);
  t.same(ofDecision.map((d) => d.id), ids);
  problemOf(t, await admin.get('/api/v1/disbursements?year=1999'), 400, 'VALIDATION_FAILED');
  problemOf(t, await admin.get('/api/v1/disbursements?cursor=nonsense'), 400, 'VALIDATION_FAILED');
});
