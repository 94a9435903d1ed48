import { notFound } from '../domain/errors.js';
import { sumCents } from '../domain/money.js';
import { listCommitmentRows, programmeFundingRows, type CommitmentFilter } from '../db/decisions-repository.js';
import { findProgramme } from '../db/programmes-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { toCommitmentListItem, type CommitmentListItem } from './decision-views.js';

export interface ProgrammeFunding {
  programmeId: string;
  years: { year: number; bindingCents: number; pendingCents: number }[];
  totalBindingCents: number;
  totalPendingCents: number;
}

/** Binding money comes from adopted and ratified decisions, pending money from those awaiting ratification. */
export async function programmeFunding(ctx: ServiceContext, programmeId: string): Promise<ProgrammeFunding> {
  const ex = ctx.database.db;
  if ((await findProgramme(ex, programmeId)) === undefined) throw notFound('Programme', programmeId);
  const years = await programmeFundingRows(ex, programmeId);
  return {
    programmeId,
    years,
    totalBindingCents: sumCents(years.map((y) => y.bindingCents)),
    totalPendingCents: sumCents(years.map((y) => y.pendingCents)),
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
