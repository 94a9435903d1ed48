import { asc, inArray, sql, type SQL } from 'drizzle-orm';
import type { RatificationState } from '../domain/ratification-overview.js';
import { queryRows, type Executor, type Tx } from './client.js';
import type { RatificationPosition } from './pagination.js';
import { ratificationReminders, votes } from './schema.js';
import type { VoteRow } from './decisions-repository.js';

/**
 * The colleges' side of ratification: one row per (decision in pending_ratification, municipality
 * it requires), for the overview and the reminders. Ordered by due date (none last), decision,
 * municipality; the keyset compares the due date as `9999-12-31` when there is none.
 */
export interface RatificationRow {
  decisionId: string;
  reference: string;
  title: string;
  totalAmountCents: number;
  dueDate: string | null;
  municipalityId: string;
  municipalityName: string;
  voted: boolean;
}

export interface RatificationFilter {
  municipalityId?: string | undefined;
  state?: RatificationState | undefined;
  /** Europe/Amsterdam. */
  today: string;
  /** The last due date counted as due soon today (`dueSoonUntil` of the domain). */
  dueSoonUntil: string;
}

const NO_DUE_DATE = '9999-12-31';
const dueKey = sql`coalesce(d.ratification_due_date, ${NO_DUE_DATE}::date)`;

/** The states of `ratificationState` as SQL, from the same two dates the domain compares. */
function stateCondition(state: RatificationState, today: string, until: string): SQL {
  switch (state) {
    case 'voted':
      return sql`v.id is not null`;
    case 'overdue':
      return sql`v.id is null and d.ratification_due_date < ${today}::date`;
    case 'due_soon':
      return sql`v.id is null and d.ratification_due_date >= ${today}::date and d.ratification_due_date <= ${until}::date`;
    case 'awaiting':
      return sql`v.id is null and (d.ratification_due_date is null or d.ratification_due_date > ${until}::date)`;
  }
}

export async function listRatificationRows(ex: Executor, filter: RatificationFilter, after: RatificationPosition | undefined, limit: number): Promise<RatificationRow[]> {
  const conditions: SQL[] = [sql`d.status = 'pending_ratification'`];
  if (filter.municipalityId !== undefined) conditions.push(sql`m.id = ${filter.municipalityId}::uuid`);
  if (filter.state !== undefined) conditions.push(stateCondition(filter.state, filter.today, filter.dueSoonUntil));
  if (after !== undefined) {
    conditions.push(sql`(${dueKey}, d.id, m.id) > (${after.dueDate ?? NO_DUE_DATE}::date, ${after.decisionId}::uuid, ${after.municipalityId}::uuid)`);
  }
  const rows = await queryRows<Omit<RatificationRow, 'totalAmountCents'> & { totalAmountCents: string | number }>(
    ex,
    sql`select d.id as "decisionId", d.reference, d.title, d.total_amount_cents as "totalAmountCents",
          d.ratification_due_date::text as "dueDate", m.id as "municipalityId", o.name as "municipalityName",
          (v.id is not null) as voted
        from decisions d
        cross join lateral unnest(d.required_municipality_ids) as m(id)
        join organisations o on o.id = m.id
        left join ratification_votes v on v.decision_id = d.id and v.municipality_id = m.id
        where ${sql.join(conditions, sql` and `)}
        order by ${dueKey}, d.id, m.id
        limit ${limit}`,
  );
  return rows.map((row) => ({ ...row, totalAmountCents: Number(row.totalAmountCents) }));
}

/** The votes on these decisions, each decision's in the order they were accepted. */
export async function votesOfDecisions(ex: Executor, decisionIds: readonly string[]): Promise<Map<string, VoteRow[]>> {
  const byDecision = new Map<string, VoteRow[]>();
  if (decisionIds.length === 0) return byDecision;
  const rows = await ex.select().from(votes).where(inArray(votes.decisionId, [...decisionIds])).orderBy(asc(votes.castAt), asc(votes.id));
  for (const row of rows) byDecision.set(row.decisionId, [...(byDecision.get(row.decisionId) ?? []), row]);
  return byDecision;
}

/**
 * Records that the reminder of `daysBefore` was raised for these (decision, municipality) pairs;
 * returns the pairs it was not raised for before. The primary key makes a reminder once only:
 * of several instances inserting the same row at once, one inserts it and the others wait for its
 * transaction and then insert nothing, so exactly one raises the event in the same transaction.
 */
export async function recordReminders(
  tx: Tx,
  reminders: readonly { decisionId: string; municipalityId: string; daysBefore: number }[],
): Promise<{ decisionId: string; municipalityId: string; daysBefore: number }[]> {
  if (reminders.length === 0) return [];
  return tx
    .insert(ratificationReminders)
    .values([...reminders])
    .onConflictDoNothing()
    .returning({ decisionId: ratificationReminders.decisionId, municipalityId: ratificationReminders.municipalityId, daysBefore: ratificationReminders.daysBefore });
}
