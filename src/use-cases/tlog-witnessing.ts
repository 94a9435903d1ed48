import type { Logger } from 'pino';
import { consistencyProof } from '../audit/merkle-proofs.js';
import { latestLogCheckpoint, readTlogState, recordSuspectedRollback, tileNodeReader } from '../db/tlog-repository.js';
import { claimWitness, insertCosignature, recordWitnessAnswer, witnessRows, type WitnessRow } from '../db/tlog-witness-repository.js';
import { submitCheckpoint, type Submission } from '../notifications/witness-client.js';
import type { ServiceContext } from './context.js';
import { witnessId, type TlogSettings } from './tlog-settings.js';

/**
 * Submits the log's latest checkpoint to every witness that has not cosigned it yet (C2SP
 * tlog-witness), stores the cosignatures that come back (they are served with the checkpoint),
 * and records every other answer. Runs after signing, outside any transaction: a witness that
 * hangs or answers garbage costs this job its timeout and nothing else.
 *
 * Rollback: when a quorum of witnesses says (409) it has cosigned a larger tree than this log's
 * latest checkpoint, the database was restored from an older state or rewritten. The log keeps
 * serving what it has but signs nothing more (see issueLogCheckpoint), the status says so, and
 * the error is logged; readiness is unaffected (reads are still true; writes are the operator's
 * call).
 */
/** Long enough for a submission and its one retry to time out, so that two instances never talk to one witness at once. */
const leaseSeconds = (settings: TlogSettings) => Math.ceil((2 * settings.witnessTimeoutMs) / 1000) + 10;
/** Answers that will not change by asking again: the same checkpoint is not submitted twice to a witness that gave one. */
const REFUSALS = new Set([400, 403, 404, 409, 422]);

const settled = (row: WitnessRow | undefined, size: number) =>
  row !== undefined && (row.lastCosignedSize === size || (row.lastAttemptSize === size && row.lastStatus !== null && REFUSALS.has(row.lastStatus)));

export async function submitToWitnesses(ctx: ServiceContext, settings: TlogSettings, logger: Logger, fetchImpl?: typeof fetch): Promise<Submission[]> {
  if (settings.witnesses.length === 0) return [];
  const db = ctx.database.db;
  const latest = await latestLogCheckpoint(db);
  if (latest === undefined || (await readTlogState(db)).rollbackLocalSize !== null) return [];
  const text = latest.note.slice(0, latest.note.lastIndexOf('\n\n') + 1);
  const known = new Map((await witnessRows(db, settings.witnesses.map(witnessId))).map((row) => [row.witness, row]));
  const results = await Promise.all(
    settings.witnesses.map(async (witness): Promise<Submission | undefined> => {
      const id = witnessId(witness);
      if (settled(known.get(id), latest.size)) return undefined;
      const row = await claimWitness(db, id, witness.url, leaseSeconds(settings));
      if (row === undefined || settled(row, latest.size)) return undefined;
      const result = await submitCheckpoint({
        witness,
        note: latest.note,
        text,
        size: latest.size,
        knownSize: row.lastCosignedSize ?? row.reportedSize ?? 0,
        proofFrom: (from) => consistencyProof(from, latest.size, tileNodeReader(db, settings.fullTiles)),
        timeoutMs: settings.witnessTimeoutMs,
        ...(fetchImpl && { fetch: fetchImpl }),
      });
      if (result.kind === 'cosigned') {
        await insertCosignature(db, latest.size, id, result.line);
        await recordWitnessAnswer(db, id, { size: latest.size, status: 200, error: null, cosignedSize: latest.size, reportedSize: latest.size });
      } else {
        await recordWitnessAnswer(db, id, { size: latest.size, status: result.status, error: result.detail, ...(result.kind === 'conflict' && { reportedSize: result.witnessSize }) });
        logger.warn({ witness: witness.vkey.name, url: witness.url, size: latest.size, status: result.status, detail: result.detail }, `witness did not cosign: ${result.kind}`);
      }
      return result;
    }),
  );
  await detectRollback(ctx, settings, latest.size, logger);
  return results.filter((result): result is Submission => result !== undefined);
}

async function detectRollback(ctx: ServiceContext, settings: TlogSettings, localSize: number, logger: Logger): Promise<void> {
  if (settings.quorum === 0) return;
  const ahead = (await witnessRows(ctx.database.db, settings.witnesses.map(witnessId)))
    .map((row) => row.reportedSize ?? 0)
    .filter((size) => size > localSize)
    .sort((a, b) => b - a);
  if (ahead.length < settings.quorum) return;
  // The size a quorum vouches for: the smallest among the quorum that is furthest ahead.
  const witnessedSize = ahead[settings.quorum - 1]!;
  if (await recordSuspectedRollback(ctx.database.db, localSize, witnessedSize)) {
    logger.error(
      { localSize, witnessedSize },
      `rollback suspected: ${ahead.length} witnesses have cosigned the log up to size ${witnessedSize} or beyond, but this database's latest checkpoint is of size ${localSize} (restored from an older backup, or rewritten); no further checkpoint is signed`,
    );
  }
}
