import { and, asc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { Principal } from '../domain/access.js';
import type { EventAudience } from '../domain/events.js';
import { canonicalParts, type AuditEvent } from '../audit/chain.js';
import { queryRows, type Executor, type Tx } from './client.js';
import { auditEvents, auditHead, auditPending } from './schema.js';
import type { ClosingStatement } from './transaction.js';

/** The audit trail: appending a transaction's events, and reading them by seq or in batches. */
export type AuditEventRow = typeof auditEvents.$inferSelect;

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId: string;
  data: unknown;
  /** Present for events that subscribers receive: they also go to the webhook outbox. */
  audience: EventAudience | undefined;
  /** The W3C traceparent of the request that caused the event (tracing on), kept with its outbox row. */
  traceparent?: string | undefined;
}

/**
 * Appends events to the chain inside the caller's transaction, after its change.
 *
 * The events go to `audit_pending`; a deferred trigger seals them into the chain as the
 * transaction commits (migration 0006). Why that is correct across any number of service
 * instances: the trigger first takes the row lock on the single `audit_head` row
 * (`SELECT ... FOR UPDATE`), which PostgreSQL holds until the commit completes, whichever
 * instance runs it. A second committer waits and then reads the head as the first one left it.
 * Sequence numbers are therefore handed out in commit order and without gaps (a transaction
 * that rolls back never reaches the trigger), and a reader paging by `seq` can never see seq
 * N+1 before seq N has committed. The lock is taken last, after every lock of the change, and
 * nothing else is locked after it, so no deadlock cycle can include it. It is held for the
 * commit alone: the hashes are computed in SQL from the canonical form prepared here.
 *
 * The trigger writes an outbox row exactly for the events whose outbox filters are set here,
 * which are the events with an audience: the catalogue decides, the trigger follows.
 */
export async function appendAuditEvents(tx: Tx, actor: Principal, entries: readonly AuditEntry[]): Promise<void> {
  await auditEventsInsert(tx, actor, entries);
}

/** The INSERT of `appendAuditEvents`, not yet run (a unit of work sends it with COMMIT); undefined for no entries. */
export function auditEventsInsert(tx: Tx, actor: Principal, entries: readonly AuditEntry[]): ClosingStatement | undefined {
  if (entries.length === 0) return undefined;
  const actorJson = { keyId: actor.keyId, role: actor.role, organisationId: actor.organisationId };
  return tx.insert(auditPending).values(
    entries.map((entry) => {
      // Stored as jsonb and hashed in the same JSON form (Dates become RFC 3339 strings).
      const data = JSON.parse(JSON.stringify(entry.data ?? null)) as unknown;
      const { head, tail } = canonicalParts({
        actor: actorJson,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        data,
      });
      return {
        actorKeyId: actor.keyId,
        actorRole: actor.role,
        actorOrganisationId: actor.organisationId,
        action: entry.action,
        resourceType: entry.resourceType,
        resourceId: entry.resourceId,
        data,
        canonicalHead: head,
        canonicalTail: tail,
        outboxProgrammeIds: entry.audience?.programmeIds ?? null,
        outboxMunicipalityIds: entry.audience?.municipalityIds ?? null,
        outboxOrderingKey: entry.audience?.orderingKey ?? null,
        outboxTraceparent: entry.audience === undefined ? null : (entry.traceparent ?? null),
      };
    }),
  );
}

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

/** When the event with this seq was recorded; undefined when there is none. */
export async function readAuditEventTime(ex: Executor, seq: number): Promise<Date | undefined> {
  const [event] = await ex.select({ occurredAt: auditEvents.occurredAt }).from(auditEvents).where(eq(auditEvents.seq, seq));
  return event?.occurredAt;
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
/** Batches read ahead of the one being sent. */
const EXPORT_AHEAD = 2;
/**
 * Lines per chunk: about 64 KB, well under the size V8 puts in its large-object space (which only
 * a full collection frees); a whole batch in one string was 1.3 MB.
 */
const EXPORT_CHUNK_LINES = 48;

/**
 * The NDJSON lines of every event with afterSeq < seq <= upToSeq, in seq order, in chunks of
 * about 64 KB. PostgreSQL writes the lines and joins them into chunks, one chunk a result row:
 * Node receives each chunk as one string and passes it on, so an event costs the service
 * its bytes and no objects, and memory stays bounded by the batch being sent and the
 * EXPORT_AHEAD batches read ahead (about 4 MB). `to_json` of a text escapes
 * exactly as `JSON.stringify` does (quote, backslash, \b \f \n \r \t, other controls as
 * \u00xx); the event's `data` is copied as PostgreSQL spells it, never parsed. Lines are valid
 * JSON with the fields of `AuditEvent`; verifiers canonicalise before hashing.
 */
export async function* auditExportChunks(ex: Executor, afterSeq: number, upToSeq: number): AsyncGenerator<string> {
  // Batches by seq range, so that each one's bounds are known before the one before it is read:
  // the next EXPORT_AHEAD batches are read (on their own connections) while one goes out, and
  // PostgreSQL writes lines while Node sends them. A range holds at most EXPORT_BATCH events.
  const ahead: Promise<{ chunk: string }[]>[] = [];
  let next = afterSeq;
  const readAhead = () => {
    while (ahead.length < EXPORT_AHEAD && next < upToSeq) {
      const upTo = Math.min(next + EXPORT_BATCH, upToSeq);
      const batch = exportBatch(ex, next, upTo);
      // A consumer that stops early (the client hung up) leaves batches unawaited: their failure is moot.
      batch.catch(() => undefined);
      ahead.push(batch);
      next = upTo;
    }
  };
  readAhead();
  while (ahead.length > 0) {
    const chunks = await ahead.shift()!;
    readAhead();
    for (const { chunk } of chunks) yield chunk;
  }
}

/** The events after `after` up to `upTo`, their lines joined into chunks of EXPORT_CHUNK_LINES, in seq order. */
function exportBatch(ex: Executor, after: number, upTo: number): Promise<{ chunk: string }[]> {
  return queryRows<{ chunk: string }>(
    ex,
    sql`select string_agg(line, '' order by seq) as chunk
        from (
          select seq, line, (row_number() over (order by seq) - 1) / ${EXPORT_CHUNK_LINES} as part
          from (
            select seq,
                   '{"seq":' || seq || ',"occurredAt":"' || to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ||
                   '","actor":{"keyId":' || coalesce(to_json(actor_key_id::text)::text, 'null') ||
                   ',"role":' || to_json(actor_role)::text ||
                   ',"organisationId":' || coalesce(to_json(actor_organisation_id::text)::text, 'null') ||
                   '},"action":' || to_json(action)::text || ',"resourceType":' || to_json(resource_type)::text ||
                   ',"resourceId":' || to_json(resource_id::text)::text || ',"data":' || data::text ||
                   ',"prevHash":' || to_json(prev_hash)::text || ',"hash":' || to_json(hash)::text || e'}\n' as line
              from ${auditEvents}
             where seq > ${after} and seq <= ${upTo}
          ) batch
        ) numbered
        group by part
        order by part`,
  );
}
