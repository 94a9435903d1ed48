import t from 'tap';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Decision } from '../../../../src/use-cases/decision-views.js';
import type { FundingYear } from '../../../../src/use-cases/funding.js';
import { startTestApp } from '../../../helpers/app.js';
import { okJson, problemOf } from '../../../helpers/assertions.js';
import { amend, eszlFunding, paid, pay, programmeFunding, ratify, settle, yearOf } from '../../../helpers/after-adoption.js';
import { adopt, createCentreMunicipalities, createDecision, createProgramme, getDecision } from '../../../helpers/factories.js';

/**
 * The register after adoption, played as a new user would with the two decisions of the demo
 * story: WTMR's 2026 commitment is paid in two instalments once its blocking condition is
 * fulfilled, and AMKB's EUR 202,500 is amended to EUR 250,000 (which needs the colleges again),
 * then settled at EUR 240,000. After each step the programme and ESZL-wide funding views show
 * every figure. Today is 2026-04-15.
 */
const ctx = await startTestApp(t, { clock: fixedClock('2026-04-15T10:00:00Z') });
const { admin } = ctx;
const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
const colleges = [maastricht.id, heerlen.id, sittardGeleen.id];
const wtmr = await createProgramme(admin, { code: 'WTMR', name: 'Welcome to Maastricht Region' });
const amkb = await createProgramme(admin, { code: 'AMKB', name: 'Ambitieus MKB' });

/** The money figures of one year, without the share. */
const figures = (year: FundingYear | undefined) =>
  year && {
    bindingCents: year.bindingCents,
    pendingCents: year.pendingCents,
    disbursedCents: year.disbursedCents,
    releasedCents: year.releasedCents,
    remainingCents: year.remainingCents,
  };

async function amkb2026() {
  return figures(yearOf(await programmeFunding(admin, amkb.id), 2026));
}

let wtmrDecision: Decision;
let amkbDecision: Decision;

