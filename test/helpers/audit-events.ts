import { randomUUID } from 'node:crypto';
import { appendAuditEvents } from '../../src/db/audit-repository.js';
import type { Database } from '../../src/db/client.js';
import { readAuditEvents } from '../../src/db/audit-repository.js';
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
