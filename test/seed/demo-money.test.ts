import t from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import type { CoFinancing, Indicator } from '../../src/domain/records.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import type { FundPosition } from '../../src/use-cases/fund.js';
import { seedDemo } from '../../src/seed/demo.js';
import { startTestApp } from '../helpers/app.js';
import { okJson } from '../helpers/assertions.js';

/**
 * The demo's money, tried as a new user would: ESZL's fund from the three municipalities, what
 * WTMR and AMKB commit against it and what remains, the co-financing of both programmes, and
 * WTMR reporting 40 placements against its target of 60 for 2026. The seed keeps version 1 of
 * the statute rules.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const ctx = await startTestApp(t, { clock });
const { admin } = ctx;
const demo = await seedDemo({ database: ctx.db.database, clock });

t.test('the fund covers WTMR and AMKB, and shows what remains', async (t) => {
  const fund = okJson<FundPosition>(t, await admin.get('/api/v1/fund'));
  t.same(fund, {
    contributedCents: 66_000_000,
    bindingCents: 0,
    pendingCents: 59_250_000,
    disbursedCents: 0,
    uncommittedCents: 6_750_000,
    years: [
      { year: 2026, contributedCents: 36_000_000, bindingCents: 0, pendingCents: 34_250_000, disbursedCents: 0, uncommittedCents: 1_750_000 },
      { year: 2027, contributedCents: 30_000_000, bindingCents: 0, pendingCents: 25_000_000, disbursedCents: 0, uncommittedCents: 5_000_000 },
    ],
  });
  const wtmr = okJson<Decision>(t, await admin.get(`/api/v1/decisions/${demo.decisionIds.wtmr}`));
  const amkb = okJson<Decision>(t, await admin.get(`/api/v1/decisions/${demo.decisionIds.amkb}`));
  // Fund coverage is the fund as it stood on adoptedOn: the demo's contributions are received
  // after the board adopted (2025-11-19), so at adoption the fund did not yet cover them.
  t.same(wtmr.fundCoverage, { uncommittedCentsBefore: 36_000_000, sufficient: false });
  t.same(amkb.fundCoverage, { uncommittedCentsBefore: -3_000_000, sufficient: false });
  t.equal(wtmr.ratification.statuteRuleVersion, 1, 'the demo keeps version 1');
  const rules = okJson<{ items: unknown[] }>(t, await admin.get('/api/v1/statute-rules'));
  t.equal(rules.items.length, 1);
});

t.test('co-financing of WTMR (Regio Deal, employers) and AMKB (Regio Deal, ministry)', async (t) => {
  const wtmr = okJson<{ items: CoFinancing[] }>(t, await admin.get(`/api/v1/programmes/${demo.programmeIds.wtmr}/co-financing`)).items;
  t.same(wtmr.map((c) => [c.kind, c.year, c.amountCents]), [['regio_deal', 2026, 15_000_000], ['regio_deal', 2027, 15_000_000], ['employers', 2026, 6_000_000]]);
  const amkb = okJson<{ items: CoFinancing[] }>(t, await admin.get(`/api/v1/programmes/${demo.programmeIds.amkb}/co-financing`)).items;
  t.same(amkb.map((c) => c.kind), ['regio_deal', 'government']);
});

t.test('WTMR reports 40 placements against the target of 60 for 2026', async (t) => {
  const path = `/api/v1/decisions/${demo.decisionIds.wtmr}/indicators`;
  okJson(t, await admin.post(`${path}/${demo.placementsIndicatorId}/reports`, { period: '2026', value: 40, reportedOn: '2026-03-01' }), 201);
  const [placements] = okJson<{ items: Indicator[] }>(t, await admin.get(path)).items;
  t.equal(placements?.code, 'PLACEMENTS');
  t.same(placements?.progress, [
    { period: '2026', target: 60, actual: 40 },
    { period: '2027', target: 100, actual: null },
  ]);
});
