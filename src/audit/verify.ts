import type { Db } from '../db/client.js';
import { ChainVerifier, type ChainVerdict } from './chain.js';
import { auditEventsUpTo, readAuditHead } from './store.js';

/**
 * Walks the whole stored chain in constant memory and compares its end with the recorded head,
 * so edited, inserted, deleted (also at the end) and reordered rows are all named by seq.
 */
export async function verifyStoredChain(db: Db): Promise<ChainVerdict> {
  // One snapshot for the head and every row: changes committing meanwhile are simply not seen.
  return db.transaction(
    async (tx) => {
      const head = await readAuditHead(tx);
      const verifier = new ChainVerifier();
      // Rows beyond the recorded head (inserted at the end) are read as well.
      for await (const event of auditEventsUpTo(tx, Number.MAX_SAFE_INTEGER)) verifier.add(event);
      return verifier.verdict(head);
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
