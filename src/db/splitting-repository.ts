import { sql, type SQL } from 'drizzle-orm';
import type { SplittingCandidate } from '../domain/splitting.js';
import { SPLITTING_STATUSES } from '../domain/splitting.js';
import type { SplittingScope } from '../domain/records.js';
import { queryRows, type Executor } from './client.js';
import { sqlValues } from './schema.js';

/**
 * The decisions the splitting check of one decision needs: its lineage (the decision it amends
 * and that one's predecessors, following `amends`) and the decisions that may be related to it
 * under the rule's scope. The domain (`assessSplitting`) applies every rule again; this query
 * only keeps the read small.
 */
export interface SplittingFacts {
  lineageIds: string[];
  candidates: SplittingCandidate[];
}

interface SubjectFacts {
  id: string;
  applicantOrganisationId: string | null;
  commitments: readonly { programmeId: string; year: number }[];
}

interface CandidateRow {
  id: string;
  applicant_organisation_id: string | null;
  total_amount_cents: string;
  threshold_cents: string;
  status: SplittingCandidate['status'];
  commitments: { programmeId: string; year: number }[];
}

function overlap(scope: SplittingScope, decision: SubjectFacts): SQL | undefined {
  if (scope === 'applicant_year') {
    if (decision.applicantOrganisationId === null) return undefined;
    const years = [...new Set(decision.commitments.map((c) => c.year))];
    return sql`d.applicant_organisation_id = ${decision.applicantOrganisationId}::uuid
      and exists (select 1 from decision_commitments c where c.decision_id = d.id
                  and c.year in (${sql.join(years.map((year) => sql`${year}::int`), sql`, `)}))`;
  }
  if (scope === 'programme_year') {
    const pairs = decision.commitments.map((c) => sql`(${c.programmeId}::uuid, ${c.year}::int)`);
    return sql`exists (select 1 from decision_commitments c where c.decision_id = d.id
                       and (c.programme_id, c.year) in (${sql.join(pairs, sql`, `)}))`;
  }
  return undefined;
}

export async function splittingFacts(ex: Executor, decision: SubjectFacts, scope: SplittingScope): Promise<SplittingFacts> {
  const lineage = await queryRows<{ id: string }>(
    ex,
    sql`with recursive lineage(id) as (
          select amends from decisions where id = ${decision.id}::uuid and amends is not null
          union
          select d.amends from decisions d join lineage l on d.id = l.id where d.amends is not null
        )
        select id::text as id from lineage`,
  );
  const lineageIds = lineage.map((row) => row.id);
  const related = overlap(scope, decision);
  if (related === undefined || decision.commitments.length === 0) return { lineageIds, candidates: [] };
  const excluded = sql.join([decision.id, ...lineageIds].map((id) => sql`${id}::uuid`), sql`, `);
  const rows = await queryRows<CandidateRow>(
    ex,
    sql`select d.id::text as id, d.applicant_organisation_id::text as applicant_organisation_id,
               d.total_amount_cents::text as total_amount_cents, d.threshold_cents::text as threshold_cents, d.status,
               (select coalesce(json_agg(json_build_object('programmeId', c.programme_id, 'year', c.year)), '[]'::json)
                  from decision_commitments c where c.decision_id = d.id) as commitments
          from decisions d
         where d.status in (${sqlValues(SPLITTING_STATUSES)})
           and d.id not in (${excluded})
           and d.total_amount_cents < d.threshold_cents
           and ${related}`,
  );
  return {
    lineageIds,
    candidates: rows.map((row) => ({
      id: row.id,
      applicantOrganisationId: row.applicant_organisation_id,
      totalAmountCents: Number(row.total_amount_cents),
      thresholdCents: Number(row.threshold_cents),
      status: row.status,
      commitments: row.commitments,
    })),
  };
}