t.test('the two decisions of 2025-11-19 are ratified', async () => {
  wtmrDecision = await createDecision(admin, {
    reference: 'ESZL-PB-2025-11-19-WTMR',
    title: 'Principebesluit bijdrage Welcome to Maastricht Region 2026-2027',
    boardMeetingDate: '2025-11-19',
    commitments: [
      { programmeId: wtmr.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: wtmr.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions: [{ description: 'WTMR submits measurable result criteria', dueDate: '2026-02-15', blocksDisbursement: true }],
  });
  amkbDecision = await createDecision(admin, {
    reference: 'ESZL-PB-2025-11-19-AMKB',
    title: 'Principebesluit bijdrage Ambitieus MKB, kwartiermakersfase',
    boardMeetingDate: '2025-11-19',
    commitments: [{ programmeId: amkb.id, year: 2026, amountCents: 20_250_000 }],
  });
  for (const d of [wtmrDecision, amkbDecision]) await adopt(admin, d.id, 'pending_ratification');
  wtmrDecision = await ratify(admin, wtmrDecision.id, colleges, '2026-02-12');
  amkbDecision = await ratify(admin, amkbDecision.id, colleges, '2026-02-12');
});

t.test('WTMR: a payment while its blocking condition is open is refused; after fulfilment, two instalments', async (t) => {
  const [c2026] = wtmrDecision.commitments;
  const blocked = problemOf(t, await pay(admin, wtmrDecision.id, c2026!.id, 7_000_000, '2026-02-20'), 409, 'CONDITION_BLOCKS_DISBURSEMENT');
  t.match(blocked.detail, wtmrDecision.conditions[0]!.id, 'the problem names the blocking condition');
  const fulfil = await admin.post(`/api/v1/decisions/${wtmrDecision.id}/conditions/${wtmrDecision.conditions[0]!.id}/fulfil`, {
    fulfilledOn: '2026-02-14',
    evidence: 'Notitie resultaatcriteria WTMR',
  });
  okJson(t, fulfil);
  await paid(admin, wtmrDecision.id, c2026!.id, 7_000_000, '2026-03-02');
  await paid(admin, wtmrDecision.id, c2026!.id, 7_000_000, '2026-04-01');
  const third = problemOf(t, await pay(admin, wtmrDecision.id, c2026!.id, 1, '2026-04-02'), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
  t.match(third.detail, '(0 cents)', 'the problem names the remaining amount: nothing');
  const decision = await getDecision(admin, wtmrDecision.id);
  t.same(decision.commitments.map((c) => c.disbursedCents), [14_000_000, 0]);
  const funding = await programmeFunding(admin, wtmr.id);
  t.same(figures(yearOf(funding, 2026)), { bindingCents: 14_000_000, pendingCents: 0, disbursedCents: 14_000_000, releasedCents: 0, remainingCents: 0 });
  t.same(figures(yearOf(funding, 2027)), { bindingCents: 25_000_000, pendingCents: 0, disbursedCents: 0, releasedCents: 0, remainingCents: 25_000_000 });
  t.match(funding, { totalBindingCents: 39_000_000, totalDisbursedCents: 14_000_000, totalRemainingCents: 25_000_000 });
});

t.test('AMKB: a first part is paid, then amended to EUR 250,000, which needs the colleges again', async (t) => {
  await paid(admin, amkbDecision.id, amkbDecision.commitments[0]!.id, 10_000_000, '2026-03-01');
  t.same(await amkb2026(), { bindingCents: 20_250_000, pendingCents: 0, disbursedCents: 10_000_000, releasedCents: 0, remainingCents: 10_250_000 });

  const amendment = await amend(admin, amkbDecision.id, [{ programmeId: amkb.id, year: 2026, amountCents: 25_000_000 }], {
    reference: 'ESZL-PB-2026-03-20-AMKB',
    boardMeetingDate: '2026-03-20',
  });
  t.equal(amendment.status, 'draft');
  t.equal(amendment.amends, amkbDecision.id);
  t.same(amendment.relatedDecisions, [{ decisionId: amkbDecision.id, externalReference: null, relation: 'amends' }]);
  t.equal(amendment.ratification.required, true, 'an increase that reaches the threshold needs ratification');

  const pending = await adopt(admin, amendment.id, 'pending_ratification');
  t.equal(pending.ratification.reason, 'threshold');
  t.same(await amkb2026(), { bindingCents: 20_250_000, pendingCents: 4_750_000, disbursedCents: 10_000_000, releasedCents: 0, remainingCents: 10_250_000 }, 'only the increase is pending');
  t.equal((await getDecision(admin, amkbDecision.id)).status, 'ratified', 'the amended decision still binds');

  const ratified = await ratify(admin, amendment.id, colleges, '2026-04-02');
  t.equal(ratified.status, 'ratified');
  t.same(ratified.commitments.map((c) => c.disbursedCents), [10_000_000], 'what was paid counts against the amendment');
  const superseded = await getDecision(admin, amkbDecision.id);
  t.equal(superseded.status, 'superseded');
  t.same(await amkb2026(), { bindingCents: 25_000_000, pendingCents: 0, disbursedCents: 10_000_000, releasedCents: 0, remainingCents: 15_000_000 }, 'the lineage counts once');
  const payments = okJson<{ items: { decisionId: string }[] }>(t, await admin.get(`/api/v1/decisions/${amendment.id}/disbursements`));
  t.same(payments.items.map((p) => p.decisionId), [amkbDecision.id], "the amendment lists the payment made under the decision it amends");
  amkbDecision = ratified;
});

t.test('AMKB: settled at EUR 240,000, releasing EUR 10,000', async (t) => {
  const res = await settle(admin, amkbDecision, [24_000_000], '2026-04-10');
  const settled = okJson<Decision>(t, res);
  t.equal(settled.status, 'settled');
  t.match(settled.settlement, { settledOn: '2026-04-10' });
  t.same(settled.commitments.map((c) => [c.amountCents, c.finalAmountCents, c.disbursedCents]), [[25_000_000, 24_000_000, 10_000_000]]);
  t.same(await amkb2026(), { bindingCents: 24_000_000, pendingCents: 0, disbursedCents: 10_000_000, releasedCents: 1_000_000, remainingCents: 14_000_000 });
  await paid(admin, amkbDecision.id, amkbDecision.commitments[0]!.id, 14_000_000, '2026-04-14');
  problemOf(t, await pay(admin, amkbDecision.id, amkbDecision.commitments[0]!.id, 1, '2026-04-14'), 409, 'DISBURSEMENT_EXCEEDS_COMMITMENT');
});

t.test('the ESZL-wide view sums the programmes per year', async (t) => {
  const all = await eszlFunding(admin);
  t.same(
    all.programmes.map((p) => p.programmeId),
    [amkb.id, wtmr.id],
    'every programme, in code order',
  );
  t.same(figures(yearOf(all, 2026)), { bindingCents: 38_000_000, pendingCents: 0, disbursedCents: 38_000_000, releasedCents: 1_000_000, remainingCents: 0 });
  t.same(figures(yearOf(all, 2027)), { bindingCents: 25_000_000, pendingCents: 0, disbursedCents: 0, releasedCents: 0, remainingCents: 25_000_000 });
  const only2027 = await eszlFunding(admin, 2027);
  t.same(only2027.years.map((y) => y.year), [2027]);
  t.same(only2027.programmes.map((p) => p.years.map((y) => y.year)), [[], [2027]]);
  t.equal(yearOf(all, 2026)!.eszlShareBasisPoints, 10_000, 'without co-financing, ESZL carries all of it');
});
