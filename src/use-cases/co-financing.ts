import { notFound, referenceNotFound } from '../domain/errors.js';
import { assertFunderNamed } from '../domain/fund.js';
import type { CoFinancing, CoFinancingKind } from '../domain/records.js';
import { insertCoFinancing, listCoFinancing, type CoFinancingRow } from '../db/co-financing-repository.js';
import { findOrganisation } from '../db/organisations-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import { findProgramme } from '../db/programmes-repository.js';
import type { ServiceContext } from './context.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export interface CoFinancingInput {
  funderOrganisationId?: string | null | undefined;
  funderName?: string | null | undefined;
  kind: CoFinancingKind;
  year: number;
  amountCents: number;
  reference: string;
}

export function toCoFinancing(row: CoFinancingRow): CoFinancing {
  return {
    id: row.id,
    programmeId: row.programmeId,
    funderOrganisationId: row.funderOrganisationId,
    funderName: row.funderName,
    kind: row.kind,
    year: row.year,
    amountCents: row.amountCents,
    reference: row.reference,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Money others bring to a programme (Regio Deal, employers, government), beside ESZL's. The
 * funder is named by an organisation of the register, by name, or both; never by neither.
 */
export async function recordCoFinancing(ctx: ServiceContext, caller: Caller, programmeId: string, input: CoFinancingInput): Promise<CoFinancing> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    if ((await findProgramme(uow.tx, programmeId)) === undefined) throw notFound('Programme', programmeId);
    const funderOrganisationId = input.funderOrganisationId ?? null;
    const funderName = input.funderName ?? null;
    assertFunderNamed({ funderOrganisationId, funderName });
    if (funderOrganisationId !== null && (await findOrganisation(uow.tx, funderOrganisationId)) === undefined) {
      throw referenceNotFound('/funderOrganisationId', 'Organisation', funderOrganisationId);
    }
    const coFinancing = toCoFinancing(
      await insertCoFinancing(uow.tx, { programmeId, funderOrganisationId, funderName, kind: input.kind, year: input.year, amountCents: input.amountCents, reference: input.reference }),
    );
    uow.emit('co_financing.recorded', { coFinancing });
    return coFinancing;
  });
}

export async function listCoFinancingPage(
  ctx: ServiceContext,
  programmeId: string,
  filter: { year?: number | undefined },
  cursor: string | undefined,
  limit: number,
): Promise<Page<CoFinancing>> {
  const ex = ctx.database.db;
  const after = decodeCursor(cursor);
  if ((await findProgramme(ex, programmeId)) === undefined) throw notFound('Programme', programmeId);
  return toPage(await listCoFinancing(ex, programmeId, filter, after, limit), limit, toCoFinancing);
}
