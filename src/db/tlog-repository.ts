import { and, asc, desc, eq, gt, lte, or, sql } from 'drizzle-orm';
import type { NodeReader } from '../audit/merkle-proofs.js';
import { nodeHashesFromTiles, tileKey, tilesForNodes, type StoredTile } from '../audit/tile-tree.js';
import { partialWidth, TILE_WIDTH } from '../audit/tiles.js';
import { queryRows, type Executor, type Tx } from './client.js';
import { auditEvents, tlogCheckpoints, tlogState, tlogTiles } from './schema.js';

/** The tree of the transparency log: its state row, its tiles, its checkpoints (witnesses: tlog-witness-repository.ts). */
export type TlogStateRow = typeof tlogState.$inferSelect;
export type LogCheckpointRow = typeof tlogCheckpoints.$inferSelect;

// Any constant shared by all instances; distinct from the migration and audit checkpoint locks.
export const TLOG_SIGNING_LOCK_KEY = 0x65737a74;

export async function readTlogState(ex: Executor): Promise<TlogStateRow> {
  const [row] = await ex.select().from(tlogState).where(eq(tlogState.id, 1));
  if (row === undefined) throw new Error('tlog_state row is missing; migrations did not run');
  return row;
}

/**
 * The state row locked for integrating, or undefined when another instance holds it (it is
 * integrating right now): one integrator at a time, and the others skip their turn.
 */
export async function lockTlogStateForIntegration(tx: Tx): Promise<TlogStateRow | undefined> {
  const [row] = await tx.select().from(tlogState).where(eq(tlogState.id, 1)).for('update', { skipLocked: true });
  return row;
}

export async function updateIntegratedTree(tx: Tx, size: number, root: Buffer): Promise<void> {
  await tx.update(tlogState).set({ size, root, updatedAt: sql`now()` }).where(eq(tlogState.id, 1));
}

/** The chain hashes (the leaves' entries) of the events after `afterSeq`, in seq order. */
export async function readEntryHashes(ex: Executor, afterSeq: number, limit: number): Promise<{ seq: number; hash: string }[]> {
  return ex.select({ seq: auditEvents.seq, hash: auditEvents.hash }).from(auditEvents).where(gt(auditEvents.seq, afterSeq)).orderBy(asc(auditEvents.seq)).limit(limit);
}

/** Tiles by level and index, keyed by `tileKey`; absent ones are absent. */
export async function readTiles(ex: Executor, ids: readonly { level: number; index: number }[]): Promise<Map<string, Buffer>> {
  const tiles = new Map<string, Buffer>();
  if (ids.length === 0) return tiles;
  const rows = await ex
    .select()
    .from(tlogTiles)
    .where(or(...ids.map(({ level, index }) => and(eq(tlogTiles.level, level), eq(tlogTiles.index, index)))));
  for (const row of rows) tiles.set(tileKey(row.level, row.index), row.hashes);
  return tiles;
}

/** The partial tile of every level of a tree of `size` leaves: where the next leaves go. */
export async function readEdgeTiles(ex: Executor, size: number): Promise<StoredTile[]> {
  const ids: { level: number; index: number }[] = [];
  for (let level = 0; TILE_WIDTH ** level <= size; level++) {
    if (partialWidth(level, size) > 0) ids.push({ level, index: Math.floor(size / TILE_WIDTH ** (level + 1)) });
  }
  const tiles = await readTiles(ex, ids);
  return ids.flatMap(({ level, index }) => {
    const hashes = tiles.get(tileKey(level, index));
    return hashes === undefined ? [] : [{ level, index, hashes }];
  });
}

export async function writeTiles(tx: Tx, tiles: readonly StoredTile[]): Promise<void> {
  if (tiles.length === 0) return;
  await tx
    .insert(tlogTiles)
    .values(tiles.map(({ level, index, hashes }) => ({ level, index, hashes })))
    .onConflictDoUpdate({ target: [tlogTiles.level, tlogTiles.index], set: { hashes: sql`excluded.hashes` } });
}

