import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { Decision } from '../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson, problemOf, RFC3339_UTC, sortedErrorPaths } from '../../helpers/assertions.js';
import { bindingDecision, decisionBody, paid, programmeFunding, reference, settle, yearOf } from '../../helpers/after-adoption.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, getDecision } from '../../helpers/factories.js';

/** POST /decisions/{id}/settle (vaststelling). Today is 2026-04-15. */
const ctx = await startTestApp(t, { clock: fixedClock('2026-04-15T10:00:00Z') });
const { admin } = ctx;
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);
const at = (year: number, amountCents: number) => ({ programmeId: programme.id, year, amountCents });

t.test('settling fixes the final amounts, releases the rest and answers the whole decision', async (t) => {
  const own = await createProgramme(admin);
  const decision = await bindingDecision(admin, centreIds, [
    { programmeId: own.id, year: 2026, amountCents: 20_000_000 },
    { programmeId: own.id, year: 2027, amountCents: 5_000_000 },
  ], { decidedOn: '2026-02-12' });
  await paid(admin, decision.id, decision.commitments[0]!.id, 8_000_000);
  const documents = [{ title: 'Vaststellingsbesluit AMKB', url: 'https://eszl.nl/besluiten/vs-amkb.pdf', kind: 'board_decision' }];
  const res = await admin.post(`/api/v1/decisions/${decision.id}/settle`, {
    settledOn: '2026-04-10',
    reference: 'ESZL-VS-2026-04',
    finalAmounts: [
      { commitmentId: decision.commitments[1]!.id, amountCents: 0 },
      { commitmentId: decision.commitments[0]!.id, amountCents: 19_000_000 },
    ],
    documents,
  });
  const settled = okJson<Decision>(t, res);
  t.equal(typeof res.headers.etag, 'string', 'with its ETag');
  t.equal(settled.status, 'settled');
  t.match(settled.settlement, { settledOn: '2026-04-10', reference: 'ESZL-VS-2026-04', settledAt: RFC3339_UTC });
  t.same(settled.commitments.map((c) => [c.amountCents, c.finalAmountCents, c.disbursedCents]), [[20_000_000, 19_000_000, 8_000_000], [5_000_000, 0, 0]]);
  t.same(settled.documents, [{ ...documents[0], registrationNumber: null, sha256: null, issuedOn: null }]);
  t.same(await getDecision(admin, decision.id), settled);

  const funding = await programmeFunding(admin, own.id);
  t.match(yearOf(funding, 2026), { bindingCents: 19_000_000, releasedCents: 1_000_000, disbursedCents: 8_000_000, remainingCents: 11_000_000 });
  t.match(yearOf(funding, 2027), { bindingCents: 0, releasedCents: 5_000_000, remainingCents: 0 });
  t.match(funding, { totalBindingCents: 19_000_000, totalReleasedCents: 6_000_000 });

  const events = (await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${decision.id}`)).json<{ items: { action: string; data: { decision: Decision } }[] }>().items;
  t.same(events.at(-1)?.action, 'decision.settled');
  t.same(events.at(-1)?.data.decision, settled);
});

t.test('finalAmounts must name every commitment once, none above its amount: 400 with every problem', async (t) => {
  const decision = await bindingDecision(admin, centreIds, [at(2026, 1_000_000), at(2027, 1_000_000)]);
  const [a, b] = decision.commitments;
  const send = (finalAmounts: { commitmentId: string; amountCents: number }[], settledOn = '2026-04-15') =>
    admin.post(`/api/v1/decisions/${decision.id}/settle`, { settledOn, reference: reference('VS'), finalAmounts });
  t.same(problemOf(t, await send([{ commitmentId: a!.id, amountCents: 1 }]), 400, 'VALIDATION_FAILED').paths, ['/finalAmounts'], 'one missing');
  t.same(
    problemOf(t, await send([{ commitmentId: a!.id, amountCents: 1 }, { commitmentId: b!.id, amountCents: 1 }, { commitmentId: a!.id, amountCents: 1 }]), 400, 'VALIDATION_FAILED').paths,
    ['/finalAmounts/2/commitmentId'],
    'one twice',
  );
  t.same(
    problemOf(t, await send([{ commitmentId: a!.id, amountCents: 1 }, { commitmentId: b!.id, amountCents: 1 }, { commitmentId: randomUUID(), amountCents: 1 }]), 400, 'REFERENCED_RESOURCE_NOT_FOUND').paths,
    ['/finalAmounts/2/commitmentId'],
    'one of another decision',
  );
  t.same(problemOf(t, await send([{ commitmentId: a!.id, amountCents: 1_000_001 }, { commitmentId: b!.id, amountCents: 1 }]), 400, 'AMOUNT_OUT_OF_RANGE').paths, ['/finalAmounts/0/amountCents'], 'above the commitment');
  const all = problemOf(t, await send([{ commitmentId: a!.id, amountCents: 1_000_001 }], '2026-04-16'), 400, 'AMOUNT_OUT_OF_RANGE');
  t.same(sortedErrorPaths(all), ['/finalAmounts', '/finalAmounts/0/amountCents', '/settledOn'], 'all at once');
  const schema = await admin.post(`/api/v1/decisions/${decision.id}/settle`, { settledOn: 'soon', finalAmounts: [], extra: true });
  t.same(sortedErrorPaths(problemOf(t, schema, 400, 'VALIDATION_FAILED')), ['/extra', '/finalAmounts', '/reference', '/settledOn']);
  t.equal((await getDecision(admin, decision.id)).status, 'adopted', 'nothing was settled');
});

t.test('settledOn before the decision bound or after today is 400', async (t) => {
  const decision = await bindingDecision(admin, centreIds, [at(2026, 20_000_000)], { decidedOn: '2026-02-12' });
  problemOf(t, await settle(admin, decision, [1], '2026-02-11'), 400, 'SETTLEMENT_DATE_OUT_OF_RANGE');
  problemOf(t, await settle(admin, decision, [1], '2026-04-16'), 400, 'SETTLEMENT_DATE_OUT_OF_RANGE');
  okJson(t, await settle(admin, decision, [1], '2026-02-12'));
});

t.test('a final amount below what was paid is 409 AMOUNT_BELOW_DISBURSED', async (t) => {
  const decision = await bindingDecision(admin, centreIds, [at(2026, 1_000_000)]);
  await paid(admin, decision.id, decision.commitments[0]!.id, 600_000, '2026-04-15');
  const problem = problemOf(t, await settle(admin, decision, [599_999], '2026-04-15'), 409, 'AMOUNT_BELOW_DISBURSED');
  t.same(problem.paths, ['/finalAmounts/0/amountCents']);
  okJson(t, await settle(admin, decision, [600_000], '2026-04-15'));
});

t.test('only an adopted or ratified decision is settled: 409 otherwise; 404 for an unknown one', async (t) => {
  const draft = await createDecision(admin, decisionBody([at(2026, 20_000_000)]));
  problemOf(t, await settle(admin, draft, [1], '2026-04-15'), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  const pending = await adopt(admin, draft.id, 'pending_ratification');
  problemOf(t, await settle(admin, pending, [1], '2026-04-15'), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  const adopted = await bindingDecision(admin, centreIds, [at(2026, 1_000_000)]);
  okJson(t, await settle(admin, adopted, [1_000_000], '2026-04-15'));
  problemOf(t, await settle(admin, adopted, [1_000_000], '2026-04-15'), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await settle(admin, { ...adopted, id: randomUUID() }, [1]), 404, 'RESOURCE_NOT_FOUND');
});

t.test('If-Match is honoured: a stale ETag is 412, the current one settles', async (t) => {
  const decision = await bindingDecision(admin, centreIds, [at(2026, 1_000_000)]);
  const etag = String((await admin.get(`/api/v1/decisions/${decision.id}`)).headers.etag);
  await paid(admin, decision.id, decision.commitments[0]!.id, 1, '2026-04-15');
  problemOf(t, await settle(admin, decision, [1_000_000], '2026-04-15', { 'if-match': etag }), 412, 'PRECONDITION_FAILED');
  const current = String((await admin.get(`/api/v1/decisions/${decision.id}`)).headers.etag);
  okJson(t, await settle(admin, decision, [1_000_000], '2026-04-15', { 'if-match': current }));
});

t.test('only the secretariat and admin settle', async (t) => {
  const decision = await bindingDecision(admin, centreIds, [at(2026, 1_000_000)]);
  for (const role of ['reader', 'auditor']) problemOf(t, await settle(ctx.as((await createKey(admin, role)).key), decision, [1], '2026-04-15'), 403, 'FORBIDDEN');
  okJson(t, await settle(ctx.as((await createKey(admin, 'secretariat')).key), decision, [1], '2026-04-15'));
});
