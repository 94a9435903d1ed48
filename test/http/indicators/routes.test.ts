import { randomUUID } from 'node:crypto';
import t from 'tap';
import { fixedClock } from '../../../src/domain/clock.js';
import type { Indicator } from '../../../src/domain/records.js';
import type { Condition, Decision } from '../../../src/use-cases/decision-views.js';
import { startTestApp } from '../../helpers/app.js';
import { okJson, problemOf, sortedErrorPaths } from '../../helpers/assertions.js';
import { adopt, createCentreMunicipalities, createDecision, createKey, createProgramme, listAll } from '../../helpers/factories.js';

/**
 * Monitoring indicators over HTTP, tried as WTMR would: a placements indicator with a target of
 * 60 for 2026, 40 placements reported, the list showing target versus actual; bad periods and
 * values, a duplicate code, the states that allow it, and a condition fulfilled by its indicator.
 */
const TODAY = '2026-03-01';
const ctx = await startTestApp(t, { clock: fixedClock(`${TODAY}T12:00:00Z`) });
const { admin } = ctx;
const { heerlen } = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const secretariat = ctx.as((await createKey(admin, 'secretariat')).key);
const reader = ctx.as((await createKey(admin, 'reader')).key);
const college = ctx.as((await createKey(admin, 'college', heerlen.id)).key);

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const draft = (amountCents = 14_000_000) =>
  createDecision(admin, {
    reference: `IND-${randomUUID()}`,
    title: 'Welcome to Maastricht Region 2026',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents }],
    conditions: [{ description: 'Measurable result criteria, at least the expected number of placements', dueDate: '2026-06-30' }],
  });
const PLACEMENTS = { code: 'PLACEMENTS', name: 'Placements of international talent', unit: 'placements', targets: [{ period: '2026', value: 60 }] };
const define = (decisionId: string, body: Record<string, unknown> = PLACEMENTS, client = secretariat) => client.post(`/api/v1/decisions/${decisionId}/indicators`, body);
const report = (decisionId: string, indicatorId: string, body: Record<string, unknown>, client = secretariat) =>
  client.post(`/api/v1/decisions/${decisionId}/indicators/${indicatorId}/reports`, body);

t.test('WTMR reports 40 placements against a target of 60 for 2026, and the indicator list shows both', async (t) => {
  const wtmr = await adopt(admin, (await draft()).id, 'pending_ratification');
  const indicator = okJson<Indicator>(t, await define(wtmr.id), 201);
  t.match(indicator, { decisionId: wtmr.id, code: 'PLACEMENTS', name: PLACEMENTS.name, unit: 'placements', targets: [{ period: '2026', value: 60 }], reports: [] });
  t.same(indicator.progress, [{ period: '2026', target: 60, actual: null }]);

  const reported = okJson<Indicator>(
    t,
    await report(wtmr.id, indicator.id, {
      period: '2026',
      value: 40,
      reportedOn: TODAY,
      documents: [{ title: 'Voortgangsrapportage WTMR', url: 'https://example.org/wtmr-2026.pdf', kind: 'report' }],
    }),
    201,
  );
  t.same(reported.reports, [
    {
      period: '2026',
      value: 40,
      reportedOn: TODAY,
      documents: [{ title: 'Voortgangsrapportage WTMR', url: 'https://example.org/wtmr-2026.pdf', kind: 'report', registrationNumber: null, sha256: null, issuedOn: null }],
    },
  ]);
  t.same(reported.progress, [{ period: '2026', target: 60, actual: 40 }]);

  const listed = okJson<Page<Indicator>>(t, await reader.get(`/api/v1/decisions/${wtmr.id}/indicators`));
  t.same(listed, { items: [reported], nextCursor: null }, 'every role that reads the register sees target and actual');
  t.equal((await college.get(`/api/v1/decisions/${wtmr.id}/indicators`)).statusCode, 200);

  const events = okJson<Page<{ action: string; data: { indicator: Indicator; report?: unknown; decision: Decision } }>>(
    t,
    await admin.get(`/api/v1/audit-events?resourceType=decision&resourceId=${wtmr.id}`),
  ).items.filter((e) => e.action.startsWith('indicator.'));
  t.same(events.map((e) => e.action), ['indicator.defined', 'indicator.reported']);
  t.same(events[0]?.data.indicator, indicator);
  t.same(events[1]?.data.indicator, reported);
  t.same(events[1]?.data.report, reported.reports[0]);
  t.equal(events[1]?.data.decision.id, wtmr.id, 'with the whole decision');

  // A quarterly report inside 2026, then a correction of the year.
  okJson(t, await report(wtmr.id, indicator.id, { period: '2026-Q1', value: 12, reportedOn: TODAY }), 201);
  const corrected = okJson<Indicator>(t, await report(wtmr.id, indicator.id, { period: '2026', value: 42, reportedOn: TODAY }), 201);
  t.same(corrected.progress, [
    { period: '2026-Q1', target: null, actual: 12 },
    { period: '2026', target: 60, actual: 42 },
  ], 'the latest report of a period is its actual');
  t.equal(corrected.reports.length, 3, 'every report is kept');
});

