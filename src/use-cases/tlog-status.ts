import { EMPTY_ROOT } from '../audit/merkle.js';
import { latestLogCheckpoint, readTlogState } from '../db/tlog-repository.js';
import { witnessRows } from '../db/tlog-witness-repository.js';
import type { ServiceContext } from './context.js';
import { servedCheckpoint } from './tlog-reads.js';
import { requireLogSigner, witnessId, type TlogSettings } from './tlog-settings.js';

/** How the transparency log stands: the served checkpoint, each witness's last answer, a suspected rollback. */
export interface TlogStatus {
  /** The served checkpoint's tree size and root (0 and the empty tree's root before the first). */
  treeSize: number;
  rootHash: string;
  checkpoint: string | null;
  witnesses: {
    name: string;
    url: string;
    vkey: string;
    lastCosignedSize: number | null;
    lastStatus: number | null;
    lastError: string | null;
    lastAttemptAt: string | null;
  }[];
  quorumSize: number;
  rollbackSuspected: { localSize: number; witnessedSize: number } | null;
  /** The log's verifier key (`--log-key` of the offline verifier). */
  logKey: string;
  /** How far the tree over the audit trail is integrated, and the size of the newest checkpoint signed (cosigned or not yet). */
  integratedSize: number;
  latestSignedSize: number;
  /** Why signing stopped, when the stored tree no longer matches a signed checkpoint. */
  signingHalted: string | null;
}

export async function tlogStatus(ctx: ServiceContext, settings: TlogSettings): Promise<TlogStatus> {
  const signer = requireLogSigner(settings);
  const db = ctx.database.db;
  const [served, state, latest, rows] = [
    await servedCheckpoint(ctx, settings),
    await readTlogState(db),
    await latestLogCheckpoint(db),
    await witnessRows(db, settings.witnesses.map(witnessId)),
  ];
  const byId = new Map(rows.map((row) => [row.witness, row]));
  return {
    treeSize: served?.size ?? 0,
    rootHash: (served?.root ?? EMPTY_ROOT).toString('hex'),
    checkpoint: served?.note ?? null,
    witnesses: settings.witnesses.map((witness) => {
      const row = byId.get(witnessId(witness));
      return {
        name: witness.vkey.name,
        url: witness.url,
        vkey: witness.vkey.text,
        lastCosignedSize: row?.lastCosignedSize ?? null,
        lastStatus: row?.lastStatus ?? null,
        lastError: row?.lastError ?? null,
        lastAttemptAt: row?.lastAttemptAt?.toISOString() ?? null,
      };
    }),
    quorumSize: settings.quorum,
    rollbackSuspected:
      state.rollbackLocalSize === null || state.rollbackWitnessedSize === null ? null : { localSize: state.rollbackLocalSize, witnessedSize: state.rollbackWitnessedSize },
    logKey: signer.verifierKey,
    integratedSize: state.size,
    latestSignedSize: latest?.size ?? 0,
    signingHalted: state.signingHalted,
  };
}
