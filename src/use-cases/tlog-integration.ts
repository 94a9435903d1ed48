import { extendTree } from '../audit/tile-tree.js';
import { lockTlogStateForIntegration, readEdgeTiles, readEntryHashes, updateIntegratedTree, writeTiles } from '../db/tlog-repository.js';
import { inTransaction } from '../db/transaction.js';
import type { ServiceContext } from './context.js';

/**
 * Integrates the audit trail into the transparency log's tree, after the events commit, in
 * batches (as Tessera integrates its log): the events sealed since the last run are appended to
 * the tiles, in seq order, leaf index seq - 1, the leaf's entry the event's 32-byte chain hash.
 *
 * Why the tree is not computed at commit: the chain's seal (migrations 0006/0007) holds the one
 * `audit_head` row lock from COMMIT until the commit is durable, and bench/audit-seal-contention.ts
 * measured that lock as the limit of concurrent writes (at 32 connections on this machine about
 * 330-455 writes/s sealed at commit against 3,064 with the seal done by a batch job, 4,450 with
 * no audit event; 27 of 32 writers waiting on the lock). Hashing tiles there would lengthen the
 * one section every write queues on. So the seal stays as it is, and the tree costs the commit
 * path nothing.
 *
 * Why seq order is still commit order: the seal, unchanged, numbers events under that row lock
 * as they commit, so seq N+1 is visible only after seq N is; the tree follows seq, and the event
 * feed keeps reading the outbox by seq as before. (Moving the seal itself into a batch job, which
 * the figures above show would raise the ceiling some sevenfold, would have to number events by
 * the transaction-id horizon instead: a gapless order, but no longer commit order. Through the
 * HTTP stack writes on this machine are bound by the CPU at a few hundred per second, under the
 * seal's ceiling, so the contract's commit order stays.)
 *
 * Safe with any number of instances: the state row is locked FOR UPDATE SKIP LOCKED, so one
 * instance integrates and the others skip their turn; tiles and the integrated size change in
 * one transaction. Returns the integrated size, or undefined when another instance had the lock.
 */
export async function integrateTree(ctx: ServiceContext, batchSize = 10_000, maxBatches = 100): Promise<number | undefined> {
  let size: number | undefined;
  for (let batch = 0; batch < maxBatches; batch++) {
    const result = await inTransaction(ctx.database, async (tx) => {
      const state = await lockTlogStateForIntegration(tx);
      if (state === undefined) return undefined;
      const events = await readEntryHashes(tx, state.size, batchSize);
      // The seal hands out seqs without gaps; should one ever show, the tree stops before it.
      const contiguous = events.filter((event, i) => event.seq === state.size + 1 + i);
      if (contiguous.length === 0) return { size: state.size, done: true };
      const edge = await readEdgeTiles(tx, state.size);
      const grown = await extendTree(state.size, edge, contiguous.map((event) => Buffer.from(event.hash, 'hex')));
      await writeTiles(tx, grown.tiles);
      await updateIntegratedTree(tx, grown.size, grown.root);
      return { size: grown.size, done: contiguous.length < batchSize };
    });
    if (result === undefined) return size;
    size = result.size;
    if (result.done) break;
  }
  return size;
}