t.test('bad input: every problem at once; periods YYYY, YYYY-Qn or YYYY-MM; a report outside the targets is 400', async (t) => {
  const decision = await adopt(admin, (await draft(1_000_000)).id, 'adopted');
  const bad = problemOf(t, await define(decision.id, { code: '', name: '', unit: 'x', targets: [{ period: '2026-Q5', value: 'many' }, { period: '26' }] }), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(bad), ['/code', '/name', '/targets/0/period', '/targets/0/value', '/targets/1/period', '/targets/1/value'].sort());
  problemOf(t, await define(decision.id, { ...PLACEMENTS, targets: [] }), 400, 'VALIDATION_FAILED');
  const twice = problemOf(t, await define(decision.id, { ...PLACEMENTS, targets: [{ period: '2026', value: 1 }, { period: '2026', value: 2 }] }), 400, 'VALIDATION_FAILED');
  t.same(twice.paths, ['/targets/1/period'], 'a period twice');
  const indicator = okJson<Indicator>(t, await define(decision.id, { ...PLACEMENTS, targets: [{ period: '2026-Q2', value: 10 }, { period: '2026-Q4', value: 20 }] }), 201);
  t.same(indicator.targets.map((x) => x.period), ['2026-Q2', '2026-Q4']);
  const outside = problemOf(t, await report(decision.id, indicator.id, { period: '2026-Q1', value: 3, reportedOn: '2026-03-02' }), 400, 'VALIDATION_FAILED');
  t.same(outside.paths, ['/period', '/reportedOn'], 'a quarter before the range and a date after today, both listed');
  t.equal((await report(decision.id, indicator.id, { period: '2026-08', value: 3, reportedOn: TODAY })).statusCode, 201, 'a month inside the range');
  const schema = problemOf(t, await report(decision.id, indicator.id, { period: '2026-13', value: '3', reportedOn: 'today', extra: true }), 400, 'VALIDATION_FAILED');
  t.same(sortedErrorPaths(schema), ['/extra', '/period', '/reportedOn', '/value']);
  problemOf(t, await report(decision.id, indicator.id, { period: '2026-Q2', value: 3, reportedOn: TODAY, documents: [{ title: 'x', url: 'http://insecure', kind: 'report' }] }), 400, 'VALIDATION_FAILED');
});

t.test('a duplicate code on one decision is 409; the same code on another decision is fine', async (t) => {
  const first = await adopt(admin, (await draft(1_000_000)).id, 'adopted');
  const second = await draft(1_000_000);
  okJson(t, await define(first.id), 201);
  problemOf(t, await define(first.id, { ...PLACEMENTS, name: 'Again' }), 409, 'INDICATOR_CODE_TAKEN');
  okJson(t, await define(second.id), 201);
});

t.test('which states allow indicators; unknown resources are 404; only the secretariat and admins write', async (t) => {
  const inDraft = await draft(1_000_000);
  const indicator = okJson<Indicator>(t, await define(inDraft.id), 201);
  problemOf(t, await report(inDraft.id, indicator.id, { period: '2026', value: 1, reportedOn: TODAY }), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  const withdrawn = okJson<Decision>(t, await admin.post(`/api/v1/decisions/${inDraft.id}/withdraw`, { reason: 'No longer needed' }));
  problemOf(t, await define(withdrawn.id, { ...PLACEMENTS, code: 'OTHER' }), 409, 'DECISION_TRANSITION_NOT_ALLOWED');
  problemOf(t, await report(withdrawn.id, indicator.id, { period: '2026', value: 1, reportedOn: TODAY }), 409, 'DECISION_TRANSITION_NOT_ALLOWED');

  const adopted = await adopt(admin, (await draft(1_000_000)).id, 'adopted');
  problemOf(t, await define(randomUUID()), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await report(adopted.id, randomUUID(), { period: '2026', value: 1, reportedOn: TODAY }), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await report(adopted.id, indicator.id, { period: '2026', value: 1, reportedOn: TODAY }), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await reader.get(`/api/v1/decisions/${randomUUID()}/indicators`), 404, 'RESOURCE_NOT_FOUND');
  problemOf(t, await define(adopted.id, PLACEMENTS, reader), 403, 'FORBIDDEN');
  problemOf(t, await define(adopted.id, PLACEMENTS, college), 403, 'FORBIDDEN');
});

t.test('indicators list in pages', async (t) => {
  const decision = await draft(1_000_000);
  for (const code of ['A', 'B', 'C']) okJson(t, await define(decision.id, { ...PLACEMENTS, code }), 201);
  const all = await listAll<Indicator>(reader, `/api/v1/decisions/${decision.id}/indicators`, 2);
  t.same(all.map((i) => i.code), ['A', 'B', 'C']);
});

t.test('fulfilling a condition may name the indicators that satisfy it, of the same decision only', async (t) => {
  const decision = await adopt(admin, (await draft(1_000_000)).id, 'adopted');
  const other = await draft(1_000_000);
  const own = okJson<Indicator>(t, await define(decision.id), 201);
  const foreign = okJson<Indicator>(t, await define(other.id), 201);
  const conditionId = decision.conditions[0]!.id;
  const fulfil = (indicatorIds: string[]) =>
    secretariat.post(`/api/v1/decisions/${decision.id}/conditions/${conditionId}/fulfil`, { fulfilledOn: TODAY, evidence: 'Result criteria with placements', indicatorIds });
  const refused = problemOf(t, await fulfil([own.id, foreign.id, randomUUID()]), 400, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same(refused.paths, ['/indicatorIds/1', '/indicatorIds/2']);
  t.equal(okJson<Decision>(t, await admin.get(`/api/v1/decisions/${decision.id}`)).conditions[0]?.status, 'open', 'nothing changed');
  const condition = okJson<Condition>(t, await fulfil([own.id]));
  t.same(condition.indicatorIds, [own.id]);
  t.same(okJson<Decision>(t, await admin.get(`/api/v1/decisions/${decision.id}`)).conditions[0]?.indicatorIds, [own.id], 'shown on the decision');
});
