import { todayInAmsterdam } from '../domain/clock.js';
import { assertTransition } from '../domain/decision-lifecycle.js';
import { DomainError, notFound } from '../domain/errors.js';
import {
  assertReportAcceptable,
  assertValidTargets,
  comparePeriods,
  indicatorProgress,
  type Target,
} from '../domain/indicators.js';
import { toDocumentRefs, type DocumentInput } from '../domain/documents.js';
import type { Indicator, IndicatorReport } from '../domain/records.js';
import type { Executor } from '../db/client.js';
import { findDecisionRow } from '../db/decisions-repository.js';
import { mapConstraintViolation } from '../db/errors.js';
import {
  findIndicator,
  findIndicatorIdsOf,
  insertIndicator,
  insertIndicatorReport,
  listIndicatorReports,
  listIndicators,
  type IndicatorReportRow,
  type IndicatorRow,
} from '../db/indicators-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { toDecision } from './decision-views.js';
import { lockAndLoadAggregate } from '../db/decisions-repository.js';
import { rulesForViews } from './statute-rules.js';
import { runUnitOfWork, type Caller, type UnitOfWork } from './unit-of-work.js';

export interface IndicatorInput {
  code: string;
  name: string;
  unit: string;
  targets: Target[];
}

export interface IndicatorReportInput {
  period: string;
  value: number;
  reportedOn: string;
  documents?: DocumentInput[] | undefined;
}

function toReport(row: IndicatorReportRow): IndicatorReport {
  return { period: row.period, value: row.value, reportedOn: row.reportedOn, documents: row.documents };
}

export function toIndicator(row: IndicatorRow, reportRows: readonly IndicatorReportRow[]): Indicator {
  const reports = reportRows.filter((report) => report.indicatorId === row.id).map(toReport);
  return {
    id: row.id,
    decisionId: row.decisionId,
    code: row.code,
    name: row.name,
    unit: row.unit,
    targets: row.targets,
    reports,
    progress: indicatorProgress(row.targets, reports),
  };
}

/** The decision, locked, as it is now: what indicator events carry. */
async function lockedDecision(ctx: ServiceContext, uow: UnitOfWork, decisionId: string) {
  const aggregate = await lockAndLoadAggregate(uow.tx, decisionId);
  return toDecision(aggregate, todayInAmsterdam(ctx.clock), await rulesForViews(uow.tx, [aggregate]));
}

/** Defines a monitoring indicator with its targets on a decision; its code is unique on the decision (409). */
export async function defineIndicator(ctx: ServiceContext, caller: Caller, decisionId: string, input: IndicatorInput): Promise<Indicator> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const decision = await lockedDecision(ctx, uow, decisionId);
    assertTransition(decision.status, 'defineIndicator');
    assertValidTargets(input.targets);
    const targets = [...input.targets].sort((a, b) => comparePeriods(a.period, b.period)).map(({ period, value }) => ({ period, value }));
    const row = await insertIndicator(uow.tx, { decisionId, code: input.code, name: input.name, unit: input.unit, targets }).catch(mapConstraintViolation);
    const indicator = toIndicator(row, []);
    uow.emit('indicator.defined', { decision, indicator });
    return indicator;
  });
}

/** Records a value of an indicator for one period; the answer is the indicator with its progress. */
export async function reportIndicator(
  ctx: ServiceContext,
  caller: Caller,
  decisionId: string,
  indicatorId: string,
  input: IndicatorReportInput,
): Promise<Indicator> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const decision = await lockedDecision(ctx, uow, decisionId);
    const row = await findIndicator(uow.tx, decisionId, indicatorId);
    if (row === undefined) throw notFound('Indicator', indicatorId);
    assertTransition(decision.status, 'reportIndicator');
    assertReportAcceptable(row.targets, input, todayInAmsterdam(ctx.clock));
    const documents = toDocumentRefs(input.documents ?? []);
    const reportRow = await insertIndicatorReport(uow.tx, { indicatorId, period: input.period, value: input.value, reportedOn: input.reportedOn, documents });
    const indicator = toIndicator(row, await listIndicatorReports(uow.tx, [indicatorId]));
    uow.emit('indicator.reported', { decision, indicator, report: toReport(reportRow) });
    return indicator;
  });
}

/** A decision's indicators with targets, reports and target versus actual, a page at a time. */
export async function listIndicatorsPage(ctx: ServiceContext, decisionId: string, cursor: string | undefined, limit: number): Promise<Page<Indicator>> {
  const ex = ctx.database.db;
  const after = decodeCursor(cursor);
  if ((await findDecisionRow(ex, decisionId)) === undefined) throw notFound('Decision', decisionId);
  const rows = await listIndicators(ex, decisionId, after, limit);
  const reports = await listIndicatorReports(ex, rows.slice(0, limit).map((row) => row.id));
  return toPage(rows, limit, (row) => toIndicator(row, reports));
}

/** A condition is fulfilled by indicators of its own decision only: any other id is 400, each named. */
export async function assertIndicatorsOfDecision(ex: Executor, decisionId: string, indicatorIds: readonly string[]): Promise<void> {
  const known = await findIndicatorIdsOf(ex, decisionId, indicatorIds);
  const errors = indicatorIds.flatMap((id, i) => (known.has(id) ? [] : [{ path: `/indicatorIds/${i}`, message: `indicator ${id} is not an indicator of this decision` }]));
  if (errors.length > 0) throw new DomainError('REFERENCED_RESOURCE_NOT_FOUND', 'The condition refers to indicators this decision does not have.', errors);
}
