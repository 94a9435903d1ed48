import { signLogCheckpoint } from '../audit/log-checkpoint.js';
import { treeRoot } from '../audit/merkle-proofs.js';
import {
  haltLogSigning,
  insertLogCheckpoint,
  latestLogCheckpoint,
  logCheckpointIssuedWithin,
  readTlogState,
  tileNodeReader,
  tryLockLogSigning,
  type LogCheckpointRow,
} from '../db/tlog-repository.js';
import { inTransaction } from '../db/transaction.js';
import type { ServiceContext } from './context.js';
import { requireLogSigner, type TlogSettings } from './tlog-settings.js';

/**
 * Signs a checkpoint of the log's tree when it grew since the last one and none was issued in
 * the last `minIntervalS` seconds (by the database's clock). A log must never sign two
 * checkpoints that are not consistent (C2SP tlog-checkpoint): before it signs, the tree's root at
 * the size of its latest checkpoint is read from the tiles and must be that checkpoint's root;
 * when it is not (the tiles were rewritten under it), signing stops for good with the reason,
 * until the operator has looked. Signing also stops while a rollback is suspected.
 *
 * Safe with several instances: a transaction-scoped advisory lock lets one sign at a time, and
 * the size's primary key keeps a second checkpoint of one size out.
 */
export type SigningOutcome =
  | { kind: 'signed'; checkpoint: LogCheckpointRow }
  /** `now`: this call found the reason and stopped signing; otherwise it was stopped before. */
  | { kind: 'halted'; reason: string; now: boolean }
  | { kind: 'nothing to sign' };

export async function issueLogCheckpoint(ctx: ServiceContext, settings: TlogSettings, minIntervalS = 0): Promise<SigningOutcome> {
  const signer = requireLogSigner(settings);
  return inTransaction(ctx.database, async (tx): Promise<SigningOutcome> => {
    if (!(await tryLockLogSigning(tx))) return { kind: 'nothing to sign' };
    const state = await readTlogState(tx);
    if (state.signingHalted !== null) return { kind: 'halted', reason: state.signingHalted, now: false };
    if (state.rollbackLocalSize !== null) return { kind: 'halted', reason: 'a rollback is suspected', now: false };
    const latest = await latestLogCheckpoint(tx);
    if (state.size === 0 || (latest !== undefined && latest.size >= state.size)) return { kind: 'nothing to sign' };
    if (minIntervalS > 0 && (await logCheckpointIssuedWithin(tx, minIntervalS))) return { kind: 'nothing to sign' };
    if (latest !== undefined) {
      const rootThen = await treeRoot(latest.size, tileNodeReader(tx));
      if (!rootThen.equals(latest.root)) {
        const reason =
          `the tree's root at size ${latest.size} is ${rootThen.toString('hex')}, but the log signed ${latest.root.toString('hex')} for that size: ` +
          'the stored tree was changed under a signed checkpoint; the log signs nothing more until an operator has looked';
        await haltLogSigning(tx, reason);
        return { kind: 'halted', reason, now: true };
      }
    }
    const note = signLogCheckpoint(signer, { size: state.size, root: state.root });
    const checkpoint = await insertLogCheckpoint(tx, { size: state.size, root: state.root, note });
    return checkpoint === undefined ? { kind: 'nothing to sign' } : { kind: 'signed', checkpoint };
  });
}
