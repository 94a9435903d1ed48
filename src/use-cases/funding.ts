import { notFound } from '../domain/errors.js';
import {
  fundingTotals,
  fundingYears,
  sumFigures,
  NO_MONEY,
  type FundingFigures,
  type FundingTotals,
  type FundingYear,
} from '../domain/funding.js';
import { listCommitmentRows, type CommitmentFilter } from '../db/decisions-repository.js';
import { fundingRows, listProgrammeIds, type FundingRow } from '../db/funding-repository.js';
import { findProgramme } from '../db/programmes-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { toCommitmentListItem, type CommitmentListItem } from './decision-views.js';

export type { FundingYear } from '../domain/funding.js';

export interface ProgrammeFunding extends FundingTotals {
  programmeId: string;
  years: FundingYear[];
}

export interface EszlFunding {
  programmes: ProgrammeFunding[];
  /** The same figures per year, summed over the programmes. */
  years: FundingYear[];
}

function byYear(rows: readonly FundingRow[]): Map<number, FundingFigures> {
  const years = new Map<number, FundingFigures>();
  for (const row of rows) years.set(row.year, sumFigures([years.get(row.year) ?? NO_MONEY, row]));
  return years;
}

function programmeView(programmeId: string, rows: readonly FundingRow[]): ProgrammeFunding {
  const years = fundingYears(byYear(rows));
  return { programmeId, years, ...fundingTotals(years) };
}

/** A programme's money per year: binding, pending, disbursed, released, remaining and co-financing. */
export async function programmeFunding(ctx: ServiceContext, programmeId: string): Promise<ProgrammeFunding> {
  const ex = ctx.database.db;
  if ((await findProgramme(ex, programmeId)) === undefined) throw notFound('Programme', programmeId);
  return programmeView(programmeId, await fundingRows(ex, { programmeId }));
}

/** Every programme's funding (in code order) and the ESZL-wide figures per year, optionally for one year. */
export async function eszlFunding(ctx: ServiceContext, filter: { year?: number | undefined }): Promise<EszlFunding> {
  const ex = ctx.database.db;
  // Programmes are never deleted: read after the money, the list holds every programme a row names.
  const rows = await fundingRows(ex, { year: filter.year });
  const programmeIds = await listProgrammeIds(ex);
  const rowsOf = new Map<string, FundingRow[]>();
  for (const row of rows) rowsOf.set(row.programmeId, [...(rowsOf.get(row.programmeId) ?? []), row]);
  return {
    programmes: programmeIds.map((id) => programmeView(id, rowsOf.get(id) ?? [])),
    years: fundingYears(byYear(rows)),
  };
}

export async function listCommitmentsPage(
  ctx: ServiceContext,
  filter: CommitmentFilter,
  cursor: string | undefined,
  limit: number,
): Promise<Page<CommitmentListItem>> {
  const rows = await listCommitmentRows(ctx.database.db, filter, decodeCursor(cursor), limit);
  return toPage(rows, limit, toCommitmentListItem);
}
