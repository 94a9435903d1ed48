import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { appendAuditEvents } from '../../src/db/audit-repository.js';
import { queryRows, type Database } from '../../src/db/client.js';
import { readAuditEvents, readAuditHead } from '../../src/db/audit-repository.js';
import { inTransaction } from '../../src/db/transaction.js';
import { SYSTEM_PRINCIPAL } from '../../src/domain/access.js';

/** Appends `count` audit events, sealed as the service seals them, in transactions of up to `perTransaction`. */
export async function appendEvents(database: Database, count: number, options: { perTransaction?: number; resourceId?: string } = {}): Promise<void> {
  const per = options.perTransaction ?? 250;
  for (let done = 0; done < count; done += per) {
    const n = Math.min(per, count - done);
    await inTransaction(database, (tx) =>
      appendAuditEvents(
        tx,
        SYSTEM_PRINCIPAL,
        Array.from({ length: n }, (_, i) => ({
          action: 'test.event',
          resourceType: 'decision',
          resourceId: options.resourceId ?? randomUUID(),
          data: { n: done + i },
          audience: undefined,
        })),
      ),
    );
  }
}

/** The chain hashes of every event, in seq order: the log's entries. */
export async function chainHashes(database: Database): Promise<Buffer[]> {
  const hashes: Buffer[] = [];
  for (let after = 0; ; ) {
    const rows = await readAuditEvents(database.db, after, 1000);
    if (rows.length === 0) return hashes;
    hashes.push(...rows.map((row) => Buffer.from(row.hash, 'hex')));
    after = rows[rows.length - 1]!.seq;
  }
}

/** An audit event as a use case emitted it: its type, the resource it names, its payload. */
export interface EmittedEvent {
  action: string;
  resourceType: string;
  resourceId: string;
  data: Record<string, unknown>;
}

/** The seq of the newest sealed audit event (0: none yet). */
export async function auditHeadSeq(database: Database): Promise<number> {
  return (await readAuditHead(database.db)).seq;
}

/** Every audit event sealed after `afterSeq`, in order. */
export async function eventsAfter(database: Database, afterSeq: number): Promise<EmittedEvent[]> {
  const rows = await readAuditEvents(database.db, afterSeq, 1000);
  return rows.map((row) => ({ action: row.action, resourceType: row.resourceType, resourceId: row.resourceId, data: row.data as Record<string, unknown> }));
}

/** The event types that reached the webhook outbox after audit seq `afterSeq`, in order: the published ones. */
export async function publishedAfter(database: Database, afterSeq: number): Promise<string[]> {
  const rows = await queryRows<{ event_type: string }>(database.db, sql`select event_type from outbox_events where audit_seq > ${afterSeq} order by audit_seq`);
  return rows.map((row) => row.event_type);
}

/**
 * Runs a change (a use case called directly) and answers its result with the audit events it
 * emitted and the types of those that were published (written to the webhook outbox).
 */
export async function emittedBy<T>(database: Database, change: () => Promise<T>): Promise<{ result: T; events: EmittedEvent[]; published: string[] }> {
  const before = await auditHeadSeq(database);
  const result = await change();
  return { result, events: await eventsAfter(database, before), published: await publishedAfter(database, before) };
}
