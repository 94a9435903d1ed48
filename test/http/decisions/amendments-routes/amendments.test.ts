import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Decision } from '../../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../../helpers/app.js';
import { okJson, problemOf } from '../../../helpers/assertions.js';
import { amend, bindingDecision, decisionBody, paid, pay, programmeFunding, ratify, settle, yearOf } from '../../../helpers/after-adoption.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, fundTheRegister, getDecision } from '../../../helpers/factories.js';

/** POST /decisions/{id}/amendments and what happens when an amendment binds. Today is 2026-03-01. */
const ctx = await startTestApp(t, { clock: fixedClock('2026-03-01T12:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
await fundTheRegister(admin, centre.heerlen.id);

async function fixture() {
  const programme = await createProgramme(admin);
  const at = (year: number, amountCents: number) => ({ programmeId: programme.id, year, amountCents });
  return { programme, at };
}

const postAmendment = (id: string, body: Record<string, unknown>) => admin.post(`/api/v1/decisions/${id}/amendments`, body);

async function eventsOf(id: string): Promise<{ seq: number; action: string; data: { decision?: Decision; supersededBy?: string } }[]> {
  const res = await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${id}`);
  return res.json<{ items: { seq: number; action: string; data: { decision?: Decision; supersededBy?: string } }[] }>().items;
}

t.test('an amendment is a new draft that amends the decision, with the full new set of commitments', async (t) => {
  const { at } = await fixture();
  const original = await bindingDecision(admin, centreIds, [at(2026, 20_250_000)]);
  const res = await postAmendment(original.id, decisionBody([at(2026, 25_000_000), at(2027, 1_000_000)], { reference: 'WIJZ-1' }));
  const amendment = okJson<Decision>(t, res, 201);
  t.match(amendment, { status: 'draft', amends: original.id, reference: 'WIJZ-1', totalAmountCents: 26_000_000 });
  t.same(amendment.relatedDecisions, [{ decisionId: original.id, externalReference: null, relation: 'amends' }]);
  t.same(amendment.commitments.map((c) => [c.year, c.amountCents, c.disbursedCents]), [[2026, 25_000_000, 0], [2027, 1_000_000, 0]]);
  t.equal(amendment.ratification.required, true, 'an increase reaching the threshold will need the colleges');
  t.same(await getDecision(admin, amendment.id), amendment, 'read back the same');
  t.equal((await getDecision(admin, original.id)).status, 'ratified', 'the original is untouched');
});

t.test('ratification.required on a draft amendment follows the increase rule', async (t) => {
  const { at } = await fixture();
  const original = await bindingDecision(admin, centreIds, [at(2026, 20_000_000)]);
  t.equal((await amend(admin, original.id, [at(2026, 15_000_000)])).ratification.required, false, 'a decrease binds at once');
  const other = await bindingDecision(admin, centreIds, [at(2026, 20_000_000)]);
  t.equal((await amend(admin, other.id, [at(2026, 20_000_000)])).ratification.required, false, 'the same total binds at once');
});

t.test('amending a draft, pending, rejected, withdrawn, superseded or settled decision is 409; an unknown one 404', async (t) => {
  const { at } = await fixture();
  const body = () => decisionBody([at(2026, 1_000_000)]);
  const draft = await createDecision(admin, decisionBody([at(2026, 20_000_000)]));
  problemOf(t, await postAmendment(draft.id, body()), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  await adopt(admin, draft.id, 'pending_ratification');
  problemOf(t, await postAmendment(draft.id, body()), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  await admin.post(`/api/v1/decisions/${draft.id}/votes`, { municipalityId: centre.heerlen.id, outcome: 'reject', decidedOn: '2026-02-20' });
  problemOf(t, await postAmendment(draft.id, body()), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  const withdrawn = await createDecision(admin, body());
  await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Ingetrokken' });
  problemOf(t, await postAmendment(withdrawn.id, body()), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  const superseded = await bindingDecision(admin, centreIds, [at(2026, 1_000_000)]);
  await adopt(admin, (await amend(admin, superseded.id, [at(2026, 2_000_000)])).id, 'adopted');
  problemOf(t, await postAmendment(superseded.id, body()), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  const settled = await bindingDecision(admin, centreIds, [at(2026, 1_000_000)]);
  okJson(t, await settle(admin, settled, [1_000_000]));
  problemOf(t, await postAmendment(settled.id, body()), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await postAmendment(randomUUID(), body()), 404, 'RESOURCE_NOT_FOUND');
});

t.test('a decision with a live amendment (draft or pending) gets no second one; after a withdrawal or rejection it may', async (t) => {
  const { at } = await fixture();
  const original = await bindingDecision(admin, centreIds, [at(2026, 20_000_000)]);
  const first = await amend(admin, original.id, [at(2026, 30_000_000)]);
  problemOf(t, await postAmendment(original.id, decisionBody([at(2026, 1)])), 409, 'AMENDMENT_IN_PROGRESS');
  await adopt(admin, first.id, 'pending_ratification');
  problemOf(t, await postAmendment(original.id, decisionBody([at(2026, 1)])), 409, 'AMENDMENT_IN_PROGRESS');
  problemOf(t, await settle(admin, original, [20_000_000]), 409, 'AMENDMENT_IN_PROGRESS');
  await admin.post(`/api/v1/decisions/${first.id}/votes`, { municipalityId: centre.maastricht.id, outcome: 'reject', decidedOn: '2026-02-25' });
  t.equal((await getDecision(admin, original.id)).status, 'ratified', 'a rejected amendment leaves the original binding');
  const second = await amend(admin, original.id, [at(2026, 15_000_000)]);
  okJson(t, await admin.post(`/api/v1/decisions/${second.id}/withdraw`, { reason: 'Toch niet' }));
  t.equal((await getDecision(admin, original.id)).status, 'ratified', 'a withdrawn amendment leaves the original binding');
  await amend(admin, original.id, [at(2026, 15_000_000)]);
  t.same(yearOf(await programmeFunding(admin, original.commitments[0]!.programmeId), 2026)?.bindingCents, 20_000_000);
});

t.test('a lower amendment binds at once: the original is superseded, events in order, paid money carried over', async (t) => {
  const { programme, at } = await fixture();
  const original = await bindingDecision(admin, centreIds, [at(2026, 20_000_000), at(2027, 5_000_000)]);
  await paid(admin, original.id, original.commitments[0]!.id, 6_000_000);
  const amendment = await amend(admin, original.id, [at(2027, 4_000_000), at(2026, 7_000_000)]);
  const adopted = await adopt(admin, amendment.id, 'adopted');
  t.same(adopted.commitments.map((c) => [c.year, c.disbursedCents]), [[2027, 0], [2026, 6_000_000]], 'paid money shows on the amendment');
  const superseded = await getDecision(admin, original.id);
  t.equal(superseded.status, 'superseded');
  t.same(superseded.commitments.map((c) => c.disbursedCents), [6_000_000, 0], 'and stays recorded on the original');

  const funding = await programmeFunding(admin, programme.id);
  t.match(yearOf(funding, 2026), { bindingCents: 7_000_000, disbursedCents: 6_000_000, remainingCents: 1_000_000 });
  t.match(yearOf(funding, 2027), { bindingCents: 4_000_000, pendingCents: 0 });

  const own = await eventsOf(amendment.id);
  const adoptedAt = own.findIndex((e) => e.action === 'decision.adopted');
  t.same(own.slice(adoptedAt).map((e) => e.action), ['decision.adopted', 'decision.amended']);
  t.same(own[adoptedAt]!.data.decision, adopted, 'decision.adopted carries the amendment after the carry-over');
  const theirs = (await eventsOf(original.id)).at(-1)!;
  t.match(theirs, { action: 'decision.superseded', seq: own.at(-1)!.seq + 1, data: { supersededBy: amendment.id, decision: { status: 'superseded' } } });

  problemOf(t, await pay(admin, original.id, original.commitments[0]!.id, 1), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  okJson(t, await pay(admin, amendment.id, adopted.commitments[1]!.id, 1_000_000), 201);
  problemOf(t, await pay(admin, amendment.id, adopted.commitments[1]!.id, 1), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
});

t.test('an amendment that would leave less than was paid is refused at adoption', async (t) => {
  const { at } = await fixture();
  const original = await bindingDecision(admin, centreIds, [at(2026, 5_000_000), at(2027, 5_000_000)]);
  await paid(admin, original.id, original.commitments[1]!.id, 1);
  const dropsPaidYear = await amend(admin, original.id, [at(2026, 9_000_000)]);
  const problem = problemOf(t, await admin.post(`/api/v1/decisions/${dropsPaidYear.id}/adopt`), 409, 'AMOUNT_BELOW_DISBURSED');
  t.match(problem.detail, 'in 2027');
  t.equal((await getDecision(admin, dropsPaidYear.id)).status, 'draft', 'the amendment stays a draft');
  t.equal((await getDecision(admin, original.id)).status, 'ratified', 'the original still binds');
});

t.test('while an increase awaits the colleges, only the increase is pending and payments stay within the amendment', async (t) => {
  const { programme, at } = await fixture();
  const original = await bindingDecision(admin, centreIds, [at(2026, 20_000_000), at(2027, 2_000_000)]);
  const amendment = await amend(admin, original.id, [at(2026, 30_000_000), at(2027, 1_000_000)]);
  await adopt(admin, amendment.id, 'pending_ratification');
  const funding = await programmeFunding(admin, programme.id);
  t.match(yearOf(funding, 2026), { bindingCents: 20_000_000, pendingCents: 10_000_000 });
  t.match(yearOf(funding, 2027), { bindingCents: 2_000_000, pendingCents: 0 }, 'a decrease is never negative pending money');
  const problem = problemOf(t, await pay(admin, original.id, original.commitments[1]!.id, 1_000_001), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
  t.match(problem.detail, '(1000000 cents)', 'the amendment leaves room for EUR 10,000 in 2027');
  await paid(admin, original.id, original.commitments[1]!.id, 1_000_000);
  const ratified = await ratify(admin, amendment.id, centreIds, '2026-02-27');
  t.same(ratified.commitments.map((c) => c.disbursedCents), [0, 1_000_000]);
  t.equal((await getDecision(admin, original.id)).status, 'superseded');
  const after = await programmeFunding(admin, programme.id);
  t.match(yearOf(after, 2026), { bindingCents: 30_000_000, pendingCents: 0 });
  t.match(yearOf(after, 2027), { bindingCents: 1_000_000, disbursedCents: 1_000_000, remainingCents: 0 });
  const events = (await eventsOf(amendment.id)).map((e) => e.action);
  t.same(events.slice(-3), ['vote.cast', 'decision.ratified', 'decision.amended']);
});

t.test('an amendment of an amendment carries the whole lineage; the lineage lists every payment', async (t) => {
  const { at } = await fixture();
  const first = await bindingDecision(admin, centreIds, [at(2026, 5_000_000)]);
  const p1 = await paid(admin, first.id, first.commitments[0]!.id, 1_000_000);
  const second = await adopt(admin, (await amend(admin, first.id, [at(2026, 6_000_000)])).id, 'adopted');
  const p2 = await paid(admin, second.id, second.commitments[0]!.id, 2_000_000);
  const third = await adopt(admin, (await amend(admin, second.id, [at(2026, 3_000_000)])).id, 'adopted');
  t.same(third.commitments.map((c) => c.disbursedCents), [3_000_000]);
  const list = okJson<{ items: { id: string }[] }>(t, await admin.get(`/api/v1/decisions/${third.id}/disbursements`));
  t.same(list.items.map((d) => d.id), [p1.id, p2.id]);
  problemOf(t, await pay(admin, third.id, third.commitments[0]!.id, 1), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
});

t.test('invalid input, unknown programmes and a taken reference are refused as on create', async (t) => {
  const { at } = await fixture();
  const original = await bindingDecision(admin, centreIds, [at(2026, 5_000_000)]);
  problemOf(t, await postAmendment(original.id, { title: 'x' }), 400, 'VALIDATION_FAILED');
  const unknown = problemOf(t, await postAmendment(original.id, decisionBody([{ programmeId: randomUUID(), year: 2026, amountCents: 1 }])), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(unknown.paths, ['/commitments/0/programmeId']);
  problemOf(t, await postAmendment(original.id, decisionBody([at(2026, 1)], { reference: original.reference })), 409, 'DECISION_REFERENCE_TAKEN');
  problemOf(t, await ctx.as((await createKey(admin, 'reader')).key).post(`/api/v1/decisions/${original.id}/amendments`, decisionBody([at(2026, 1)])), 403, 'FORBIDDEN');
  await amend(admin, original.id, [at(2026, 1)]);
});