/** Reads the perfect subtrees a proof needs from the tiles that hold them, in one query per call. */
export function tileNodeReader(ex: Executor, fullTiles?: { get(key: string): Buffer | undefined; set(key: string, hashes: Buffer): void }): NodeReader {
  return async (nodes) => {
    const wanted = tilesForNodes(nodes);
    const found = new Map<string, Buffer>();
    const missing = wanted.filter(({ level, index }) => {
      const cached = fullTiles?.get(tileKey(level, index));
      if (cached !== undefined) found.set(tileKey(level, index), cached);
      return cached === undefined;
    });
    for (const [key, hashes] of await readTiles(ex, missing)) {
      found.set(key, hashes);
      // Full tiles never change: kept. Partial ones grow, and are read again next time.
      if (hashes.length === TILE_WIDTH * 32) fullTiles?.set(key, hashes);
    }
    return nodeHashesFromTiles(nodes, found);
  };
}

export async function readTile(ex: Executor, level: number, index: number): Promise<Buffer | undefined> {
  return (await readTiles(ex, [{ level, index }])).get(tileKey(level, index));
}

/** The entries (chain hashes, 32 bytes each) of the leaves from index `from` (0-based) up to, not including, `to`. */
export async function readEntries(ex: Executor, from: number, to: number): Promise<Buffer[]> {
  const rows = await ex
    .select({ seq: auditEvents.seq, hash: auditEvents.hash })
    .from(auditEvents)
    .where(and(gt(auditEvents.seq, from), lte(auditEvents.seq, to)))
    .orderBy(asc(auditEvents.seq));
  return rows.map((row) => Buffer.from(row.hash, 'hex'));
}

/** Takes the transaction-scoped lock under which one instance at a time signs a log checkpoint; false when another holds it. */
export async function tryLockLogSigning(tx: Tx): Promise<boolean> {
  const [row] = await queryRows<{ locked: boolean }>(tx, sql`select pg_try_advisory_xact_lock(${TLOG_SIGNING_LOCK_KEY}) as locked`);
  return row?.locked === true;
}

export async function latestLogCheckpoint(ex: Executor): Promise<LogCheckpointRow | undefined> {
  const [row] = await ex.select().from(tlogCheckpoints).orderBy(desc(tlogCheckpoints.size)).limit(1);
  return row;
}

/** True when a log checkpoint was issued less than `seconds` ago, by the database's clock (shared by every instance). */
export async function logCheckpointIssuedWithin(tx: Tx, seconds: number): Promise<boolean> {
  const [row] = await queryRows<{ recent: boolean }>(
    tx,
    sql`select exists (select 1 from ${tlogCheckpoints} where issued_at > now() - make_interval(secs => ${seconds})) as recent`,
  );
  return row?.recent === true;
}

export async function insertLogCheckpoint(tx: Tx, values: { size: number; root: Buffer; note: string }): Promise<LogCheckpointRow | undefined> {
  const [row] = await tx.insert(tlogCheckpoints).values(values).onConflictDoNothing({ target: tlogCheckpoints.size }).returning();
  return row;
}

/** Stops all further signing, with the reason; kept until the operator clears it. */
export async function haltLogSigning(ex: Executor, reason: string): Promise<void> {
  await ex.update(tlogState).set({ signingHalted: reason, updatedAt: sql`now()` }).where(eq(tlogState.id, 1));
}

/** Records a suspected rollback (once: the first evidence stays); signing stops with it. */
export async function recordSuspectedRollback(ex: Executor, localSize: number, witnessedSize: number): Promise<boolean> {
  const rows = await ex
    .update(tlogState)
    .set({ rollbackLocalSize: localSize, rollbackWitnessedSize: witnessedSize, updatedAt: sql`now()` })
    .where(and(eq(tlogState.id, 1), sql`${tlogState.rollbackLocalSize} is null`))
    .returning({ id: tlogState.id });
  return rows.length > 0;
}
