import { eq, sql } from 'drizzle-orm';
import type { Principal } from '../domain/access.js';
import type { Tx } from '../db/client.js';
import { auditEvents, auditHead, outboxEvents } from '../db/schema.js';
import { eventHash, type UnhashedEvent } from './chain.js';
import { isWebhookEventType, outboxRows, outboxTargets, type OutboxEntry, type OutboxTargets } from '../notifications/outbox.js';

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId: string;
  data: unknown;
}

/**
 * Appends events to the chain inside the caller's transaction, after its change.
 *
 * Why this is correct across any number of service instances: every appender first takes the
 * row lock on the single `audit_head` row (`SELECT ... FOR UPDATE`). PostgreSQL holds that lock
 * until the transaction commits or rolls back, whichever instance runs it, so a second appender
 * waits and then reads the head as the first one committed it. Sequence numbers are therefore
 * handed out in commit order and without gaps (a rolled-back transaction releases its numbers
 * with its lock), and a reader paging by `seq` can never see seq N+1 before seq N has committed.
 * The lock is taken last, after the change's own locks, so appenders never wait on each other
 * while holding the head: no deadlock cycle can include it.
 */
export async function appendAuditEvents(tx: Tx, actor: Principal, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Events about a decision that subscribers may want also go to the webhook outbox. Their
  // filter targets are read before the head is locked, to keep the locked section short.
  const targets = new Map<string, OutboxTargets>();
  for (const entry of entries) {
    if (entry.resourceType === 'decision' && isWebhookEventType(entry.action) && !targets.has(entry.resourceId)) {
      targets.set(entry.resourceId, await outboxTargets(tx, entry.resourceId));
    }
  }

  const [head] = await tx
    .select({ seq: auditHead.seq, hash: auditHead.hash, now: sql<string>`to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` })
    .from(auditHead)
    .where(eq(auditHead.id, 1))
    .for('update');
  if (head === undefined) throw new Error('audit_head row is missing; migrations did not run');

  const occurredAt = head.now;
  let seq = head.seq;
  let prevHash = head.hash;
  const rows: (typeof auditEvents.$inferInsert)[] = [];
  const notifications: OutboxEntry[] = [];
  for (const entry of entries) {
    seq += 1;
    const event: UnhashedEvent = {
      seq,
      occurredAt,
      actor: { keyId: actor.keyId, role: actor.role, organisationId: actor.organisationId },
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      // Stored as jsonb and hashed in the same JSON form (Dates become RFC 3339 strings).
      data: JSON.parse(JSON.stringify(entry.data ?? null)) as unknown,
    };
    const hash = eventHash(prevHash, event);
    rows.push({
      seq,
      occurredAt: new Date(occurredAt),
      actorKeyId: actor.keyId,
      actorRole: actor.role,
      actorOrganisationId: actor.organisationId,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId,
      data: event.data,
      prevHash,
      hash,
    });
    const target = entry.resourceType === 'decision' ? targets.get(entry.resourceId) : undefined;
    if (target !== undefined && isWebhookEventType(entry.action)) {
      notifications.push({ type: entry.action, decisionId: entry.resourceId, occurredAt, auditSeq: seq, data: event.data, targets: target });
    }
    prevHash = hash;
  }

  // One statement writes the events, their notifications and the new head: one round trip
  // while the head is locked.
  const insertEvents = tx.insert(auditEvents).values(rows).getSQL();
  const insertNotifications =
    notifications.length === 0 ? sql`select 1` : tx.insert(outboxEvents).values(outboxRows(notifications)).getSQL();
  await tx.execute(sql`
    with appended as (${insertEvents}), notified as (${insertNotifications})
    update ${auditHead} set seq = ${seq}, hash = ${prevHash} where id = 1`);
}
