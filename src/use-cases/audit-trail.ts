import { ChainVerifier, type AuditEvent, type ChainVerdict } from '../audit/chain.js';
import { auditEventsUpTo, auditExportChunks, readAuditEvents, readAuditHead, toAuditEvent, type AuditFilter } from '../db/audit-repository.js';
import { decodeSeqCursor, encodeSeqCursor, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { inReadOnlySnapshot } from '../db/transaction.js';

/** Reading, exporting and verifying the audit trail (auditors and admins). */
export async function listAuditEventsPage(
  ctx: ServiceContext,
  afterSeq: number,
  filter: AuditFilter,
  cursor: string | undefined,
  limit: number,
): Promise<Page<AuditEvent>> {
  const after = cursor === undefined ? afterSeq : decodeSeqCursor(cursor);
  const rows = await readAuditEvents(ctx.database.db, after, limit + 1, filter);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toAuditEvent), nextCursor: rows.length > limit && last ? encodeSeqCursor(last.seq) : null };
}

/**
 * The NDJSON lines of the trail after `afterSeq` (0: from the start) up to its head at the moment
 * of the request, in chunks. An incremental export continues the previous one: its first event
 * links to the previous export's last hash.
 */
export async function exportAuditEvents(ctx: ServiceContext, afterSeq = 0): Promise<AsyncGenerator<string>> {
  const head = await readAuditHead(ctx.database.db);
  return auditExportChunks(ctx.database.db, afterSeq, head.seq);
}

/**
 * Walks the whole stored chain in constant memory and compares its end with the recorded head,
 * so edited, inserted, deleted (also at the end) and reordered rows are all named by seq.
 */
export async function verifyStoredChain(ctx: ServiceContext): Promise<ChainVerdict> {
  // One snapshot for the head and every row: changes committing meanwhile are simply not seen.
  return inReadOnlySnapshot(ctx.database, async (tx) => {
    const head = await readAuditHead(tx);
    const verifier = new ChainVerifier();
    // Rows beyond the recorded head (inserted at the end) are read as well.
    for await (const event of auditEventsUpTo(tx, Number.MAX_SAFE_INTEGER)) verifier.add(event);
    return verifier.verdict(head);
  });
}
