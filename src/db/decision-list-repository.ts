import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import type { DecisionStatus } from '../domain/decision-lifecycle.js';
import type { Db } from './client.js';
import { toAggregate, withViewExtras, withChildren, type DecisionAggregate } from './decisions-repository.js';
import { afterPlaceholders, afterPosition, keysetParams, type KeysetPosition } from './pagination.js';
import { decisionViewVersion } from './decision-view-version.js';
import { preparedOnce } from './prepared.js';
import { decisions, sqlValues } from './schema.js';
import { RATIFICATION_DEADLINE_STATUSES } from '../domain/ratification.js';

/** The decision list: keyset pages of whole decisions, filtered for registers and back offices. */
export interface DecisionFilter {
  status?: DecisionStatus | undefined;
  programmeId?: string | undefined;
  year?: number | undefined;
  /** Pending decisions that require this municipality and that it has not voted on. */
  awaitingVoteOf?: string | undefined;
  /** Decisions that require this municipality's ratification. */
  municipalityId?: string | undefined;
  applicantOrganisationId?: string | undefined;
  reference?: string | undefined;
  boardMeetingDateFrom?: string | undefined;
  boardMeetingDateTo?: string | undefined;
  splittingSuspected?: boolean | undefined;
  /** Pending after the ratification due date; needs `today`. */
  ratificationOverdue?: boolean | undefined;
}

/** The filters the prepared statements cover; any other filter builds its statement per request. */
const PREPARED_FILTERS = ['status', 'programmeId', 'year'] as const;

// Spelled out with their own aliases: a relational query maps every column object in its `where`
// to the root table's alias, which would turn the commitment or vote columns into decision ones.
function commitmentFilter(programmeId: unknown, year: unknown): SQL {
  return sql`exists (select 1 from decision_commitments c where c.decision_id = ${decisions.id}${
    programmeId === undefined ? sql`` : sql` and c.programme_id = ${programmeId}`
  }${year === undefined ? sql`` : sql` and c.year = ${year}`})`;
}

/**
 * The conditions of a filtered page, values bound as parameters. State constants are literal
 * SQL, not parameters, so the planner can match the partial indexes written with them
 * (`decisions_ratification_due_idx`, `decisions_splitting_suspected_idx`).
 */
function filterConditions(filter: DecisionFilter, today: string): (SQL | undefined)[] {
  const pending = sql`${decisions.status} = 'pending_ratification'`;
  const requires = (municipalityId: string) => sql`${decisions.requiredMunicipalityIds} @> array[${municipalityId}::uuid]`;
  // The domain's `isRatificationOverdue` (a one-state list is planned as `=`, which the index matches).
  const overdue = sql`(${decisions.status} in (${sqlValues(RATIFICATION_DEADLINE_STATUSES)}) and ${decisions.ratificationDueDate} < ${today}::date)`;
  return [
    filter.status === undefined ? undefined : eq(decisions.status, filter.status),
    filter.programmeId === undefined && filter.year === undefined ? undefined : commitmentFilter(filter.programmeId, filter.year),
    filter.awaitingVoteOf === undefined
      ? undefined
      : // A college votes on or after the board meeting (decideVote): a decision whose meeting lies ahead does not await it yet.
        sql`(${pending} and ${requires(filter.awaitingVoteOf)} and ${decisions.boardMeetingDate} <= ${today}::date and not exists (select 1 from ratification_votes v where v.decision_id = ${decisions.id} and v.municipality_id = ${filter.awaitingVoteOf}::uuid))`,
    filter.municipalityId === undefined ? undefined : requires(filter.municipalityId),
    filter.applicantOrganisationId === undefined ? undefined : eq(decisions.applicantOrganisationId, filter.applicantOrganisationId),
    filter.reference === undefined ? undefined : eq(decisions.reference, filter.reference),
    filter.boardMeetingDateFrom === undefined ? undefined : sql`${decisions.boardMeetingDate} >= ${filter.boardMeetingDateFrom}::date`,
    filter.boardMeetingDateTo === undefined ? undefined : sql`${decisions.boardMeetingDate} <= ${filter.boardMeetingDateTo}::date`,
    filter.splittingSuspected === undefined
      ? undefined
      : filter.splittingSuspected
        ? sql`${decisions.splittingSuspected}`
        : sql`${decisions.splittingSuspected} is not true`,
    filter.ratificationOverdue === undefined ? undefined : filter.ratificationOverdue ? overdue : sql`not coalesce(${overdue}, false)`,
  ];
}

/** The keyset order of every page of decisions. */
const PAGE_ORDER = [asc(decisions.createdAt), asc(decisions.id)];

/** Where a filtered page's decisions come from: its filters and the cursor's position, values bound as parameters. */
function filteredWhere(filter: DecisionFilter, after: KeysetPosition | undefined, today: string): SQL | undefined {
  return and(...filterConditions(filter, today), afterPosition(decisions.createdAt, decisions.id, after));
}

