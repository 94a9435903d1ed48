import { checkpointText } from '../audit/checkpoint.js';
import type { NoteSigner } from '../audit/note.js';
import { DomainError, type ErrorCode } from '../domain/errors.js';
import {
  checkpointIssuedWithin,
  insertCheckpoint,
  latestCheckpointRow,
  listCheckpointRows,
  readHeadForShare,
  tryLockCheckpointIssuing,
  type CheckpointRow,
} from '../db/checkpoints-repository.js';
import { decodeSeqCursor, encodeSeqCursor, type Page } from '../db/pagination.js';
import { inTransaction } from '../db/transaction.js';
import type { ServiceContext } from './context.js';

/**
 * Signed checkpoints of the audit chain (C2SP tlog-checkpoint in a signed note, Ed25519): an
 * auditor who keeps one can later prove that the trail up to its seq was rewritten, however
 * consistent the rewritten chain is in itself. Issuing one writes no audit event: that would
 * move the head it signs.
 */
export interface AuditCheckpoint {
  seq: number;
  headHash: string;
  issuedAt: string;
  origin: string;
  keyName: string;
  /** The signed note: the checkpoint text, an empty line, and the signature line. */
  note: string;
}

export interface CheckpointSettings {
  /** Undefined on PostgreSQL without AUDIT_SIGNING_KEY: every checkpoint endpoint answers 503 then. */
  signer: NoteSigner | undefined;
  /** The checkpoint's first line, and the key's name. */
  origin: string;
}

const MISSING: ErrorCode = 'AUDIT_SIGNING_KEY_MISSING';

function requireSigner(settings: CheckpointSettings): NoteSigner {
  if (settings.signer === undefined) {
    throw new DomainError(
      MISSING,
      'This service has no AUDIT_SIGNING_KEY (an Ed25519 private key, PKCS#8 PEM, the same for every instance): it issues no checkpoints.',
    );
  }
  return settings.signer;
}

export function toCheckpoint(row: CheckpointRow): AuditCheckpoint {
  return { seq: row.seq, headHash: row.headHash, issuedAt: row.issuedAt.toISOString(), origin: row.origin, keyName: row.keyName, note: row.note };
}

/**
 * Signs the current head when it moved since the last checkpoint and no checkpoint was issued in
 * the last `minIntervalS` seconds; undefined when there was nothing to do. Safe with any number of
 * instances running it at once: a transaction-scoped advisory lock lets one instance at a time
 * through (the others skip this round), the interval is measured by the database's clock against
 * the stored checkpoints, and the seq primary key (insert ... on conflict do nothing) would keep
 * a second checkpoint of the same head out even without the lock.
 */
export async function issueCheckpoint(
  ctx: ServiceContext,
  settings: CheckpointSettings,
  minIntervalS = 0,
): Promise<AuditCheckpoint | undefined> {
  const signer = requireSigner(settings);
  return inTransaction(ctx.database, async (tx) => {
    if (!(await tryLockCheckpointIssuing(tx))) return undefined;
    if (minIntervalS > 0 && (await checkpointIssuedWithin(tx, minIntervalS))) return undefined;
    const head = await readHeadForShare(tx);
    const latest = await latestCheckpointRow(tx);
    if (head.seq === 0 || (latest !== undefined && latest.seq >= head.seq)) return undefined;
    const note = signer.sign(checkpointText({ origin: settings.origin, size: head.seq, hash: head.hash }));
    const row = await insertCheckpoint(tx, { seq: head.seq, headHash: head.hash, origin: settings.origin, keyName: signer.name, note });
    return row && toCheckpoint(row);
  });
}

/** Checkpoints, newest first, in keyset pages on seq. */
export async function listCheckpointsPage(
  ctx: ServiceContext,
  settings: CheckpointSettings,
  cursor: string | undefined,
  limit: number,
): Promise<Page<AuditCheckpoint>> {
  requireSigner(settings);
  const rows = await listCheckpointRows(ctx.database.db, cursor === undefined ? undefined : decodeSeqCursor(cursor), limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toCheckpoint), nextCursor: rows.length > limit && last !== undefined ? encodeSeqCursor(last.seq) : null };
}

export async function latestCheckpoint(ctx: ServiceContext, settings: CheckpointSettings): Promise<AuditCheckpoint> {
  requireSigner(settings);
  const row = await latestCheckpointRow(ctx.database.db);
  if (row === undefined) throw new DomainError('RESOURCE_NOT_FOUND', 'No checkpoint has been issued yet.');
  return toCheckpoint(row);
}

/** The verifier key, `<name>+<key id hex>+<base64(0x01 || public key)>`, as Go's sumdb/note reads it. */
export function checkpointVerifierKey(settings: CheckpointSettings): string {
  return requireSigner(settings).verifierKey;
}
