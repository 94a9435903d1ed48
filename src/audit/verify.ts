import type { Executor } from '../db/client.js';
import { ChainVerifier, type ChainVerdict } from './chain.js';
import { auditEventsUpTo, readAuditHead } from './store.js';

/**
 * Walks the whole stored chain in constant memory and compares its end with the recorded head,
 * so edited, inserted, deleted (also at the end) and reordered rows are all named by seq.
 */
export async function verifyStoredChain(ex: Executor): Promise<ChainVerdict> {
  const head = await readAuditHead(ex);
  const verifier = new ChainVerifier();
  // Rows beyond the recorded head (inserted at the end) are read as well.
  for await (const event of auditEventsUpTo(ex, Number.MAX_SAFE_INTEGER)) verifier.add(event);
  return verifier.verdict(head);
}
