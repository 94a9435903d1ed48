import { and, asc, desc, eq, gt, lt, lte, sql } from 'drizzle-orm';
import type { Executor } from './client.js';
import { auditEvents } from './schema.js';
import type { AuditEventRow } from './audit-repository.js';

/**
 * A decision's events in the audit trail (resource type `decision`, the decision's id), read
 * through the index on (resource_type, resource_id, seq): the decision's history and its state
 * at a past moment come from the trail, never from today's tables.
 */
const ofDecision = (decisionId: string) => and(eq(auditEvents.resourceType, 'decision'), eq(auditEvents.resourceId, decisionId));

/** The decision's events that carry the whole decision, after `afterSeq`, in seq order. */
export async function readDecisionHistory(ex: Executor, decisionId: string, afterSeq: number, limit: number): Promise<AuditEventRow[]> {
  return ex
    .select()
    .from(auditEvents)
    .where(and(ofDecision(decisionId), gt(auditEvents.seq, afterSeq), sql`jsonb_typeof(${auditEvents.data} -> 'decision') = 'object'`))
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
}

/** The decision's events recorded at or before `instant` (and before `beforeSeq`, when given), newest first. */
export async function readDecisionEventsBackwards(
  ex: Executor,
  decisionId: string,
  instant: Date,
  beforeSeq: number | undefined,
  limit: number,
): Promise<Pick<AuditEventRow, 'seq' | 'action' | 'data'>[]> {
  return ex
    .select({ seq: auditEvents.seq, action: auditEvents.action, data: auditEvents.data })
    .from(auditEvents)
    .where(
      and(
        ofDecision(decisionId),
        lte(auditEvents.occurredAt, instant),
        beforeSeq === undefined ? undefined : lt(auditEvents.seq, beforeSeq),
      ),
    )
    .orderBy(desc(auditEvents.seq))
    .limit(limit);
}
