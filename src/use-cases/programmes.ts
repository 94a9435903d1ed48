import { notFound, referenceNotFound } from '../domain/errors.js';
import type { Programme } from '../domain/records.js';
import type { Executor } from '../db/client.js';
import { findOrganisation } from '../db/organisations-repository.js';
import {
  findProgramme,
  insertProgramme,
  listProgrammes,
  updateProgramme,
  type ProgrammeRow,
} from '../db/programmes-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import { mapConstraintViolation } from '../db/errors.js';
import type { ServiceContext } from './context.js';
import { assertExpectedVersion, type ExpectedVersion } from './etag.js';
import { sentFields } from './sent-fields.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export type { Programme } from '../domain/records.js';

export interface ProgrammeInput {
  code: string;
  name: string;
  description?: string | null | undefined;
  ownerOrganisationId?: string | null | undefined;
}

export function toProgramme(row: ProgrammeRow): Programme {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    description: row.description,
    ownerOrganisationId: row.ownerOrganisationId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

async function assertOwnerExists(ex: Executor, ownerOrganisationId: string | null | undefined): Promise<void> {
  if (ownerOrganisationId && (await findOrganisation(ex, ownerOrganisationId)) === undefined) {
    throw referenceNotFound('/ownerOrganisationId', 'Organisation', ownerOrganisationId);
  }
}

export async function createProgramme(ctx: ServiceContext, caller: Caller, input: ProgrammeInput): Promise<Programme> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    await assertOwnerExists(uow.tx, input.ownerOrganisationId);
    const row = await insertProgramme(uow.tx, {
      code: input.code,
      name: input.name,
      description: input.description ?? null,
      ownerOrganisationId: input.ownerOrganisationId ?? null,
    }).catch(mapConstraintViolation);
    const programme = toProgramme(row);
    uow.emit('programme.created', { programme });
    return programme;
  });
}

export async function getProgramme(ctx: ServiceContext, id: string): Promise<Programme> {
  const row = await findProgramme(ctx.database.db, id);
  if (row === undefined) throw notFound('Programme', id);
  return toProgramme(row);
}

export async function listProgrammesPage(ctx: ServiceContext, cursor: string | undefined, limit: number): Promise<Page<Programme>> {
  const rows = await listProgrammes(ctx.database.db, decodeCursor(cursor), limit);
  return toPage(rows, limit, toProgramme);
}

export async function patchProgramme(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  changes: Partial<ProgrammeInput>,
  expected?: ExpectedVersion,
): Promise<Programme> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const current = await findProgramme(uow.tx, id, true);
    if (current === undefined) throw notFound('Programme', id);
    const before = toProgramme(current);
    assertExpectedVersion(expected, before);
    await assertOwnerExists(uow.tx, changes.ownerOrganisationId);
    const sent = sentFields(changes, ['code', 'name', 'description', 'ownerOrganisationId']);
    const programme = toProgramme(await updateProgramme(uow.tx, id, sent).catch(mapConstraintViolation));
    uow.emit('programme.updated', { before, programme });
    return programme;
  });
}
