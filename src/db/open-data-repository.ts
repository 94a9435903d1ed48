import { and, asc, eq, gt, inArray, or, sql, type SQL } from 'drizzle-orm';
import { BINDING_STATUSES, type DecisionStatus } from '../domain/decision-lifecycle.js';
import { queryRows, type Executor } from './client.js';
import { decisions, organisations, programmes } from './schema.js';
import type { OrganisationRow } from './organisations-repository.js';
import type { ProgrammeRow } from './programmes-repository.js';
import type { KeysetPosition } from './pagination.js';

/**
 * What the open data publishes, read in keyset batches over (created_at, id) so a download of any
 * size holds one batch in memory: binding decisions (the 360Giving grants) and decisions whose
 * ratification ended (the vote events), with the organisations, programmes and payments they name.
 */
const ENDED_RATIFICATION: readonly DecisionStatus[] = ['ratified', 'rejected', 'settled', 'superseded'];

export type PublishedSet = 'binding' | 'ratification-ended';

function selection(set: PublishedSet): SQL {
  return set === 'binding'
    ? inArray(decisions.status, [...BINDING_STATUSES])
    : and(inArray(decisions.status, [...ENDED_RATIFICATION]), sql`cardinality(${decisions.requiredMunicipalityIds}) > 0`)!;
}

/** The ids of the next batch of published decisions after `after`, in (created_at, id) order. */
export async function publishedDecisionBatch(
  ex: Executor,
  set: PublishedSet,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<KeysetPosition[]> {
  const keyset =
    after === undefined
      ? undefined
      : or(gt(decisions.createdAt, after.createdAt), and(eq(decisions.createdAt, after.createdAt), gt(decisions.id, after.id)));
  return ex
    .select({ createdAt: decisions.createdAt, id: decisions.id })
    .from(decisions)
    .where(and(selection(set), keyset))
    .orderBy(asc(decisions.createdAt), asc(decisions.id))
    .limit(limit);
}

export async function organisationsByIds(ex: Executor, ids: readonly string[]): Promise<OrganisationRow[]> {
  return ids.length === 0 ? [] : ex.select().from(organisations).where(inArray(organisations.id, [...ids]));
}

export async function programmesByIds(ex: Executor, ids: readonly string[]): Promise<ProgrammeRow[]> {
  return ids.length === 0 ? [] : ex.select().from(programmes).where(inArray(programmes.id, [...ids]));
}

/** The register's foundation (ESZL), the funder of every grant: the first one registered. */
export async function firstFoundation(ex: Executor): Promise<OrganisationRow | undefined> {
  const [row] = await ex
    .select()
    .from(organisations)
    .where(eq(organisations.kind, 'foundation'))
    .orderBy(asc(organisations.createdAt), asc(organisations.id))
    .limit(1);
  return row;
}

export interface LineagePayment {
  decisionId: string;
  id: string;
  commitmentId: string;
  amountCents: number;
  paidOn: string;
  reference: string;
  createdAt: string;
}

/**
 * Payments per decision, including those made under the decisions it amends (which count against
 * its commitments): each decision's lineage is followed through `amends`.
 */
export async function paymentsOfLineages(ex: Executor, decisionIds: readonly string[]): Promise<LineagePayment[]> {
  if (decisionIds.length === 0) return [];
  const ids = sql.join(decisionIds.map((id) => sql`${id}::uuid`), sql`, `);
  return queryRows<LineagePayment>(
    ex,
    sql`with recursive lineage(root, id) as (
          select d.id, d.id from decisions d where d.id in (${ids})
          union
          select l.root, d.amends from lineage l join decisions d on d.id = l.id where d.amends is not null
        )
        select l.root::text as "decisionId", x.id::text as "id", x.commitment_id::text as "commitmentId",
               x.amount_cents::float8 as "amountCents", x.paid_on::text as "paidOn", x.reference as "reference",
               to_char(x.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "createdAt"
        from lineage l join disbursements x on x.decision_id = l.id
        order by x.paid_on, x.created_at, x.id`,
  );
}

