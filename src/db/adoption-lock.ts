import { sql } from 'drizzle-orm';
import type { Tx } from './client.js';

const ADOPTION_LOCK_KEY = 0x61646f70;

/**
 * Adoptions take one transaction-level advisory lock, held until commit, before they read the
 * other decisions and the fund. Why that is enough: every fact adoption freezes about *other*
 * decisions (the splitting verdict, the fund's uncommitted money) changes by adoptions, and
 * adoptions now run one after another, each reading (in a statement after the lock) what the
 * previous one committed. So two decisions adopted at the same moment that together reach the
 * threshold are never both unsuspected, and `fundCoverage.uncommittedCentsBefore` follows
 * commit order. Adoptions are rare board acts: serialising them costs nothing that matters.
 */
export function lockAdoptions(tx: Tx): Promise<unknown> {
  // Sent when called (`execute()`): the reads a caller issues after this call run behind the lock.
  return tx.execute(sql`select pg_advisory_xact_lock(${ADOPTION_LOCK_KEY})`).execute();
}
