import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import { readAuditEvents, readAuditHead } from '../../src/db/audit-repository.js';
import { queryRows, type Database } from '../../src/db/client.js';
import { DomainError } from '../../src/domain/errors.js';

/**
 * What the changes after a mark of the audit trail wrote besides themselves: their audit events
 * and the webhook outbox rows of the published ones, for tests that call a use case directly.
 * A change that failed wrote neither.
 */
export interface Written {
  events: { action: string; resourceType: string; resourceId: string; actorRole: string; data: Record<string, unknown> }[];
  outbox: { eventType: string; resourceId: string; auditSeq: number }[];
}

/** The seq of the last event of the trail: where `writtenSince` starts. */
export async function auditMark(database: Database): Promise<number> {
  return (await readAuditHead(database.db)).seq;
}

export async function writtenSince(database: Database, mark: number): Promise<Written> {
  const rows = await readAuditEvents(database.db, mark, 1000);
  const outbox = await queryRows<{ event_type: string; resource_id: string; audit_seq: string }>(
    database.db,
    sql`select event_type, resource_id::text as resource_id, audit_seq::text as audit_seq from outbox_events where audit_seq > ${mark} order by audit_seq`,
  );
  return {
    events: rows.map((row) => ({
      action: row.action,
      resourceType: row.resourceType,
      resourceId: row.resourceId,
      actorRole: row.actorRole,
      data: row.data as Record<string, unknown>,
    })),
    outbox: outbox.map((row) => ({ eventType: row.event_type, resourceId: row.resource_id, auditSeq: Number(row.audit_seq) })),
  };
}

/**
 * Runs a change that must be refused with the domain error `code` (naming `paths`, in order, when
 * given), and checks that it wrote nothing. Returns the error.
 */
export async function refusedWithoutWriting(
  t: Test,
  database: Database,
  change: () => Promise<unknown>,
  code: string,
  paths?: string[],
): Promise<DomainError | undefined> {
  const mark = await auditMark(database);
  const outcome = await change().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  const error = outcome instanceof DomainError ? outcome : undefined;
  t.equal(error?.code, code, `refused with ${code}${outcome instanceof DomainError || outcome === undefined ? '' : ` (threw ${String(outcome)})`}`);
  if (paths !== undefined) t.same(error?.errors?.map((e) => e.path), paths, `naming ${paths.join(', ')}`);
  t.same(await writtenSince(database, mark), { events: [], outbox: [] }, 'and wrote nothing');
  return error;
}
