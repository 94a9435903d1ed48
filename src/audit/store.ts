import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../db/client.js';
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

const EXPORT_BATCH = 1_000;

interface ExportRow {
  seq_text: string;
  occurred_at: string;
  actor_key_id: string | null;
  actor_role: string;
  actor_organisation_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string;
  data: string;
  prev_hash: string;
  hash: string;
}

const text = (value: string | null) => JSON.stringify(value);

/**
 * The NDJSON lines of every event with seq <= upToSeq, in seq order, in chunks of one keyset
 * batch. The event's `data` comes from PostgreSQL as JSON text and is copied into the line as it
 * is, never parsed and re-serialised: the export costs little more than the bytes it sends, and
 * memory stays bounded by one batch. Lines are valid JSON with the fields of `AuditEvent`
 * (`data` in PostgreSQL's JSON spelling); verifiers canonicalise before hashing.
 */
export async function* auditExportChunks(ex: Executor, upToSeq: number): AsyncGenerator<string> {
  let after = 0;
  while (after < upToSeq) {
    const rows = await queryRows<ExportRow>(
      ex,
      sql`select seq::text as seq_text,
                 to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
                 actor_key_id::text as actor_key_id, actor_role, actor_organisation_id::text as actor_organisation_id,
                 action, resource_type, resource_id::text as resource_id, data::text as data, prev_hash, hash
          from ${auditEvents}
          where seq > ${after} and seq <= ${upToSeq}
          order by audit_events.seq
          limit ${EXPORT_BATCH}`,
    );
    if (rows.length === 0) return;
    let chunk = '';
    for (const row of rows) {
      chunk +=
        `{"seq":${row.seq_text},"occurredAt":"${row.occurred_at}",` +
        `"actor":{"keyId":${text(row.actor_key_id)},"role":${text(row.actor_role)},"organisationId":${text(row.actor_organisation_id)}},` +
        `"action":${text(row.action)},"resourceType":${text(row.resource_type)},"resourceId":${text(row.resource_id)},` +
        `"data":${row.data},"prevHash":${text(row.prev_hash)},"hash":${text(row.hash)}}\n`;
    }
    yield chunk;
    after = Number(rows[rows.length - 1]!.seq_text);
  }
}
