import { desc, eq, lt, sql } from 'drizzle-orm';
import { queryRows, type Executor, type Tx } from './client.js';
import { auditCheckpoints, auditHead } from './schema.js';

/** Signed checkpoints of the audit chain, one row per signed head (seq is the key). */
export type CheckpointRow = typeof auditCheckpoints.$inferSelect;

// Any constant shared by all instances; distinct from the migration lock's.
export const ISSUING_LOCK_KEY = 0x65737a63;

/**
 * Takes the transaction-scoped lock under which one instance at a time issues a checkpoint;
 * false when another instance holds it (it is issuing one right now).
 */
export async function tryLockCheckpointIssuing(tx: Tx): Promise<boolean> {
  const [row] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${ISSUING_LOCK_KEY}) as locked`);
  return row?.locked === true;
}

/**
 * The chain's head, share-locked for the rest of the transaction: a commit that appends events
 * (which takes the row lock for update) waits until the checkpoint of this head is written, so
 * the head signed is exactly the committed one, never one a transaction is about to replace.
 */
export async function readHeadForShare(tx: Tx): Promise<{ seq: number; hash: string }> {
  const [head] = await tx.select({ seq: auditHead.seq, hash: auditHead.hash }).from(auditHead).where(eq(auditHead.id, 1)).for('share');
  if (head === undefined) throw new Error('audit_head row is missing; migrations did not run');
  return head;
}

export async function latestCheckpointRow(ex: Executor): Promise<CheckpointRow | undefined> {
  const [row] = await ex.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.seq)).limit(1);
  return row;
}

/** True when a checkpoint was issued less than `seconds` ago (by the database's clock, shared by every instance). */
export async function checkpointIssuedWithin(tx: Tx, seconds: number): Promise<boolean> {
  const [row] = await queryRows<{ recent: boolean }>(
    tx,
    sql`select exists (select 1 from ${auditCheckpoints} where issued_at > now() - make_interval(secs => ${seconds})) as recent`,
  );
  return row?.recent === true;
}

/** Inserts a checkpoint; one for this seq already stored (by another instance) wins, and undefined is returned. */
export async function insertCheckpoint(tx: Tx, values: typeof auditCheckpoints.$inferInsert): Promise<CheckpointRow | undefined> {
  const [row] = await tx.insert(auditCheckpoints).values(values).onConflictDoNothing({ target: auditCheckpoints.seq }).returning();
  return row;
}

/** Checkpoints newest first, those with seq below `beforeSeq` when given. */
export async function listCheckpointRows(ex: Executor, beforeSeq: number | undefined, limit: number): Promise<CheckpointRow[]> {
  return ex
    .select()
    .from(auditCheckpoints)
    .where(beforeSeq === undefined ? undefined : lt(auditCheckpoints.seq, beforeSeq))
    .orderBy(desc(auditCheckpoints.seq))
    .limit(limit);
}
