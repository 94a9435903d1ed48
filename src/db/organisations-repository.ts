import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from './client.js';
import { organisations } from './schema.js';
import type { OrganisationKind } from '../domain/organisations.js';
import { afterPosition, type KeysetPosition } from './pagination.js';

export type OrganisationRow = typeof organisations.$inferSelect;
export type NewOrganisation = typeof organisations.$inferInsert;

export async function insertOrganisation(ex: Executor, values: NewOrganisation): Promise<OrganisationRow> {
  const [row] = await ex.insert(organisations).values(values).returning();
  return row!;
}

export async function findOrganisation(ex: Executor, id: string, forUpdate = false): Promise<OrganisationRow | undefined> {
  const query = ex.select().from(organisations).where(eq(organisations.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

export interface OrganisationFilter {
  kind?: OrganisationKind | undefined;
  centreMunicipality?: boolean | undefined;
}

export async function listOrganisations(
  ex: Executor,
  filter: OrganisationFilter,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<OrganisationRow[]> {
  return ex
    .select()
    .from(organisations)
    .where(
      and(
        filter.kind === undefined ? undefined : eq(organisations.kind, filter.kind),
        filter.centreMunicipality === undefined ? undefined : eq(organisations.centreMunicipality, filter.centreMunicipality),
        afterPosition(organisations.createdAt, organisations.id, after),
      ),
    )
    .orderBy(asc(organisations.createdAt), asc(organisations.id))
    .limit(limit + 1);
}

export async function updateOrganisation(
  ex: Executor,
  id: string,
  values: Partial<NewOrganisation>,
): Promise<OrganisationRow> {
  const [row] = await ex
    .update(organisations)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(organisations.id, id))
    .returning();
  return row!;
}

/** The centre municipalities as of now, in a stable order: frozen into a decision at adoption. */
export async function listCentreMunicipalityIds(ex: Executor): Promise<string[]> {
  const rows = await ex
    .select({ id: organisations.id })
    .from(organisations)
    .where(and(eq(organisations.kind, 'municipality'), eq(organisations.centreMunicipality, true)))
    .orderBy(asc(organisations.id));
  return rows.map((row) => row.id);
}

/** Whether the register holds any organisation at all (an empty register is one the demo may seed). */
export async function anyOrganisation(ex: Executor): Promise<boolean> {
  const rows = await ex.select({ id: organisations.id }).from(organisations).limit(1);
  return rows.length > 0;
}
