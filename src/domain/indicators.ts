import { DomainError, type FieldError } from './errors.js';
import { PERIOD_PATTERN } from './indicator-report.js';
import type { IndicatorReport } from './records.js';

/**
 * Monitoring indicators: the measurable result criteria a decision asks for (WTMR: at least the
 * expected number of placements), with a target per period and the values reported afterwards.
 * A period is a year (`2026`), a quarter (`2026-Q2`) or a month (`2026-05`).
 */
export { PERIOD_PATTERN };

export interface PeriodSpan {
  /** First and last day, YYYY-MM-DD. */
  start: string;
  end: string;
}

const PERIOD = /^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$/;

function lastDayOf(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** The days a period covers; undefined when it is not a period (or its year lies outside 2000..2100). */
export function periodSpan(period: string): PeriodSpan | undefined {
  const match = PERIOD.exec(period);
  if (!match) return undefined;
  const year = Number(match[1]);
  if (year < 2000 || year > 2100) return undefined;
  const [firstMonth, lastMonth] = match[2] !== undefined ? [Number(match[2]) * 3 - 2, Number(match[2]) * 3] : match[3] !== undefined ? [Number(match[3]), Number(match[3])] : [1, 12];
  return { start: `${match[1]}-${String(firstMonth).padStart(2, '0')}-01`, end: lastDayOf(year, lastMonth) };
}

/** Periods in time order: by first day, the shorter first (2026-01, 2026-Q1, 2026). */
export function comparePeriods(a: string, b: string): number {
  const [x, y] = [periodSpan(a), periodSpan(b)];
  if (x === undefined || y === undefined) return a < b ? -1 : a > b ? 1 : 0;
  return x.start !== y.start ? (x.start < y.start ? -1 : 1) : x.end !== y.end ? (x.end < y.end ? -1 : 1) : 0;
}

export interface Target {
  period: string;
  value: number;
}

/**
 * The indicator's range: from the first day of its earliest target period to the last day of its
 * latest. A value may be reported for a period with a target, or for any period inside the range
 * (a quarter of a year with a yearly target, say).
 */
export function indicatorRange(targets: readonly Target[]): PeriodSpan | undefined {
  const spans = targets.flatMap((target) => periodSpan(target.period) ?? []);
  if (spans.length === 0) return undefined;
  return {
    start: spans.reduce((min, span) => (span.start < min ? span.start : min), spans[0]!.start),
    end: spans.reduce((max, span) => (span.end > max ? span.end : max), spans[0]!.end),
  };
}

const MAX_VALUE = 1e12;
const valueProblem = (value: number) => (Number.isFinite(value) && Math.abs(value) <= MAX_VALUE ? undefined : `must be a number between -${MAX_VALUE} and ${MAX_VALUE}`);

function invalid(errors: FieldError[], detail: string): void {
  if (errors.length > 0) throw new DomainError('VALIDATION_FAILED', detail, errors);
}

/** Targets: at least one, each a valid period (once) with a bounded value; 400 listing every problem. */
export function assertValidTargets(targets: readonly Target[]): void {
  const errors: FieldError[] = [];
  if (targets.length === 0) errors.push({ path: '/targets', message: 'must hold at least one target' });
  const seen = new Set<string>();
  targets.forEach((target, i) => {
    if (periodSpan(target.period) === undefined) errors.push({ path: `/targets/${i}/period`, message: 'must be YYYY, YYYY-Qn or YYYY-MM (years 2000..2100)' });
    else if (seen.has(target.period)) errors.push({ path: `/targets/${i}/period`, message: `${target.period} has a target already` });
    seen.add(target.period);
    const problem = valueProblem(target.value);
    if (problem !== undefined) errors.push({ path: `/targets/${i}/value`, message: problem });
  });
  invalid(errors, 'The indicator\'s targets are not valid.');
}

/**
 * A report is for a period with a target or inside the indicator's range, with a bounded value,
 * and reported no later than today; 400 listing every problem.
 */
export function assertReportAcceptable(targets: readonly Target[], report: Pick<IndicatorReport, 'period' | 'value' | 'reportedOn'>, today: string): void {
  const errors: FieldError[] = [];
  const span = periodSpan(report.period);
  const range = indicatorRange(targets);
  if (span === undefined) {
    errors.push({ path: '/period', message: 'must be YYYY, YYYY-Qn or YYYY-MM (years 2000..2100)' });
  } else if (!targets.some((target) => target.period === report.period) && (range === undefined || span.start < range.start || span.end > range.end)) {
    errors.push({
      path: '/period',
      message: range === undefined ? 'the indicator has no targets' : `has no target and lies outside the indicator's range ${range.start}..${range.end}`,
    });
  }
  const problem = valueProblem(report.value);
  if (problem !== undefined) errors.push({ path: '/value', message: problem });
  if (report.reportedOn > today) errors.push({ path: '/reportedOn', message: `must not be after today (${today})` });
  invalid(errors, 'The report is not valid for this indicator.');
}

/**
 * Target versus actual per period: every period with a target or a report, in time order. The
 * actual value of a period is its latest report (a later report corrects an earlier one), null
 * while none exists; the target is null for a period reported inside the range without one.
 */
export interface Progress {
  period: string;
  target: number | null;
  actual: number | null;
}

export function indicatorProgress(targets: readonly Target[], reports: readonly Pick<IndicatorReport, 'period' | 'value'>[]): Progress[] {
  const actual = new Map<string, number>();
  for (const report of reports) actual.set(report.period, report.value);
  const periods = [...new Set([...targets.map((t) => t.period), ...reports.map((r) => r.period)])].sort(comparePeriods);
  const target = new Map(targets.map((t) => [t.period, t.value]));
  return periods.map((period) => ({ period, target: target.get(period) ?? null, actual: actual.get(period) ?? null }));
}
