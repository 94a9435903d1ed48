import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { queryRows, type Database, type Executor } from '../../src/db/client.js';
import type { KeysetPosition } from '../../src/db/pagination.js';
import { countRoundTrips, type RoundTripCounter } from '../../src/db/round-trips.js';
import { commitments, decisions, organisations, programmes } from '../../src/db/schema.js';
import type { DecisionStatus } from '../../src/domain/decision-lifecycle.js';
import { createTestDatabase, testDatabaseUrl } from './database.js';

/**
 * For the tests of the repositories (src/db): a database of their own, rows of the register
 * written directly (no use case, no HTTP, so a test sets up exactly the state it reads), and a
 * probe that tells whether a row is locked by another transaction.
 */
export const POSTGRES_ONLY = testDatabaseUrl() === undefined ? 'needs PostgreSQL (DATABASE_URL): PGlite has one connection, no second transaction to be blocked' : false;

export async function repositoryDatabase(t: Test): Promise<Database> {
  const owner = await createTestDatabase();
  t.teardown(() => owner.close());
  return owner.database;
}

/** Whether another transaction holds a lock on the row `id` of `table` (PostgreSQL: asked from a second connection). */
export async function lockedElsewhere(database: Database, table: string, id: string): Promise<boolean> {
  const client = await database.pool!.connect();
  try {
    await client.query(`select 1 from ${table} where id = $1 for update nowait`, [id]);
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === '55P03') return true;
    throw error;
  } finally {
    client.release();
  }
}

const counters = new WeakMap<Database, RoundTripCounter>();
/**
 * How many statements `work` sent to PostgreSQL (undefined on PGlite, which has no wire): for
 * the short cuts that answer an empty question without asking the database.
 */
export async function statementsSent(database: Database, work: () => Promise<unknown>): Promise<number | undefined> {
  if (database.pool === undefined) {
    await work();
    return undefined;
  }
  let counter = counters.get(database);
  if (counter === undefined) counters.set(database, (counter = countRoundTrips(database.pool)));
  counter.reset();
  await work();
  return counter.read().statements;
}

const unique = () => randomBytes(4).toString('hex').toUpperCase();

export async function organisation(ex: Executor, values: { kind?: string; centreMunicipality?: boolean; name?: string } = {}): Promise<string> {
  const [row] = await ex
    .insert(organisations)
    .values({ name: values.name ?? `Organisation ${unique()}`, kind: (values.kind ?? 'applicant') as 'applicant', centreMunicipality: values.centreMunicipality ?? false })
    .returning({ id: organisations.id });
  return row!.id;
}

export async function programme(ex: Executor, code = `P-${unique()}`): Promise<string> {
  const [row] = await ex.insert(programmes).values({ code, name: `Programme ${code}` }).returning({ id: programmes.id });
  return row!.id;
}

export interface CommitmentSpec {
  programmeId: string;
  year: number;
  amountCents: number;
  finalAmountCents?: number;
  disbursedCents?: number;
}

export interface DecisionSpec {
  status?: DecisionStatus;
  commitments?: CommitmentSpec[];
  amends?: string;
  applicantOrganisationId?: string;
  requiredMunicipalityIds?: string[];
  boardMeetingDate?: string;
  ratificationDueDate?: string;
  splittingSuspected?: boolean;
  reference?: string;
}

/**
 * A decision in any state, as the use cases would have left it: adopted ones carry the frozen
 * rule version 1, settled ones their date. Returns its id and its commitments' ids, in order.
 */
export async function decision(ex: Executor, spec: DecisionSpec = {}): Promise<{ id: string; commitmentIds: string[] }> {
  const status = spec.status ?? 'draft';
  const adopted = status !== 'draft' && status !== 'withdrawn';
  const items = spec.commitments ?? [];
  const [row] = await ex
    .insert(decisions)
    .values({
      reference: spec.reference ?? `PB-${unique()}`,
      title: 'Principebesluit',
      boardMeetingDate: spec.boardMeetingDate ?? '2026-01-22',
      status,
      totalAmountCents: items.reduce((sum, c) => sum + c.amountCents, 0) || 1,
      applicantOrganisationId: spec.applicantOrganisationId ?? null,
      requiredMunicipalityIds: spec.requiredMunicipalityIds ?? [],
      amends: spec.amends ?? null,
      ratificationDueDate: spec.ratificationDueDate ?? null,
      splittingSuspected: spec.splittingSuspected ?? null,
      ...(adopted && { adoptedAt: sql`now()`, adoptedOn: sql`(now() at time zone 'Europe/Amsterdam')::date`, statuteRuleVersion: 1 }),
      ...(status === 'settled' && { settledOn: '2026-03-01' }),
    })
    .returning({ id: decisions.id });
  const id = row!.id;
  const inserted =
    items.length === 0
      ? []
      : await ex
          .insert(commitments)
          .values(
            items.map((c, position) => ({
              decisionId: id,
              position,
              programmeId: c.programmeId,
              year: c.year,
              amountCents: c.amountCents,
              finalAmountCents: c.finalAmountCents ?? null,
              disbursedCents: c.disbursedCents ?? 0,
            })),
          )
          .returning({ id: commitments.id, position: commitments.position });
  return { id, commitmentIds: inserted.sort((a, b) => a.position - b.position).map((c) => c.id) };
}

/** Rows of a raw query (for reading back what a repository wrote). */
export const rowsOf = <T>(ex: Executor, query: ReturnType<typeof sql>) => queryRows<T>(ex, query);

/**
 * Checks a keyset list against the rows it should page through, in order: the first page holds
 * `limit` of them plus one (the sign of a next page), a page after a position starts right after
 * it, and the last page is short.
 */
export async function checkKeysetPages(
  t: Test,
  expected: readonly string[],
  list: (after: KeysetPosition | undefined, limit: number) => Promise<readonly (KeysetPosition & { id: string })[]>,
): Promise<void> {
  const all = await list(undefined, expected.length + 5);
  t.same(all.map((row) => row.id), expected, 'every row, in (createdAt, id) order');
  if (expected.length < 3) return;
  t.same((await list(undefined, 1)).map((row) => row.id), expected.slice(0, 2), 'a page of one, and the row after it');
  const second = all[1]!;
  t.same((await list({ createdAt: second.createdAt, id: second.id }, expected.length)).map((row) => row.id), expected.slice(2), 'after a position');
}
