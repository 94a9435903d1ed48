import { consistencyProof, inclusionProofs } from '../audit/merkle-proofs.js';
import type { AuditEvent } from '../audit/chain.js';
import { readAuditEvents, toAuditEvent } from '../db/audit-repository.js';
import { readEntries, tileNodeReader } from '../db/tlog-repository.js';
import { DomainError } from '../domain/errors.js';
import type { ServiceContext } from './context.js';
import { requireServedCheckpoint } from './tlog-reads.js';
import type { TlogSettings } from './tlog-settings.js';

/**
 * Proofs in JSON (RFC 6962 2.1.1 and 2.1.2), against the served checkpoint or an older tree
 * size, and a decision's evidence: its audit events, each with its inclusion proof, and the
 * checkpoint they are proven against. Proofs are built from stored tiles (full tiles from the
 * instance's cache), never by recomputing the tree.
 */
const hex = (hashes: Buffer[]) => hashes.map((hash) => hash.toString('hex'));
const outOfRange = (detail: string) => new DomainError('PROOF_OUT_OF_RANGE', detail);

export interface InclusionProof {
  seq: number;
  leafIndex: number;
  treeSize: number;
  /** The leaf's entry: the event's chain hash. */
  entry: string;
  hashes: string[];
}

export async function auditEventInclusionProof(ctx: ServiceContext, settings: TlogSettings, seq: number, treeSize?: number): Promise<InclusionProof> {
  const served = await requireServedCheckpoint(ctx, settings);
  const size = treeSize ?? served.size;
  if (size > served.size) throw outOfRange(`Tree size ${size} is beyond the latest checkpoint (${served.size}).`);
  if (seq > size) throw outOfRange(`Event ${seq} (leaf index ${seq - 1}) is outside the tree of size ${size}.`);
  const [entry] = await readEntries(ctx.database.db, seq - 1, seq);
  if (entry === undefined) throw new DomainError('RESOURCE_NOT_FOUND', `Audit event ${seq} does not exist.`);
  const [hashes] = await inclusionProofs([seq - 1], size, tileNodeReader(ctx.database.db, settings.fullTiles));
  return { seq, leafIndex: seq - 1, treeSize: size, entry: entry.toString('hex'), hashes: hex(hashes!) };
}

export async function tlogConsistencyProof(ctx: ServiceContext, settings: TlogSettings, from: number, to: number): Promise<{ from: number; to: number; hashes: string[] }> {
  const served = await requireServedCheckpoint(ctx, settings);
  if (to > served.size) throw outOfRange(`Tree size ${to} is beyond the latest checkpoint (${served.size}).`);
  if (from > to) throw outOfRange(`A consistency proof goes from a smaller tree to a larger one; from ${from} is above to ${to}.`);
  const hashes = await consistencyProof(from, to, tileNodeReader(ctx.database.db, settings.fullTiles));
  return { from, to, hashes: hex(hashes) };
}

export interface DecisionEvidence {
  decisionId: string;
  checkpoint: string;
  events: { event: AuditEvent; proof: { leafIndex: number; treeSize: number; hashes: string[] } }[];
}

const BATCH = 500;

/**
 * Every audit event about the decision up to the served checkpoint, as the export writes it, with
 * its inclusion proof against that checkpoint; an auditor verifies it with the keys alone
 * (`npm run audit:verify -- evidence <file> ...`). Events after the checkpoint are in the next one.
 */
export async function decisionEvidence(ctx: ServiceContext, settings: TlogSettings, decisionId: string): Promise<DecisionEvidence> {
  const served = await requireServedCheckpoint(ctx, settings);
  const events: AuditEvent[] = [];
  let any = false;
  for (let after = 0; ; ) {
    const rows = await readAuditEvents(ctx.database.db, after, BATCH, { resourceType: 'decision', resourceId: decisionId });
    any ||= rows.length > 0;
    for (const row of rows) if (row.seq <= served.size) events.push(toAuditEvent(row));
    if (rows.length < BATCH || rows[rows.length - 1]!.seq > served.size) break;
    after = rows[rows.length - 1]!.seq;
  }
  if (!any) throw new DomainError('RESOURCE_NOT_FOUND', `Decision ${decisionId} does not exist.`);
  const proofs = await inclusionProofs(events.map((event) => event.seq - 1), served.size, tileNodeReader(ctx.database.db, settings.fullTiles));
  return {
    decisionId,
    checkpoint: served.note,
    events: events.map((event, i) => ({ event, proof: { leafIndex: event.seq - 1, treeSize: served.size, hashes: hex(proofs[i]!) } })),
  };
}
