import t from 'tap';
import { assertTransition, DECISION_STATUSES } from '../../src/domain/decision-lifecycle.js';
import { DomainError } from '../../src/domain/errors.js';
import {
  assertReportAcceptable,
  assertValidTargets,
  comparePeriods,
  indicatorProgress,
  indicatorRange,
  PERIOD_PATTERN,
  periodSpan,
} from '../../src/domain/indicators.js';

/** Periods, the indicator's range, which reports are accepted, target versus actual, and when. */
function problems(fn: () => unknown): string[] | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return [`${error.status} ${error.code}`, ...(error.errors ?? []).map((e) => e.path)];
  }
}

t.test('a period is a year, a quarter or a month, and covers its days', async (t) => {
  const cases: [string, { start: string; end: string } | undefined][] = [
    ['2026', { start: '2026-01-01', end: '2026-12-31' }],
    ['2026-Q1', { start: '2026-01-01', end: '2026-03-31' }],
    ['2026-Q4', { start: '2026-10-01', end: '2026-12-31' }],
    ['2026-02', { start: '2026-02-01', end: '2026-02-28' }],
    ['2028-02', { start: '2028-02-01', end: '2028-02-29' }],
    ['2026-12', { start: '2026-12-01', end: '2026-12-31' }],
    ['2026-Q5', undefined],
    ['2026-Q0', undefined],
    ['2026-13', undefined],
    ['2026-00', undefined],
    ['2026-1', undefined],
    ['26', undefined],
    ['1999', undefined],
    ['2101', undefined],
    ['2026-W01', undefined],
    ['', undefined],
  ];
  const pattern = new RegExp(PERIOD_PATTERN);
  for (const [period, span] of cases) {
    t.same(periodSpan(period), span, period || '(empty)');
    t.equal(pattern.test(period), span !== undefined, `the schema pattern agrees on ${period || '(empty)'}`);
  }
});

t.test('periods sort by their first day, the shorter first', async (t) => {
  t.same(['2027', '2026', '2026-Q2', '2026-01', '2026-Q1', '2026-04'].sort(comparePeriods), ['2026-01', '2026-Q1', '2026', '2026-04', '2026-Q2', '2027']);
});

t.test('the range runs from the first day of the earliest target period to the last day of the latest', async (t) => {
  t.same(indicatorRange([{ period: '2027-Q2', value: 1 }, { period: '2026-03', value: 1 }]), { start: '2026-03-01', end: '2027-06-30' });
  t.same(indicatorRange([{ period: '2026', value: 60 }]), { start: '2026-01-01', end: '2026-12-31' });
  t.equal(indicatorRange([]), undefined);
});

t.test('targets: at least one, each period valid and once, each value bounded; every problem listed', async (t) => {
  t.equal(problems(() => assertValidTargets([{ period: '2026', value: 60 }, { period: '2027', value: 100 }])), undefined);
  t.same(problems(() => assertValidTargets([])), ['400 VALIDATION_FAILED', '/targets']);
  t.same(
    problems(() => assertValidTargets([{ period: '2026', value: 1 }, { period: '2026-13', value: 2 }, { period: '2026', value: Number.NaN }, { period: '2027', value: 2e12 }])),
    ['400 VALIDATION_FAILED', '/targets/1/period', '/targets/2/period', '/targets/2/value', '/targets/3/value'],
  );
});

t.test('a report needs a period with a target or inside the range, and reportedOn not after today', async (t) => {
  const targets = [{ period: '2026', value: 60 }, { period: '2027-Q4', value: 30 }];
  const today = '2026-12-31';
  const ok = (period: string) => problems(() => assertReportAcceptable(targets, { period, value: 40, reportedOn: today }, today));
  t.equal(ok('2026'), undefined, 'a period with a target');
  t.equal(ok('2026-Q3'), undefined, 'a quarter inside the range');
  t.equal(ok('2027-05'), undefined, 'a month inside the range');
  t.equal(ok('2027'), undefined, 'a year inside the range (2026-01-01..2027-12-31)');
  t.same(ok('2028'), ['400 VALIDATION_FAILED', '/period'], 'a year after the range');
  t.same(ok('2025-12'), ['400 VALIDATION_FAILED', '/period'], 'a month before the range');
  t.same(
    problems(() => assertReportAcceptable(targets, { period: '2030-Q1', value: Number.POSITIVE_INFINITY, reportedOn: '2027-01-01' }, today)),
    ['400 VALIDATION_FAILED', '/period', '/value', '/reportedOn'],
    'every problem at once',
  );
  t.same(problems(() => assertReportAcceptable(targets, { period: '2026', value: 1, reportedOn: '2027-01-01' }, today)), ['400 VALIDATION_FAILED', '/reportedOn'], 'reportedOn after today');
});

t.test('progress: target versus actual per period, the latest report correcting earlier ones', async (t) => {
  const targets = [{ period: '2026', value: 60 }, { period: '2027', value: 100 }];
  t.same(indicatorProgress(targets, []), [
    { period: '2026', target: 60, actual: null },
    { period: '2027', target: 100, actual: null },
  ]);
  t.same(
    indicatorProgress(targets, [
      { period: '2026', value: 35 },
      { period: '2026-Q1', value: 9 },
      { period: '2026', value: 40 },
    ]),
    [
      { period: '2026-Q1', target: null, actual: 9 },
      { period: '2026', target: 60, actual: 40 },
      { period: '2027', target: 100, actual: null },
    ],
  );
});

t.test('indicators are defined while a decision is prepared or counts, reported from adoption until it ends', async (t) => {
  const define = ['draft', 'pending_ratification', 'adopted', 'ratified'];
  const report = ['pending_ratification', 'adopted', 'ratified'];
  for (const status of DECISION_STATUSES) {
    t.same(problems(() => assertTransition(status, 'defineIndicator')), define.includes(status) ? undefined : ['409 DECISION_TRANSITION_NOT_ALLOWED'], `define in ${status}`);
    t.same(problems(() => assertTransition(status, 'reportIndicator')), report.includes(status) ? undefined : ['409 DECISION_TRANSITION_NOT_ALLOWED'], `report in ${status}`);
  }
  t.throws(() => assertTransition('rejected', 'defineIndicator'), { message: "A decision in status 'rejected' cannot be given indicators." });
  t.throws(() => assertTransition('draft', 'reportIndicator'), { message: "Indicator values of a decision in status 'draft' cannot be reported." });
});