/**
 * The statement of one filtered page (not prepared): every filter a parameter of its own. The
 * page's decisions are chosen in a subquery with its own ORDER BY and LIMIT, so PostgreSQL picks
 * them first and loads the children of those alone, also when no index yields the filtered rows
 * in keyset order (it would otherwise aggregate the children of every match before sorting).
 * Inside the subquery `decisions` names its own scan. Its SQL is what
 * `bench/decision-filter-plans.ts` explains on 100,000 decisions.
 */
export function filteredPageQuery(db: Db, filter: DecisionFilter, after: KeysetPosition | undefined, limit: number, today: string) {
  return db.query.decisions.findMany({
    where: sql`${decisions.id} in (select ${decisions.id} from ${decisions} where ${filteredWhere(filter, after, today) ?? sql`true`}
                                   order by ${decisions.createdAt}, ${decisions.id} limit ${limit + 1})`,
    orderBy: PAGE_ORDER,
    with: withChildren,
    ...withViewExtras,
  });
}

/**
 * One page of decisions with their children in a single statement. Pages filtered at most by
 * status, programme and year (the unfiltered list above all) run a statement prepared once per
 * shape (which of those are present, and whether a cursor is), so at most 16 exist whatever the
 * clients send. The other filters combine freely (2^11 shapes): those pages build their statement
 * per request and let PostgreSQL plan it with the actual values, which the partial indexes need.
 */
export async function listAggregates(
  db: Db,
  filter: DecisionFilter,
  after: KeysetPosition | undefined,
  limit: number,
  today: string,
): Promise<(DecisionAggregate & KeysetPosition)[]> {
  const rows = isPreparedShape(filter) ? await preparedPage(db, filter, after, limit) : await filteredPageQuery(db, filter, after, limit, today);
  return rows.map((row) => ({ ...toAggregate(row), createdAt: row.createdAt, id: row.id }));
}

/** A decision of a page by its keyset position, with the version of its view (`decisionViewVersion`). */
export interface DecisionViewPosition extends KeysetPosition {
  version: string;
}

/**
 * The decisions of the page `listAggregates` would load (the same filters, order and limit + 1),
 * each with the version of its view and nothing else: one statement, prepared once per shape like
 * the page itself, with which a page is answered from rendered views still current.
 */
export async function listDecisionViewVersions(
  db: Db,
  filter: DecisionFilter,
  after: KeysetPosition | undefined,
  limit: number,
  today: string,
): Promise<DecisionViewPosition[]> {
  const select = (where: SQL | undefined) =>
    db
      .select({ createdAt: decisions.createdAt, id: decisions.id, version: decisionViewVersion })
      .from(decisions)
      .where(where)
      .orderBy(...PAGE_ORDER);
  if (!isPreparedShape(filter)) return select(filteredWhere(filter, after, today)).limit(limit + 1);
  const statement = preparedOnce(db, `decision_versions_page_${preparedShapeName(filter, after)}`, (name) =>
    select(and(...preparedConditions(filter, after)))
      .limit(sql.placeholder('limit'))
      .prepare(name),
  );
  return statement.execute(preparedParams(filter, after, limit));
}

function isPreparedShape(filter: DecisionFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || (PREPARED_FILTERS as readonly string[]).includes(key));
}

function preparedShapeName(filter: DecisionFilter, after: KeysetPosition | undefined): string {
  return [filter.status, filter.programmeId, filter.year, after].map((value) => (value === undefined ? 0 : 1)).join('');
}

/** The conditions of a prepared shape, as placeholders (`preparedParams`). */
function preparedConditions(filter: DecisionFilter, after: KeysetPosition | undefined): (SQL | undefined)[] {
  return [
    filter.status === undefined ? undefined : eq(decisions.status, sql.placeholder('status')),
    filter.programmeId === undefined && filter.year === undefined
      ? undefined
      : commitmentFilter(
          filter.programmeId === undefined ? undefined : sql.placeholder('programmeId'),
          filter.year === undefined ? undefined : sql.placeholder('year'),
        ),
    after === undefined ? undefined : afterPlaceholders(decisions.createdAt, decisions.id),
  ];
}

function preparedParams(filter: DecisionFilter, after: KeysetPosition | undefined, limit: number) {
  return { status: filter.status, programmeId: filter.programmeId, year: filter.year, ...keysetParams(after, limit) };
}

async function preparedPage(db: Db, filter: DecisionFilter, after: KeysetPosition | undefined, limit: number) {
  const statement = preparedOnce(db, `decisions_page_${preparedShapeName(filter, after)}`, (name) =>
    db.query.decisions
      .findMany({
        where: and(...preparedConditions(filter, after)),
        orderBy: PAGE_ORDER,
        limit: sql.placeholder('limit'),
        with: withChildren,
        ...withViewExtras,
      })
      .prepare(name),
  );
  return statement.execute(preparedParams(filter, after, limit));
}
