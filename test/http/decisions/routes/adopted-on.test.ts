import t from 'tap';
import { fixedClock } from '../../../../src/domain/clock.js';
import type { Decision } from '../../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../../helpers/app.js';
import { expectJson, expectStatus, okJson, problemOf } from '../../../helpers/assertions.js';
import { createTestDatabase } from '../../../helpers/database.js';
import { createCentreMunicipalities, createDecision, createProgramme } from '../../../helpers/factories.js';
import { decisionBody, paid } from '../../../helpers/after-adoption.js';

/**
 * The past recorded as past: on 1 March 2026 the secretariat records what the board adopted in
 * January. The statute rule with a 30-day ratification period was added on 1 January (a first
 * app with that day's clock, on the same database), effective from 10 January.
 */
const database = await createTestDatabase();
t.teardown(() => database.close());
const january = await startTestApp(t, { clock: fixedClock('2026-01-01T10:00:00Z'), database });
expectStatus(
  await january.admin.post('/api/v1/statute-rules', {
    effectiveFrom: '2026-01-10',
    thresholdCents: 10_000_000,
    splitting: { scope: 'applicant_year', action: 'flag' },
    ratificationPeriodDays: 30,
    fundCheck: 'flag',
    reference: 'Statuten ESZL 2026',
  }),
  201,
  'rule',
);
const RECORDED_AT = '2026-03-01T12:00:00.000Z';
const ctx = await startTestApp(t, { clock: fixedClock(RECORDED_AT), database });
const { admin } = ctx;
const { heerlen, maastricht, sittardGeleen } = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin, { code: 'WTMR' });
// The fund received its money on 10 February: after the January adoptions, before today.
expectStatus(
  await admin.post('/api/v1/fund/contributions', { organisationId: heerlen.id, year: 2026, amountCents: 50_000_000, receivedOn: '2026-02-10', reference: 'Bijdrage 2026' }),
  201,
  'contribution',
);

const draft = (amountCents: number, boardMeetingDate = '2026-01-20') =>
  createDecision(admin, decisionBody([{ programmeId: programme.id, year: 2026, amountCents }], { boardMeetingDate }));
const adopt = (id: string, body?: unknown) => admin.post(`/api/v1/decisions/${id}/adopt`, body);

t.test('adoptedOn before the board meeting or after today is 400 naming the field; a malformed one is a schema problem', async (t) => {
  const { id } = await draft(5_000_000);
  for (const adoptedOn of ['2026-01-19', '2026-03-02']) {
    const problem = problemOf(t, await adopt(id, { adoptedOn }), 400, 'ADOPTION_DATE_OUT_OF_RANGE');
    t.same(problem.paths, ['/adoptedOn'], adoptedOn);
    t.match(problem.detail, '2026-01-20');
  }
  t.same(problemOf(t, await adopt(id, { adoptedOn: '2026-02-30' }), 400, 'VALIDATION_FAILED').paths, ['/adoptedOn']);
  problemOf(t, await adopt(id, { adoptedOn: '2026-01-25', extra: 1 }), 400, 'VALIDATION_FAILED');
  t.equal((await admin.get(`/api/v1/decisions/${id}`)).json<Decision>().status, 'draft', 'nothing was adopted');
});

t.test('the adoption day dates the fund coverage: money received later does not cover an earlier adoption', async (t) => {
  const early = expectJson<Decision>(await adopt((await draft(5_000_000)).id, { adoptedOn: '2026-01-25' }), 200, 'adopt early');
  t.same(early.fundCoverage, { uncommittedCentsBefore: 0, sufficient: false }, 'nothing was received by 25 January');
  const today = expectJson<Decision>(await adopt((await draft(5_000_000)).id), 200, 'adopt today');
  t.equal(today.adoptedOn, '2026-03-01', 'no body: today in Amsterdam');
  t.same(today.fundCoverage, { uncommittedCentsBefore: 45_000_000, sufficient: true }, 'the contribution, minus the decision adopted in January');
  const emptyJson = expectJson<Decision>(
    await admin.post(`/api/v1/decisions/${(await draft(1_000_000)).id}/adopt`, '', { 'content-type': 'application/json' }),
    200,
    'adopt with an empty JSON body',
  );
  t.equal(emptyJson.adoptedOn, '2026-03-01');
});

t.test('a decision needing ratification counts its due date from adoptedOn, not from the recording', async (t) => {
  const { id } = await draft(39_000_000);
  const decision = expectJson<Decision>(await adopt(id, { adoptedOn: '2026-01-25' }), 200, 'adopt');
  t.equal(decision.status, 'pending_ratification');
  t.equal(decision.adoptedOn, '2026-01-25');
  t.equal(decision.adoptedAt, RECORDED_AT, 'adoptedAt is when it was recorded');
  t.equal(decision.ratification.statuteRuleVersion, 2);
  t.equal(decision.ratification.dueDate, '2026-02-24', '25 January plus 30 days');
  t.equal(decision.ratification.overdue, true, 'already past its due date when recorded');
});

t.test('a decision binding at adoption is awarded, and may be paid, from adoptedOn', async (t) => {
  const { id, commitments } = await draft(6_000_000, '2026-01-15');
  const decision = expectJson<Decision>(await adopt(id, { adoptedOn: '2026-01-15' }), 200, 'adopt');
  t.equal(decision.status, 'adopted');
  await paid(admin, id, commitments[0]!.id, 1_000_000, '2026-01-20');
  const pkg = okJson<{ grants: { id: string; awardDate: string }[] }>(t, await admin.get('/api/v1/open-data/360giving.json'));
  t.equal(pkg.grants.find((grant) => grant.id.endsWith(id))?.awardDate, '2026-01-15');
});

t.test('history and asOf answer by recording time; each history item shows the business dates too', async (t) => {
  const recording = Date.now(); // the audit trail's time is the database's, not the service clock's
  const { id } = await draft(39_000_000, '2025-11-19');
  await adopt(id, { adoptedOn: '2025-11-19' });
  for (const municipality of [heerlen, maastricht, sittardGeleen]) {
    expectStatus(await admin.post(`/api/v1/decisions/${id}/votes`, { municipalityId: municipality.id, outcome: 'approve', decidedOn: '2026-02-03' }), 201, 'vote');
  }
  const history = okJson<{ items: { action: string; occurredAt: string; happenedOn: unknown; decision: Decision }[] }>(
    t,
    await admin.get(`/api/v1/decisions/${id}/history`),
  );
  const adopted = history.items.find((item) => item.action === 'decision.adopted')!;
  t.ok(Date.parse(adopted.occurredAt) >= recording - 1_000, 'the audit event keeps its recording time, not 2025-11-19');
  t.same(adopted.happenedOn, { boardMeetingDate: '2025-11-19', adoptedOn: '2025-11-19', bindingSince: null, settledOn: null });
  t.equal(adopted.decision.adoptedOn, '2025-11-19');
  const created = history.items.find((item) => item.action === 'decision.created')!;
  t.same(created.happenedOn, { boardMeetingDate: '2025-11-19', adoptedOn: null, bindingSince: null, settledOn: null });
  const last = history.items[history.items.length - 1]!;
  t.same(last.happenedOn, { boardMeetingDate: '2025-11-19', adoptedOn: '2025-11-19', bindingSince: '2026-02-03', settledOn: null });
  t.equal(last.decision.status, 'ratified');
  problemOf(t, await admin.get(`/api/v1/decisions/${id}?asOf=2025-12-01`), 404, 'RESOURCE_NOT_FOUND'); // recorded in 2026, adopted on 2025-11-19
});
