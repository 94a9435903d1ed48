import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import type { Principal } from '../../src/domain/access.js';
import { DomainError } from '../../src/domain/errors.js';
import type { Indicator } from '../../src/domain/records.js';
import type { ServiceContext } from '../../src/use-cases/context.js';
import type { Decision } from '../../src/use-cases/decision-views.js';
import {
  assertIndicatorsOfDecision,
  defineIndicator,
  listIndicatorsPage,
  reportIndicator,
  type IndicatorInput,
} from '../../src/use-cases/indicators.js';
import type { Caller } from '../../src/use-cases/unit-of-work.js';
import { startTestApp } from '../helpers/app.js';
import { decisionStates } from '../helpers/decision-states.js';
import { createCentreMunicipalities, createProgramme } from '../helpers/factories.js';
import { auditMark, refusedWithoutWriting, writtenSince } from '../helpers/written.js';

/**
 * The indicator use cases called directly: what they check in which order (the decision, the
 * indicator, the decision's state, then the input), what they write (the indicator, its reports,
 * one published event with the decision as it is), and that a refused change writes nothing.
 * Decisions are set up over HTTP; today is 2026-03-01.
 */
const clock = fixedClock('2026-03-01T12:00:00Z');
const { admin, db } = await startTestApp(t, { clock });
const ctx: ServiceContext = { database: db.database, clock };
const secretariat: Principal = { keyId: null, role: 'secretariat', organisationId: null };
const caller: Caller = { principal: secretariat };
const centre = await createCentreMunicipalities(admin);
const programme = await createProgramme(admin);
const { inState } = decisionStates(admin, programme.id, [centre.heerlen.id, centre.sittardGeleen.id, centre.maastricht.id]);

const PLACEMENTS: IndicatorInput = { code: 'PLACEMENTS', name: 'Placements of international talent', unit: 'placements', targets: [{ period: '2026', value: 60 }] };

const refused = (t: Test, change: () => Promise<unknown>, code: string, paths?: string[]) => refusedWithoutWriting(t, db.database, change, code, paths);

t.test('defineIndicator stores the targets in time order and emits indicator.defined with the decision as it is', async (t) => {
  const decision = await inState('adopted');
  const mark = await auditMark(db.database);
  const targets = [
    { period: '2027', value: 80 },
    { period: '2026', value: 60 },
    { period: '2026-Q1', value: 10 },
  ];
  const indicator = await defineIndicator(ctx, caller, decision.id, { ...PLACEMENTS, targets });
  t.same(indicator.targets.map((x) => x.period), ['2026-Q1', '2026', '2027'], 'a quarter before its year, years in order');
  t.same(indicator.reports, []);
  t.same(indicator.progress, [
    { period: '2026-Q1', target: 10, actual: null },
    { period: '2026', target: 60, actual: null },
    { period: '2027', target: 80, actual: null },
  ]);
  t.same(targets.map((x) => x.period), ['2027', '2026', '2026-Q1'], "the caller's list is left as it was");

  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => [e.action, e.resourceType, e.resourceId, e.actorRole]), [['indicator.defined', 'decision', decision.id, 'secretariat']]);
  t.same(written.events[0]!.data.indicator, indicator);
  t.match(written.events[0]!.data.decision, { id: decision.id, status: 'adopted' });
  t.same(written.outbox.map((o) => [o.eventType, o.resourceId]), [['indicator.defined', decision.id]], 'a published event: its outbox row');
});

t.test('defineIndicator: an unknown decision is 404, a state that allows none 409 before the targets are looked at, then the targets, then the code', async (t) => {
  await refused(t, () => defineIndicator(ctx, caller, randomUUID(), PLACEMENTS), 'RESOURCE_NOT_FOUND');
  const withdrawn = await inState('withdrawn');
  await refused(t, () => defineIndicator(ctx, caller, withdrawn.id, { ...PLACEMENTS, targets: [] }), 'DECISION_TRANSITION_NOT_ALLOWED');

  const draft = await inState('draft');
  await refused(
    t,
    () => defineIndicator(ctx, caller, draft.id, { ...PLACEMENTS, targets: [{ period: '2026', value: 1 }, { period: '2026', value: 2 }, { period: '2026-Q5', value: 3 }] }),
    'VALIDATION_FAILED',
    ['/targets/1/period', '/targets/2/period'],
  );
  await defineIndicator(ctx, caller, draft.id, PLACEMENTS);
  await refused(t, () => defineIndicator(ctx, caller, draft.id, { ...PLACEMENTS, name: 'Again' }), 'INDICATOR_CODE_TAKEN', ['/code']);
  const other = await inState('draft');
  t.equal((await defineIndicator(ctx, caller, other.id, PLACEMENTS)).code, 'PLACEMENTS', 'the code is unique per decision only');
});

