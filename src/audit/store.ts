import { and, asc, eq, gt, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.js';
import { auditEvents, auditHead } from '../db/schema.js';
import type { AuditEvent } from './chain.js';

/** Reading the trail: pages by seq, and batches for streaming in constant memory. */
export type AuditEventRow = typeof auditEvents.$inferSelect;

export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    seq: row.seq,
    occurredAt: row.occurredAt.toISOString(),
    actor: { keyId: row.actorKeyId, role: row.actorRole, organisationId: row.actorOrganisationId },
    action: row.action,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    data: row.data,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export interface AuditFilter {
  resourceType?: string | undefined;
  resourceId?: string | undefined;
}

export async function readAuditEvents(ex: Executor, afterSeq: number, limit: number, filter: AuditFilter = {}): Promise<AuditEventRow[]> {
  const conditions: (SQL | undefined)[] = [
    gt(auditEvents.seq, afterSeq),
    filter.resourceType === undefined ? undefined : eq(auditEvents.resourceType, filter.resourceType),
    filter.resourceId === undefined ? undefined : eq(auditEvents.resourceId, filter.resourceId),
  ];
  return ex
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(asc(auditEvents.seq))
    .limit(limit);
}

export async function readAuditHead(ex: Executor): Promise<{ seq: number; hash: string }> {
  const [head] = await ex.select({ seq: auditHead.seq, hash: auditHead.hash }).from(auditHead).where(eq(auditHead.id, 1));
  if (head === undefined) throw new Error('audit_head row is missing; migrations did not run');
  return head;
}

const BATCH = 500;

/**
 * Every event with seq <= upToSeq, in seq order, fetched in keyset batches: memory stays bounded
 * by one batch, and a consumer that reads slowly (a slow HTTP client) pauses the fetching.
 */
export async function* auditEventsUpTo(ex: Executor, upToSeq: number): AsyncGenerator<AuditEvent> {
  let after = 0;
  while (after < upToSeq) {
    const rows = await readAuditEvents(ex, after, Math.min(BATCH, upToSeq - after));
    if (rows.length === 0) return;
    for (const row of rows) {
      if (row.seq > upToSeq) return;
      yield toAuditEvent(row);
    }
    after = rows[rows.length - 1]!.seq;
  }
}
