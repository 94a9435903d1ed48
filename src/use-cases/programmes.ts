import type { Principal } from '../domain/access.js';
import { notFound, referenceNotFound } from '../domain/errors.js';
import { appendAuditEvents } from '../audit/trail.js';
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
import { inTransaction } from '../db/transaction.js';
import { mapConstraintViolation } from '../db/errors.js';
import type { ServiceContext } from './context.js';
import { assertIfMatch } from './etag.js';

export interface Programme {
  id: string;
  code: string;
  name: string;
  description: string | null;
  ownerOrganisationId: string | null;
  createdAt: string;
  updatedAt: string;
}

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

export async function createProgramme(ctx: ServiceContext, actor: Principal, input: ProgrammeInput): Promise<Programme> {
  return inTransaction(ctx.database, async (tx) => {
    await assertOwnerExists(tx, input.ownerOrganisationId);
    const row = await insertProgramme(tx, {
      code: input.code,
      name: input.name,
      description: input.description ?? null,
      ownerOrganisationId: input.ownerOrganisationId ?? null,
    }).catch(mapConstraintViolation);
    const programme = toProgramme(row);
    await appendAuditEvents(tx, actor, [
      { action: 'programme.created', resourceType: 'programme', resourceId: row.id, data: { programme } },
    ]);
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
  actor: Principal,
  id: string,
  changes: Partial<ProgrammeInput>,
  ifMatch?: string,
): Promise<Programme> {
  return inTransaction(ctx.database, async (tx) => {
    const current = await findProgramme(tx, id, true);
    if (current === undefined) throw notFound('Programme', id);
    assertIfMatch(ifMatch, toProgramme(current));
    await assertOwnerExists(tx, changes.ownerOrganisationId);
    const row = await updateProgramme(tx, id, {
      ...(changes.code !== undefined && { code: changes.code }),
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.description !== undefined && { description: changes.description }),
      ...(changes.ownerOrganisationId !== undefined && { ownerOrganisationId: changes.ownerOrganisationId }),
    }).catch(mapConstraintViolation);
    const programme = toProgramme(row);
    await appendAuditEvents(tx, actor, [
      { action: 'programme.updated', resourceType: 'programme', resourceId: id, data: { before: toProgramme(current), programme } },
    ]);
    return programme;
  });
}