t.test('reportIndicator answers the indicator with its own reports only, and emits indicator.reported with the report', async (t) => {
  const decision = await inState('adopted');
  const placements = await defineIndicator(ctx, caller, decision.id, PLACEMENTS);
  const companies = await defineIndicator(ctx, caller, decision.id, { ...PLACEMENTS, code: 'COMPANIES', targets: [{ period: '2026', value: 5 }] });
  await reportIndicator(ctx, caller, decision.id, companies.id, { period: '2026', value: 4, reportedOn: '2026-03-01' });

  const mark = await auditMark(db.database);
  const first = await reportIndicator(ctx, caller, decision.id, placements.id, { period: '2026', value: 40, reportedOn: '2026-02-28' });
  t.same(first.reports, [{ period: '2026', value: 40, reportedOn: '2026-02-28', documents: [] }], "no documents sent: none kept; the other indicator's report is not among them");
  t.same(first.progress, [{ period: '2026', target: 60, actual: 40 }]);
  const second = await reportIndicator(ctx, caller, decision.id, placements.id, {
    period: '2026-05',
    value: 7,
    reportedOn: '2026-03-01',
    documents: [{ title: 'Voortgangsrapportage', url: 'https://example.org/wtmr.pdf', kind: 'report' }],
  });
  t.same(second.progress, [
    { period: '2026', target: 60, actual: 40 },
    { period: '2026-05', target: null, actual: 7 },
  ], 'a month inside the range, without a target of its own, after the year it lies in');
  t.same(second.reports[1]?.documents, [{ title: 'Voortgangsrapportage', url: 'https://example.org/wtmr.pdf', kind: 'report', registrationNumber: null, sha256: null, issuedOn: null }]);

  const written = await writtenSince(db.database, mark);
  t.same(written.events.map((e) => e.action), ['indicator.reported', 'indicator.reported']);
  t.same(written.events[1]!.data.indicator, second);
  t.same(written.events[1]!.data.report, second.reports[1], 'the report just recorded');
  t.match(written.events[1]!.data.decision, { id: decision.id });
  t.same(written.outbox.map((o) => o.eventType), ['indicator.reported', 'indicator.reported']);
});

t.test('reportIndicator: the indicator must be one of the decision (404 before the state is looked at), the state must allow reports, then the report is checked', async (t) => {
  const draft = await inState('draft');
  const ofDraft = await defineIndicator(ctx, caller, draft.id, PLACEMENTS);
  const adopted = await inState('adopted');
  const ofAdopted = await defineIndicator(ctx, caller, adopted.id, PLACEMENTS);
  const report = { period: '2026', value: 1, reportedOn: '2026-03-01' };

  await refused(t, () => reportIndicator(ctx, caller, randomUUID(), ofAdopted.id, report), 'RESOURCE_NOT_FOUND');
  await refused(t, () => reportIndicator(ctx, caller, draft.id, randomUUID(), report), 'RESOURCE_NOT_FOUND');
  await refused(t, () => reportIndicator(ctx, caller, draft.id, ofAdopted.id, report), 'RESOURCE_NOT_FOUND');
  await refused(t, () => reportIndicator(ctx, caller, draft.id, ofDraft.id, { ...report, period: 'soon' }), 'DECISION_TRANSITION_NOT_ALLOWED');
  await refused(
    t,
    () => reportIndicator(ctx, caller, adopted.id, ofAdopted.id, { period: '2025', value: Number.POSITIVE_INFINITY, reportedOn: '2026-03-02' }),
    'VALIDATION_FAILED',
    ['/period', '/value', '/reportedOn'],
  );
  await refused(
    t,
    () => reportIndicator(ctx, caller, adopted.id, ofAdopted.id, { ...report, documents: [{ title: 'Plain', url: 'http://example.org/x.pdf', kind: 'report' }] }),
    'VALIDATION_FAILED',
    ['/documents/0/url'],
  );
});

t.test('listIndicatorsPage: 404 for an unknown decision even with nothing to list; pages carry the reports of their own indicators', async (t) => {
  await t.rejects(listIndicatorsPage(ctx, randomUUID(), undefined, 10), { code: 'RESOURCE_NOT_FOUND' });
  const empty = await inState('draft');
  t.same(await listIndicatorsPage(ctx, empty.id, undefined, 10), { items: [], nextCursor: null });

  const decision: Decision = await inState('adopted');
  const defined: Indicator[] = [];
  for (const code of ['A', 'B', 'C']) defined.push(await defineIndicator(ctx, caller, decision.id, { ...PLACEMENTS, code }));
  await reportIndicator(ctx, caller, decision.id, defined[0]!.id, { period: '2026', value: 11, reportedOn: '2026-03-01' });
  await reportIndicator(ctx, caller, decision.id, defined[2]!.id, { period: '2026', value: 33, reportedOn: '2026-03-01' });

  const first = await listIndicatorsPage(ctx, decision.id, undefined, 2);
  t.same(first.items.map((i) => [i.code, i.reports.map((r) => r.value)]), [['A', [11]], ['B', []]]);
  t.type(first.nextCursor, 'string');
  const second = await listIndicatorsPage(ctx, decision.id, first.nextCursor!, 2);
  t.same(second.items.map((i) => [i.code, i.reports.map((r) => r.value)]), [['C', [33]]], 'the report of an indicator on the next page');
  t.equal(second.nextCursor, null);
  await t.rejects(listIndicatorsPage(ctx, decision.id, 'not-a-cursor', 2), { code: 'VALIDATION_FAILED' });
});

t.test('assertIndicatorsOfDecision names every id that is no indicator of the decision', async (t) => {
  const decision = await inState('draft');
  const own = await defineIndicator(ctx, caller, decision.id, PLACEMENTS);
  const foreign = await defineIndicator(ctx, caller, (await inState('draft')).id, PLACEMENTS);
  await t.resolves(assertIndicatorsOfDecision(db.database.db, decision.id, [own.id]));
  await t.resolves(assertIndicatorsOfDecision(db.database.db, decision.id, []), 'naming none is fine');
  const unknown = randomUUID();
  const error = await assertIndicatorsOfDecision(db.database.db, decision.id, [foreign.id, own.id, unknown]).catch((caught: unknown) => caught);
  t.ok(error instanceof DomainError);
  t.equal((error as DomainError).code, 'REFERENCED_RESOURCE_NOT_FOUND');
  t.same((error as DomainError).errors, [
    { path: '/indicatorIds/0', message: `indicator ${foreign.id} is not an indicator of this decision` },
    { path: '/indicatorIds/2', message: `indicator ${unknown} is not an indicator of this decision` },
  ], 'an indicator of another decision and an unknown id, each at its index');
});
