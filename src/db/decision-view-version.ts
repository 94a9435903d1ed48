import { eq, sql } from 'drizzle-orm';
import type { Db } from './client.js';
import { preparedOnce } from './prepared.js';
import { decisions } from './schema.js';

/**
 * The version of everything a decision's view is read from, or undefined when the decision does
 * not exist: the row versions (`xmin`, the transaction that wrote each row version) of the
 * decision, of the decision it amends (whose total the view reads), of its commitments,
 * conditions and votes, and of the statute rules. Every committed insert, update or delete of
 * any of those rows changes the string, whatever code path or instance made it: a new row
 * version carries its writer's transaction id, and a deleted child drops out of the list. A row
 * lock (`FOR UPDATE`) changes nothing. One indexed read, prepared once; a cache keyed by it stays
 * right across instances without being told of changes.
 */
export async function findDecisionViewVersion(db: Db, id: string): Promise<string | undefined> {
  const statement = preparedOnce(db, 'decision_view_version', (name) =>
    db
      .select({
        // Columns of the outer row are written out: drizzle leaves its own unqualified, which in a
        // subquery would name the subquery's table.
        version: sql<string>`concat_ws('/',
          decisions.xmin::text,
          coalesce((select a.xmin::text from decisions a where a.id = decisions.amends), ''),
          coalesce((select string_agg(c.xmin::text, ',') from decision_commitments c where c.decision_id = decisions.id), ''),
          coalesce((select string_agg(k.xmin::text, ',') from decision_conditions k where k.decision_id = decisions.id), ''),
          coalesce((select string_agg(v.xmin::text, ',') from ratification_votes v where v.decision_id = decisions.id), ''),
          coalesce((select string_agg(r.xmin::text, ',') from statute_rules r), ''))`,
      })
      .from(decisions)
      .where(eq(decisions.id, sql.placeholder('id')))
      .prepare(name),
  );
  const [row] = await statement.execute({ id });
  return row?.version;
}
