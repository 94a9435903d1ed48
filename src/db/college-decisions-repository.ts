import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from './client.js';
import { afterPosition, type KeysetPosition } from './pagination.js';
import { collegeDecisions, votes } from './schema.js';
import type { VoteRow } from './decisions-repository.js';

export type CollegeDecisionRow = typeof collegeDecisions.$inferSelect;

/** A college decision with the votes it recorded, in the order they were recorded. */
export interface CollegeDecisionAggregate {
  collegeDecision: CollegeDecisionRow;
  votes: VoteRow[];
}

/** In the order the college decision listed them (cast in one transaction, they may share a castAt). */
const withVotes = { votes: { orderBy: [asc(votes.collegeDecisionPosition), asc(votes.castAt), asc(votes.id)] } };

function toAggregate({ votes: recorded, ...collegeDecision }: CollegeDecisionRow & { votes: VoteRow[] }): CollegeDecisionAggregate {
  return { collegeDecision, votes: recorded };
}

export async function insertCollegeDecision(ex: Executor, values: typeof collegeDecisions.$inferInsert): Promise<CollegeDecisionRow> {
  const [row] = await ex.insert(collegeDecisions).values(values).returning();
  return row!;
}

export async function findCollegeDecision(ex: Executor, id: string): Promise<CollegeDecisionAggregate | undefined> {
  const row = await ex.query.collegeDecisions.findFirst({ where: eq(collegeDecisions.id, id), with: withVotes });
  return row && toAggregate(row);
}

/** One keyset page (one more row than `limit`) over (created_at, id), optionally of one municipality. */
export async function listCollegeDecisions(
  ex: Executor,
  filter: { municipalityId?: string | undefined },
  after: KeysetPosition | undefined,
  limit: number,
): Promise<(CollegeDecisionAggregate & KeysetPosition)[]> {
  const rows = await ex.query.collegeDecisions.findMany({
    where: and(
      filter.municipalityId === undefined ? undefined : eq(collegeDecisions.municipalityId, filter.municipalityId),
      afterPosition(collegeDecisions.createdAt, collegeDecisions.id, after),
    ),
    orderBy: [asc(collegeDecisions.createdAt), asc(collegeDecisions.id)],
    limit: limit + 1,
    with: withVotes,
  });
  return rows.map((row) => ({ ...toAggregate(row), createdAt: row.createdAt, id: row.id }));
}
