import { assertMayDesignateCentreMunicipalities } from '../domain/access.js';
import { notFound } from '../domain/errors.js';
import { assertCentreIsMunicipality, type OrganisationKind } from '../domain/organisations.js';
import type { Organisation } from '../domain/records.js';
import {
  anyOrganisation,
  findOrganisation,
  insertOrganisation,
  listOrganisations,
  updateOrganisation,
  type OrganisationFilter,
  type OrganisationRow,
} from '../db/organisations-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import { mapConstraintViolation } from '../db/errors.js';
import type { ServiceContext } from './context.js';
import { assertExpectedVersion, type ExpectedVersion } from './etag.js';
import { sentFields } from './sent-fields.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export type { Organisation } from '../domain/records.js';

export interface OrganisationInput {
  name: string;
  kind: OrganisationKind;
  centreMunicipality?: boolean | undefined;
  kvkNumber?: string | null | undefined;
}

export function toOrganisation(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    centreMunicipality: row.centreMunicipality,
    kvkNumber: row.kvkNumber,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function createOrganisation(ctx: ServiceContext, caller: Caller, input: OrganisationInput): Promise<Organisation> {
  const centreMunicipality = input.centreMunicipality ?? false;
  assertMayDesignateCentreMunicipalities(caller.principal, false, centreMunicipality);
  assertCentreIsMunicipality({ kind: input.kind, centreMunicipality });
  return runUnitOfWork(ctx, caller, async (uow) => {
    const row = await insertOrganisation(uow.tx, {
      name: input.name,
      kind: input.kind,
      centreMunicipality,
      kvkNumber: input.kvkNumber ?? null,
    }).catch(mapConstraintViolation);
    const organisation = toOrganisation(row);
    uow.emit('organisation.created', { organisation });
    return organisation;
  });
}

/** An empty register: no organisation yet (the demo seeds only such a register). */
export async function isRegisterEmpty(ctx: ServiceContext): Promise<boolean> {
  return !(await anyOrganisation(ctx.database.db));
}

export async function getOrganisation(ctx: ServiceContext, id: string): Promise<Organisation> {
  const row = await findOrganisation(ctx.database.db, id);
  if (row === undefined) throw notFound('Organisation', id);
  return toOrganisation(row);
}

export async function listOrganisationsPage(
  ctx: ServiceContext,
  filter: OrganisationFilter,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Organisation>> {
  const rows = await listOrganisations(ctx.database.db, filter, decodeCursor(cursor), limit);
  return toPage(rows, limit, toOrganisation);
}

export async function patchOrganisation(
  ctx: ServiceContext,
  caller: Caller,
  id: string,
  changes: Partial<OrganisationInput>,
  expected?: ExpectedVersion,
): Promise<Organisation> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const current = await findOrganisation(uow.tx, id, true);
    if (current === undefined) throw notFound('Organisation', id);
    const before = toOrganisation(current);
    assertExpectedVersion(expected, before);
    const sent = sentFields(changes, ['name', 'kind', 'centreMunicipality', 'kvkNumber']);
    assertMayDesignateCentreMunicipalities(caller.principal, current.centreMunicipality, sent.centreMunicipality ?? current.centreMunicipality);
    assertCentreIsMunicipality({ ...current, ...sent });
    const organisation = toOrganisation(await updateOrganisation(uow.tx, id, sent).catch(mapConstraintViolation));
    uow.emit('organisation.updated', { before, organisation });
    return organisation;
  });
}
