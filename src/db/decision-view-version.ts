import { eq, getTableName, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { DECISION_CHILDREN } from './decisions-repository.js';
import { preparedOnce } from './prepared.js';
import { decisions, statuteRules } from './schema.js';

/** One child table's row versions of the decision, in a subquery over that table alone. */
const childVersions = Object.values(DECISION_CHILDREN).map(
  ({ table }) =>
    sql`coalesce((select string_agg(x.xmin::text, ',') from ${sql.raw(`"${getTableName(table)}"`)} x where x.${sql.raw(`"${table.decisionId.name}"`)} = decisions.id), '')`,
);

/**
 * The version of the view of the decision in the current row of `decisions` (see
 * `findDecisionViewVersion`), as a column expression: the single read and the page of versions
 * (`listDecisionViewVersions`) select the same one. Columns of the outer row are written out:
 * drizzle leaves its own unqualified, which in a subquery would name the subquery's table.
 */
export const decisionViewVersion = sql<string>`concat_ws('/',
    decisions.xmin::text,
    coalesce((select a.xmin::text from decisions a where a.id = decisions.amends), ''),
    ${sql.join(childVersions, sql`, `)},
    coalesce((select string_agg(r.xmin::text, ',') from ${sql.raw(`"${getTableName(statuteRules)}"`)} r), ''))`;

/**
 * The query behind `findDecisionViewVersion` (exported for its test, which checks that it
 * watches every table the loader reads).
 */
export function decisionViewVersionQuery(db: Db) {
  return db.select({ version: decisionViewVersion }).from(decisions).where(eq(decisions.id, sql.placeholder('id')));
}

/**
 * The version of everything a decision's view is read from, or undefined when the decision does
 * not exist: the row versions (`xmin`, the transaction that wrote each row version) of the
 * decision, of the decision it amends (whose total the view reads), of its children (every table
 * of `DECISION_CHILDREN`, the list the loader reads them from), and of the statute rules. Every
 * committed insert, update or delete of any of those rows changes the string, whatever code path
 * or instance made it: a new row version carries its writer's transaction id, and a deleted
 * child drops out of the list. A row lock (`FOR UPDATE`) changes nothing. One indexed read,
 * prepared once; a cache keyed by it stays right across instances without being told of changes.
 */
export async function findDecisionViewVersion(db: Db, id: string): Promise<string | undefined> {
  const statement = preparedOnce(db, 'decision_view_version', (name) => decisionViewVersionQuery(db).prepare(name));
  const [row] = await statement.execute({ id });
  return row?.version;
}
