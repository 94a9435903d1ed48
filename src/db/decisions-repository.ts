import { and, asc, eq, inArray, isNull, lt, sql, type SQL } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { queryRows, type Db, type Executor, type Tx } from './client.js';
import { preparedOnce, relationalOnce } from './prepared.js';
import { answersInOrder } from './pipeline.js';
import { mapConstraintViolation } from './errors.js';
import { listStatuteRules, type StatuteRuleRow } from './statute-rules-repository.js';
import { commitments, conditions, decisions, organisations, programmes, sqlValues, votes } from './schema.js';
import { notFound } from '../domain/errors.js';
import type { DocumentRef } from '../domain/records.js';
import type { RuleTerms } from '../domain/statute.js';
import { BINDING_STATUSES, type DecisionStatus } from '../domain/decision-lifecycle.js';
import { afterPosition, type KeysetPosition } from './pagination.js';

export type DecisionRow = typeof decisions.$inferSelect;
export type CommitmentRow = typeof commitments.$inferSelect;
export type ConditionRow = typeof conditions.$inferSelect;
export type VoteRow = typeof votes.$inferSelect;

export interface DecisionAggregate {
  decision: DecisionRow;
  commitments: CommitmentRow[];
  conditions: ConditionRow[];
  votes: VoteRow[];
  /** For an amendment, the total of the decision it amends (read with the decision; absent where not needed). */
  amendedTotalCents?: number | null | undefined;
  /** For a decision never adopted, the statute rules (read with it): its view shows the one in force on its board meeting date. */
  draftRules?: RuleTerms[] | undefined;
}

/** True when building the view of this decision needs the statute rules (it was never adopted). */
export function needsRules(aggregate: DecisionAggregate): boolean {
  return aggregate.decision.statuteRuleVersion === null;
}

export interface CommitmentValues {
  programmeId: string;
  year: number;
  amountCents: number;
  purpose: string | null;
}

export interface ConditionValues {
  description: string;
  dueDate: string;
  blocksDisbursement?: boolean | undefined;
  reference?: string | null | undefined;
}

