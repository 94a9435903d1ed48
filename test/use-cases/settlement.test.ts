import t, { type Test } from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import type { DocumentInput } from '../../src/domain/documents.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import { etagOf, type ExpectedVersion } from '../../src/use-cases/etag.js';
import { settleDecision, type SettlementInput } from '../../src/use-cases/settlement.js';
import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { startTestApp } from '../helpers/app.js';
import { amend, bindingDecision, decisionBody, paid, reference } from '../helpers/after-adoption.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme, getDecision } from '../helpers/factories.js';
import { auditMark, refusedWithoutWriting, writtenSince } from '../helpers/written.js';

/**
 * settleDecision called directly: the expected version first, then a state that allows no
 * settlement (answered alone), then every other problem together (the settlement's own, then its
 * documents, then room for them on the decision); what it writes is the settled decision, its
 * documents appended to the decision's, and one published decision.settled. Decisions are set up
 * over HTTP; today is 2026-04-15.
 */
const clock = fixedClock('2026-04-15T10:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const caller: Caller = { principal: { keyId: null, role: 'secretariat', organisationId: null } };
const centre = await createCentreMunicipalities(admin);
const centreIds = [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id];
const programme = await createProgramme(admin);
const at = (etag: string): ExpectedVersion => ({ matches: (current) => current === etag });
const refused = (t: Test, change: () => Promise<unknown>, code: string, paths?: string[]) => refusedWithoutWriting(t, db.database, change, code, paths);

const document = (title: string, url = `https://eszl.nl/besluiten/${encodeURIComponent(title)}.pdf`): DocumentInput => ({ title, url, kind: 'board_decision' });
const small = () => bindingDecision(admin, centreIds, [{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]);
function settlement(decision: Decision, finals: number[], overrides: Partial<SettlementInput> = {}): SettlementInput {
  return {
    settledOn: '2026-04-15',
    reference: reference('VS'),
    finalAmounts: decision.commitments.map((c, i) => ({ commitmentId: c.id, amountCents: finals[i]! })),
    ...overrides,
  };
}

t.test('settling writes the final amounts, the settlement and its documents after the decision\'s, and emits decision.settled', async (t) => {
  const draft = await createDecision(admin, decisionBody(
    [{ programmeId: programme.id, year: 2026, amountCents: 600_000 }, { programmeId: programme.id, year: 2027, amountCents: 400_000 }],
    { documents: [document('Principebesluit')] },
  ));
  const adopted = await adopt(admin, draft.id, 'adopted');
  await paid(admin, adopted.id, adopted.commitments[0]!.id, 250_000, '2026-04-15');
  const current = await getDecision(admin, adopted.id);

  const mark = await auditMark(db.database);
  const settled = await settleDecision(ctx, caller, adopted.id, settlement(current, [500_000, 0], { reference: 'ESZL-VS-1', documents: [document('Vaststellingsbesluit')] }), at(etagOf(current)));
  t.equal(settled.status, 'settled');
  t.match(settled.settlement, { settledOn: '2026-04-15', reference: 'ESZL-VS-1' });
  t.same(settled.commitments.map((c) => [c.amountCents, c.finalAmountCents, c.disbursedCents]), [[600_000, 500_000, 250_000], [400_000, 0, 0]]);
  t.same(settled.documents.map((d) => d.title), ['Principebesluit', 'Vaststellingsbesluit'], "the settlement's documents after the decision's");
  t.same(await getDecision(admin, adopted.id), settled, 'the answer is the decision as stored');

  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => [e.action, e.resourceId, e.actorRole]), [['decision.settled', adopted.id, 'secretariat']]);
  t.same(written.events[0]!.data, { decision: settled });
  t.same(written.outbox.map((o) => [o.eventType, o.resourceId]), [['decision.settled', adopted.id]], 'a published event: its outbox row');
});

t.test('the expected version is checked first: stale is PRECONDITION_FAILED whatever the state; current lets the state answer', async (t) => {
  const decision = await small();
  await refused(t, () => settleDecision(ctx, caller, decision.id, settlement(decision, [1_000_000]), at('"stale"')), 'PRECONDITION_FAILED');
  const settled = await settleDecision(ctx, caller, decision.id, settlement(decision, [1_000_000]));
  await refused(t, () => settleDecision(ctx, caller, decision.id, settlement(decision, [1_000_000]), at(etagOf(decision))), 'PRECONDITION_FAILED');
  await refused(t, () => settleDecision(ctx, caller, decision.id, settlement(decision, [1_000_000]), at(etagOf(settled))), 'DECISION_TRANSITION_NOT_ALLOWED');
});

t.test('a state that allows no settlement is answered alone, whatever else is wrong', async (t) => {
  const draft = await createDecision(admin, decisionBody([{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }]));
  const error = await refused(
    t,
    () => settleDecision(ctx, caller, draft.id, { settledOn: '2026-05-01', reference: 'VS', finalAmounts: [], documents: [document('Plain', 'http://eszl.nl/x.pdf')] }),
    'DECISION_TRANSITION_NOT_ALLOWED',
  );
  t.equal(error?.problems.length, 1, 'one problem');
  await refused(t, () => settleDecision(ctx, caller, '00000000-0000-4000-8000-000000000000', settlement(draft, [1])), 'RESOURCE_NOT_FOUND');
});

t.test('every other problem is answered together: the live amendment first, then the settlement, then its documents', async (t) => {
  const decision = await small();
  await paid(admin, decision.id, decision.commitments[0]!.id, 600_000, '2026-04-15');
  await amend(admin, decision.id, [{ programmeId: programme.id, year: 2026, amountCents: 900_000 }]);
  const error = await refused(
    t,
    () => settleDecision(ctx, caller, decision.id, settlement(decision, [500_000], { settledOn: '2026-04-16', documents: [document('Plain', 'http://eszl.nl/x.pdf')] })),
    'AMENDMENT_IN_PROGRESS',
  );
  t.same(
    error?.errors?.map((e) => [e.code, e.path]),
    [
      ['AMENDMENT_IN_PROGRESS', '/'],
      ['SETTLEMENT_DATE_OUT_OF_RANGE', '/settledOn'],
      ['AMOUNT_BELOW_DISBURSED', '/finalAmounts/0/amountCents'],
      ['VALIDATION_FAILED', '/documents/0/url'],
    ],
  );
  t.equal((await getDecision(admin, decision.id)).status, 'adopted', 'not settled');
});

t.test('the documents of the decision and of the settlement together are at most 20', async (t) => {
  const nineteen = Array.from({ length: 19 }, (_, i) => document(`Stuk ${i + 1}`));
  const draft = await createDecision(admin, decisionBody([{ programmeId: programme.id, year: 2026, amountCents: 1_000_000 }], { documents: nineteen }));
  const decision = await adopt(admin, draft.id, 'adopted');
  const error = await refused(
    t,
    () => settleDecision(ctx, caller, decision.id, settlement(decision, [2_000_000], { documents: [document('Vaststelling'), document('Bijlage')] })),
    'AMOUNT_OUT_OF_RANGE',
  );
  t.same(
    error?.errors?.map((e) => [e.code, e.path, e.message]),
    [
      ['AMOUNT_OUT_OF_RANGE', '/finalAmounts/0/amountCents', 'must not exceed the committed 1000000'],
      ['VALIDATION_FAILED', '/documents', 'at most 1 more documents'],
    ],
    'the amount, then the room for documents, in one answer',
  );
  const settled = await settleDecision(ctx, caller, decision.id, settlement(decision, [1_000_000], { documents: [document('Vaststelling')] }));
  t.equal(settled.documents.length, 20, 'one more fits');
});
