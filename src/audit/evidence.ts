import { eventHash, type AuditEvent } from './chain.js';
import { openLogCheckpoint, type CheckpointPolicy } from './log-checkpoint.js';
import { leafHash, verifyInclusion } from './merkle.js';

/**
 * Checks a decision's evidence (GET /decisions/{id}/evidence) with keys alone: the checkpoint is
 * signed by the log and cosigned by a quorum of the witnesses; every event is about the
 * decision, its chain hash is the hash of its content, and its inclusion proof leads from that
 * hash to the checkpoint's root. Pure: the offline verifier and the tests share it. The first
 * failure is named; nothing after it is trusted.
 */
export type EvidenceVerdict = { ok: true; lines: string[] } | { ok: false; failure: string; lines: string[] };

interface EvidenceEntry {
  event: AuditEvent;
  proof: { leafIndex: number; treeSize: number; hashes: string[] };
}

const HEX32 = /^[0-9a-f]{64}$/;

function shapeProblem(evidence: unknown): string | undefined {
  const e = evidence as { decisionId?: unknown; checkpoint?: unknown; events?: unknown };
  if (typeof e !== 'object' || e === null) return 'the file is not a JSON object';
  if (typeof e.decisionId !== 'string') return 'decisionId is missing';
  if (typeof e.checkpoint !== 'string') return 'checkpoint is missing';
  if (!Array.isArray(e.events)) return 'events is missing';
  for (const [i, entry] of (e.events as EvidenceEntry[]).entries()) {
    const { event, proof } = entry ?? ({} as EvidenceEntry);
    if (typeof event !== 'object' || event === null || !Number.isSafeInteger(event.seq) || typeof event.hash !== 'string' || typeof event.prevHash !== 'string') {
      return `events[${i}] has no event with seq, prevHash and hash`;
    }
    if (typeof proof !== 'object' || proof === null || !Number.isSafeInteger(proof.leafIndex) || !Number.isSafeInteger(proof.treeSize) || !Array.isArray(proof.hashes)) {
      return `events[${i}] has no proof with leafIndex, treeSize and hashes`;
    }
    if (!proof.hashes.every((hash) => typeof hash === 'string' && HEX32.test(hash))) return `events[${i}]: a proof hash is not 64 lower-case hex digits`;
  }
  return undefined;
}

export function verifyEvidence(evidence: unknown, policy: CheckpointPolicy): EvidenceVerdict {
  const lines: string[] = [];
  const fail = (failure: string): EvidenceVerdict => ({ ok: false, failure, lines });
  const shape = shapeProblem(evidence);
  if (shape !== undefined) return fail(`malformed evidence: ${shape}`);
  const { decisionId, checkpoint, events } = evidence as { decisionId: string; checkpoint: string; events: EvidenceEntry[] };

  const opened = openLogCheckpoint(checkpoint, policy);
  if (!opened.ok) return fail(`checkpoint: ${opened.reason}`);
  const { size, root } = opened.checkpoint;
  const cosigners = opened.cosignedBy.map((c) => c.name).join(', ') || 'no witness';
  lines.push(`checkpoint: ${opened.checkpoint.origin}, size ${size}, root ${root.toString('hex')}; signed by the log; cosigned by ${cosigners} (quorum ${policy.quorum})`);

  let previous: AuditEvent | undefined;
  for (const { event, proof } of events) {
    const where = `event seq ${event.seq}`;
    if (event.resourceType !== 'decision' || event.resourceId !== decisionId) return fail(`${where} is not about decision ${decisionId}`);
    if (previous !== undefined && event.seq <= previous.seq) return fail(`${where} comes after seq ${previous.seq}: the events are not in seq order`);
    if (eventHash(event.prevHash, event) !== event.hash) return fail(`${where}: its hash does not match its content (the event was changed)`);
    if (previous !== undefined && event.seq === previous.seq + 1 && event.prevHash !== previous.hash) return fail(`${where} does not link to seq ${previous.seq}`);
    if (proof.treeSize !== size) return fail(`${where}: its proof is for tree size ${proof.treeSize}, the checkpoint's is ${size}`);
    if (proof.leafIndex !== event.seq - 1) return fail(`${where}: its proof is for leaf ${proof.leafIndex}, not ${event.seq - 1}`);
    const verdict = verifyInclusion(proof.leafIndex, size, leafHash(Buffer.from(event.hash, 'hex')), proof.hashes.map((hash) => Buffer.from(hash, 'hex')), root);
    if (!verdict.ok) return fail(`${where}: the inclusion proof does not verify: ${verdict.reason}`);
    previous = event;
  }
  lines.push(`events: ${events.length} about decision ${decisionId}, each with its chain hash and its inclusion proof in the checkpoint`);
  return { ok: true, lines };
}
