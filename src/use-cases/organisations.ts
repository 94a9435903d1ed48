import type { Principal } from '../domain/access.js';
import { DomainError, notFound } from '../domain/errors.js';
import { appendAuditEvents } from '../audit/trail.js';
import {
  findOrganisation,
  insertOrganisation,
  listOrganisations,
  updateOrganisation,
  type OrganisationFilter,
  type OrganisationRow,
} from '../db/organisations-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import { inTransaction } from '../db/transaction.js';
import { mapConstraintViolation } from '../db/errors.js';
import type { ServiceContext } from './context.js';
import { assertIfMatch } from './etag.js';

export const ORGANISATION_KINDS = ['foundation', 'municipality', 'applicant', 'employer', 'government', 'other'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  centreMunicipality: boolean;
  kvkNumber: string | null;
  createdAt: string;
  updatedAt: string;
}

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
    kind: row.kind as OrganisationKind,
    centreMunicipality: row.centreMunicipality,
    kvkNumber: row.kvkNumber,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Only a municipality's college can ratify, so only a municipality can be a centre municipality. */
function assertCentreIsMunicipality(kind: string, centreMunicipality: boolean): void {
  if (centreMunicipality && kind !== 'municipality') {
    throw new DomainError('CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY', 'Only an organisation of kind municipality can be a centre municipality.', [
      { path: '/centreMunicipality', message: "may only be true when kind is 'municipality'" },
    ]);
  }
}

export async function createOrganisation(ctx: ServiceContext, actor: Principal, input: OrganisationInput): Promise<Organisation> {
  const centreMunicipality = input.centreMunicipality ?? false;
  assertCentreIsMunicipality(input.kind, centreMunicipality);
  return inTransaction(ctx.database, async (tx) => {
    const row = await insertOrganisation(tx, {
      name: input.name,
      kind: input.kind,
      centreMunicipality,
      kvkNumber: input.kvkNumber ?? null,
    }).catch(mapConstraintViolation);
    const organisation = toOrganisation(row);
    await appendAuditEvents(tx, actor, [
      { action: 'organisation.created', resourceType: 'organisation', resourceId: row.id, data: { organisation } },
    ]);
    return organisation;
  });
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
  actor: Principal,
  id: string,
  changes: Partial<OrganisationInput>,
  ifMatch?: string,
): Promise<Organisation> {
  return inTransaction(ctx.database, async (tx) => {
    const current = await findOrganisation(tx, id, true);
    if (current === undefined) throw notFound('Organisation', id);
    assertIfMatch(ifMatch, toOrganisation(current));
    assertCentreIsMunicipality(changes.kind ?? current.kind, changes.centreMunicipality ?? current.centreMunicipality);
    const row = await updateOrganisation(tx, id, {
      ...(changes.name !== undefined && { name: changes.name }),
      ...(changes.kind !== undefined && { kind: changes.kind }),
      ...(changes.centreMunicipality !== undefined && { centreMunicipality: changes.centreMunicipality }),
      ...(changes.kvkNumber !== undefined && { kvkNumber: changes.kvkNumber }),
    }).catch(mapConstraintViolation);
    const organisation = toOrganisation(row);
    await appendAuditEvents(tx, actor, [
      {
        action: 'organisation.updated',
        resourceType: 'organisation',
        resourceId: id,
        data: { before: toOrganisation(current), organisation },
      },
    ]);
    return organisation;
  });
}