/** Which of these programmes, organisations and decisions exist, in one round trip. */
export async function findExistingReferences(
  ex: Executor,
  programmeIds: readonly string[],
  organisationIds: readonly string[],
  decisionIds: readonly string[] = [],
): Promise<{ programmeIds: Set<string>; organisationIds: Set<string>; decisionIds: Set<string> }> {
  const found = { programmeIds: new Set<string>(), organisationIds: new Set<string>(), decisionIds: new Set<string>() };
  if (programmeIds.length === 0 && organisationIds.length === 0 && decisionIds.length === 0) return found;
  const list = (ids: readonly string[]) => (ids.length === 0 ? sql`null` : sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `));
  const rows = await queryRows<{ id: string; kind: 'programme' | 'organisation' | 'decision' }>(
    ex,
    sql`select id::text as id, 'programme' as kind from ${programmes} where id in (${list(programmeIds)})
        union all
        select id::text, 'organisation' from ${organisations} where id in (${list(organisationIds)})
        union all
        select id::text, 'decision' from ${decisions} where id in (${list(decisionIds)})`,
  );
  const sets = { programme: found.programmeIds, organisation: found.organisationIds, decision: found.decisionIds };
  for (const row of rows) sets[row.kind].add(row.id);
  return found;
}

/** The ids a decision refers to: its programmes, its applicant, the decisions it names as related. */
export interface ReferencedIds {
  programmeIds: readonly string[];
  organisationIds: readonly string[];
  decisionIds: readonly string[];
}

/** What registering a draft reads: which of the ids it refers to exist, and the statute rules (its view shows the rule adoption would apply). */
export interface DraftFacts {
  known: Awaited<ReturnType<typeof findExistingReferences>>;
  statuteRules: StatuteRuleRow[];
}

/** A draft's facts (`DraftFacts`): the two reads are independent and go out together, one round trip. */
export async function loadDraftFacts(tx: Tx, referenced: ReferencedIds): Promise<DraftFacts> {
  const [known, statuteRules] = await answersInOrder(
    findExistingReferences(tx, referenced.programmeIds, referenced.organisationIds, referenced.decisionIds),
    listStatuteRules(tx),
  );
  return { known, statuteRules };
}

export async function insertDecision(ex: Executor, values: typeof decisions.$inferInsert): Promise<DecisionRow> {
  const [row] = await ex.insert(decisions).values(values).returning();
  return row!;
}

/** Adds a new decision's commitments in the order the client sent them; the rows, in that order. */
export async function insertCommitments(ex: Executor, decisionId: string, items: readonly CommitmentValues[]): Promise<CommitmentRow[]> {
  if (items.length === 0) return [];
  const rows = await ex.insert(commitments).values(items.map((item, position) => ({ ...item, decisionId, position }))).returning();
  return rows.sort((a, b) => a.position - b.position);
}

export async function insertConditions(ex: Executor, decisionId: string, items: readonly ConditionValues[]): Promise<ConditionRow[]> {
  if (items.length === 0) return [];
  const rows = await ex.insert(conditions).values(items.map((item, position) => ({ ...item, decisionId, position }))).returning();
  return rows.sort((a, b) => a.position - b.position);
}

/** A new draft as inserted: the decision row and its children, in the order the client sent them. */
export interface DraftRows {
  decision: DecisionRow;
  commitments: CommitmentRow[];
  conditions: ConditionRow[];
}

/**
 * Inserts a draft: the decision row (a reference already taken is a domain error), then its
 * commitments and conditions, which go out together (one round trip). A new draft's whole view is
 * what this returns: nothing needs to be read back.
 */
export async function insertDraft(
  tx: Tx,
  values: typeof decisions.$inferInsert,
  commitmentItems: readonly CommitmentValues[],
  conditionItems: readonly ConditionValues[],
): Promise<DraftRows> {
  const decision = await insertDecision(tx, values).catch(mapConstraintViolation);
  const [insertedCommitments, insertedConditions] = await answersInOrder(
    insertCommitments(tx, decision.id, commitmentItems),
    insertConditions(tx, decision.id, conditionItems),
  );
  return { decision, commitments: insertedCommitments, conditions: insertedConditions };
}

/** Replaces a draft's commitments; positions keep the order the client sent. */
export async function replaceCommitments(ex: Executor, decisionId: string, items: readonly CommitmentValues[]): Promise<void> {
  await ex.delete(commitments).where(eq(commitments.decisionId, decisionId));
  await insertCommitments(ex, decisionId, items);
}

export async function replaceConditions(ex: Executor, decisionId: string, items: readonly ConditionValues[]): Promise<void> {
  await ex.delete(conditions).where(eq(conditions.decisionId, decisionId));
  await insertConditions(ex, decisionId, items);
}

/** The decision row, locked for the rest of the transaction when `forUpdate`: the funnel for every state change. */
export async function findDecisionRow(ex: Executor, id: string, forUpdate = false): Promise<DecisionRow | undefined> {
  const query = ex.select().from(decisions).where(eq(decisions.id, id));
  const [row] = forUpdate ? await query.for('update') : await query;
  return row;
}

/**
 * Locks the decision rows that exist among `ids`, one after the other in id order (the rows are
 * locked as the sorted scan returns them). Transactions that lock several decisions this way
 * always take the locks in the same order, so two of them cannot deadlock on each other.
 */
export async function lockDecisionsInIdOrder(tx: Tx, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .select({ id: decisions.id })
    .from(decisions)
    .where(inArray(decisions.id, [...ids]))
    .orderBy(asc(decisions.id))
    .for('update');
}

/**
 * Locks the decision row and loads its aggregate in one round trip: `execute()` sends each
 * statement as it is called, the lock first, so the load runs behind the lock and reads the
 * decision as its last committed change left it: the funnel of every change of a decision. 404
 * RESOURCE_NOT_FOUND when the decision does not exist.
 */
export async function lockAndLoadAggregate(tx: Tx, id: string): Promise<DecisionAggregate> {
  const locking = tx.select({ id: decisions.id }).from(decisions).where(eq(decisions.id, id)).for('update').execute();
  const loading = aggregateById(tx, { id });
  const [locked, row] = await answersInOrder(locking, loading);
  if (locked.length !== 1 || row === undefined) throw notFound('Decision', id);
  return toAggregate(row);
}

/** Sent when called (`execute()`), so a caller may send another statement behind it before the answer. */
export function updateDecision(ex: Executor, id: string, values: PgUpdateSetSource<typeof decisions>): Promise<DecisionRow> {
  return ex
    .update(decisions)
    .set({ ...values, updatedAt: sql`now()` })
    .where(eq(decisions.id, id))
    .returning()
    .execute()
    .then(([row]) => row!);
}

/**
 * The children of a decision, each with its table and the order every read loads it in: the one
 * list of what a decision's view is read from besides the decision row itself. The loader reads
 * them through `withChildren`, and the view version (`decision-view-version.ts`) watches the same
 * tables, so a child added here is read and watched at once.
 */
export const DECISION_CHILDREN = {
  commitments: { table: commitments, orderBy: [asc(commitments.position)] },
  conditions: { table: conditions, orderBy: [asc(conditions.position)] },
  votes: { table: votes, orderBy: [asc(votes.castAt), asc(votes.id)] },
};

/** The children of a decision as every read loads them, in their order (drizzle's `with`, from `DECISION_CHILDREN`). */
export const withChildren = Object.fromEntries(
  Object.entries(DECISION_CHILDREN).map(([name, { orderBy }]) => [name, { orderBy }]),
) as { [K in keyof typeof DECISION_CHILDREN]: { orderBy: (typeof DECISION_CHILDREN)[K]['orderBy'] } };

/**
 * Read with every decision: an amendment's draft shows whether it will need ratification, which
 * depends on the total of the decision it amends (null for a decision that amends none); a
 * decision never adopted shows the statute rule adoption would apply, so it comes with the rules
 * (a handful of rows; null for a decision that froze its rule), and its view needs nothing else.
 */
export const withViewExtras = {
  extras: (t: typeof decisions._.columns) => ({
    amendedTotalCents: sql<string | null>`(select a.total_amount_cents::text from decisions a where a.id = ${t.amends})`.as('amended_total_cents'),
    draftRules: sql<string | null>`case when ${t.statuteRuleVersion} is null or ${t.thresholdCents} is null then
        (select json_agg(json_build_object('version', r.version, 'effectiveFrom', r.effective_from, 'thresholdCents', r.threshold_cents))::text
           from statute_rules r) end`.as('draft_rules'),
  }),
};

/** A relational row with its children (and what `withViewExtras` reads) as the aggregate the views read. */
export function toAggregate(
  row: DecisionRow & Pick<DecisionAggregate, 'commitments' | 'conditions' | 'votes'> & { amendedTotalCents?: string | null; draftRules?: string | null },
): DecisionAggregate {
  const { commitments: c, conditions: k, votes: v, amendedTotalCents, draftRules, ...decision } = row;
  return {
    decision,
    commitments: c,
    conditions: k,
    votes: v,
    amendedTotalCents: amendedTotalCents === null || amendedTotalCents === undefined ? null : Number(amendedTotalCents),
    ...(draftRules !== null && draftRules !== undefined && { draftRules: JSON.parse(draftRules) as RuleTerms[] }),
  };
}

/** The query that loads one whole decision (its children and the amended decision's total): every single read uses it. */
export function aggregateQuery(ex: Executor, where: SQL) {
  return ex.query.decisions.findFirst({ where, with: withChildren, ...withViewExtras });
}

/** Decisions with their children in one query (JSON aggregation), whatever their number. */
export async function loadAggregates(ex: Executor, ids: readonly string[]): Promise<DecisionAggregate[]> {
  if (ids.length === 0) return [];
  const found = await ex.query.decisions.findMany({ where: inArray(decisions.id, [...ids]), with: withChildren, ...withViewExtras });
  const byId = new Map(found.map((row) => [row.id, toAggregate(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** `aggregateQuery` of one decision by id, its SQL built once for every executor (the write path's load runs it in each unit of work). */
const aggregateById = relationalOnce('decision_aggregate_by_id', (ex) => aggregateQuery(ex, eq(decisions.id, sql.placeholder('id'))));

export async function loadAggregate(ex: Executor, id: string): Promise<DecisionAggregate | undefined> {
  const row = await aggregateById(ex, { id });
  return row && toAggregate(row);
}

/** The read path of one whole decision: the same query as `loadAggregate`, prepared once. */
export async function findAggregate(db: Db, id: string): Promise<DecisionAggregate | undefined> {
  const statement = preparedOnce(db, 'decision_by_id', (name) => aggregateQuery(db, eq(decisions.id, sql.placeholder('id'))).prepare(name));
  const row = await statement.execute({ id });
  return row && toAggregate(row);
}

/** Sent when called (`execute()`), like `updateDecision`. */
export function insertVote(ex: Executor, values: typeof votes.$inferInsert): Promise<VoteRow> {
  return ex
    .insert(votes)
    .values(values)
    .returning()
    .execute()
    .then(([row]) => row!);
}

/**
 * A vote and the status it leaves the decision in, sent together (one round trip): the decision
 * row is updated only when `status` differs from `current`'s. Returns the vote's row and the
 * decision row after the vote. A second vote of one municipality (the unique index) is a domain
 * error.
 */
export async function insertVoteWithStatus(
  tx: Tx,
  values: typeof votes.$inferInsert,
  current: DecisionRow,
  status: DecisionStatus,
): Promise<{ vote: VoteRow; decision: DecisionRow }> {
  const [vote, decision] = await answersInOrder(
    insertVote(tx, values).catch(mapConstraintViolation),
    status === current.status ? Promise.resolve(current) : updateDecision(tx, values.decisionId, { status }),
  );
  return { vote, decision };
}

export async function listVoteRows(ex: Executor, decisionId: string): Promise<VoteRow[]> {
  return ex.select().from(votes).where(eq(votes.decisionId, decisionId)).orderBy(asc(votes.castAt), asc(votes.id));
}

export async function findConditionRow(ex: Executor, decisionId: string, conditionId: string): Promise<ConditionRow | undefined> {
  const [row] = await ex
    .select()
    .from(conditions)
    .where(and(eq(conditions.id, conditionId), eq(conditions.decisionId, decisionId)));
  return row;
}

/**
 * Open conditions due before `date` of decisions in one of `statuses`, not yet announced as
 * overdue, locked with their decisions; rows another transaction holds are skipped.
 */
export async function lockConditionsDueBefore(
  tx: Tx,
  date: string,
  statuses: readonly DecisionStatus[],
  limit: number,
): Promise<ConditionRow[]> {
  const rows = await tx
    .select({ condition: conditions })
    .from(conditions)
    .innerJoin(decisions, eq(decisions.id, conditions.decisionId))
    .where(
      and(
        isNull(conditions.fulfilledOn),
        isNull(conditions.overdueNotifiedAt),
        lt(conditions.dueDate, date),
        inArray(decisions.status, [...statuses]),
      ),
    )
    .orderBy(asc(conditions.decisionId), asc(conditions.position))
    .limit(limit)
    .for('update', { of: [conditions, decisions], skipLocked: true });
  return rows.map((row) => row.condition);
}

export async function markOverdueNotified(tx: Tx, conditionIds: readonly string[]): Promise<void> {
  await tx.update(conditions).set({ overdueNotifiedAt: sql`now()` }).where(inArray(conditions.id, [...conditionIds]));
}

/** Adds a condition after the others; the caller holds the decision's row lock, so positions cannot collide. */
export async function appendCondition(tx: Tx, decisionId: string, values: ConditionValues): Promise<ConditionRow> {
  const [row] = await tx
    .insert(conditions)
    .values({
      ...values,
      decisionId,
      position: sql`(select coalesce(max(${conditions.position}), -1) + 1 from ${conditions} where ${conditions.decisionId} = ${decisionId})`,
    })
    .returning();
  return row!;
}

/** Settlement: the final amount of each commitment; the commitments, in the decision's order. */
export async function setFinalAmounts(tx: Tx, decisionId: string, finals: ReadonlyMap<string, number>): Promise<CommitmentRow[]> {
  for (const [id, cents] of finals) {
    await tx.update(commitments).set({ finalAmountCents: cents }).where(and(eq(commitments.id, id), eq(commitments.decisionId, decisionId)));
  }
  return tx.select().from(commitments).where(eq(commitments.decisionId, decisionId)).orderBy(asc(commitments.position));
}

export async function fulfilConditionRow(
  ex: Executor,
  conditionId: string,
  fulfilledOn: string,
  evidence: string,
  extras: { documents?: DocumentRef[]; indicatorIds?: readonly string[] } = {},
): Promise<ConditionRow> {
  const [row] = await ex
    .update(conditions)
    .set({ fulfilledOn, evidence, documents: extras.documents ?? [], indicatorIds: [...(extras.indicatorIds ?? [])] })
    .where(eq(conditions.id, conditionId))
    .returning();
  return row!;
}

export interface CommitmentFilter {
  programmeId?: string | undefined;
  year?: number | undefined;
  binding?: boolean | undefined;
}

export interface CommitmentListRow extends CommitmentRow {
  decisionStatus: DecisionStatus;
}

const binding = sql`${decisions.status} in (${sqlValues(BINDING_STATUSES)})`;

export async function listCommitmentRows(
  ex: Executor,
  filter: CommitmentFilter,
  after: KeysetPosition | undefined,
  limit: number,
): Promise<CommitmentListRow[]> {
  const rows = await ex
    .select({ commitment: commitments, decisionStatus: decisions.status })
    .from(commitments)
    .innerJoin(decisions, eq(decisions.id, commitments.decisionId))
    .where(
      and(
        filter.programmeId === undefined ? undefined : eq(commitments.programmeId, filter.programmeId),
        filter.year === undefined ? undefined : eq(commitments.year, filter.year),
        filter.binding === undefined
          ? undefined
          : filter.binding
            ? binding
            : sql`not ${binding}`,
        afterPosition(commitments.createdAt, commitments.id, after),
      ),
    )
    .orderBy(asc(commitments.createdAt), asc(commitments.id))
    .limit(limit + 1);
  return rows.map((row) => ({ ...row.commitment, decisionStatus: row.decisionStatus }));
}

/** The positions of the next `limit` decisions after `after`, in (created_at, id) order: a keyset batch of all of them. */
export async function decisionPositions(ex: Executor, after: KeysetPosition | undefined, limit: number): Promise<KeysetPosition[]> {
  return ex
    .select({ createdAt: decisions.createdAt, id: decisions.id })
    .from(decisions)
    .where(afterPosition(decisions.createdAt, decisions.id, after))
    .orderBy(asc(decisions.createdAt), asc(decisions.id))
    .limit(limit);
}
