import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * The hash chain of the audit trail, as the contract defines it:
 * hash = hex(SHA-256(prevHash + JCS(event without prevHash and hash))), JCS being RFC 8785.
 * Pure: used by the service when appending, by `verify`, and by the offline verifier.
 */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditActor {
  keyId: string | null;
  role: string;
  organisationId: string | null;
}

export interface AuditEvent {
  seq: number;
  occurredAt: string;
  actor: AuditActor;
  action: string;
  resourceType: string;
  resourceId: string;
  data: unknown;
  prevHash: string;
  hash: string;
}

export type UnhashedEvent = Omit<AuditEvent, 'prevHash' | 'hash'>;

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new Error('value cannot be canonicalized');
  return text;
}

export function eventHash(prevHash: string, event: UnhashedEvent): string {
  const body: UnhashedEvent = {
    seq: event.seq,
    occurredAt: event.occurredAt,
    actor: event.actor,
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId,
    data: event.data,
  };
  return createHash('sha256').update(prevHash).update(canonicalJson(body)).digest('hex');
}

/**
 * The RFC 8785 form of an event, split around the two values that are only known when its
 * transaction commits: `head + occurredAt + tail + seq + '}'` equals `canonicalJson` of the
 * event. This relies on JCS ordering the members by name (action, actor, data, occurredAt,
 * resourceId, resourceType, seq), on `occurredAt` being an RFC 3339 string that needs no
 * escaping, and on `seq` being a positive integer; the database does the rest (migration 0006).
 */
export function canonicalParts(event: Omit<UnhashedEvent, 'seq' | 'occurredAt'>): { head: string; tail: string } {
  return {
    head:
      `{"action":${canonicalJson(event.action)},"actor":${canonicalJson(event.actor)},` +
      `"data":${canonicalJson(event.data)},"occurredAt":"`,
    tail: `","resourceId":${canonicalJson(event.resourceId)},"resourceType":${canonicalJson(event.resourceType)},"seq":`,
  };
}

export interface ChainVerdict {
  valid: boolean;
  count: number;
  headHash: string;
  firstInvalidSeq: number | null;
}

/**
 * Incremental verifier: feed events in order, read the verdict at the end. Keeps only the
 * previous hash and seq, so it runs in constant memory over any number of events.
 */
export class ChainVerifier {
  private count = 0;
  private expectedSeq: number;
  private prevHash: string;
  private firstInvalidSeq: number | null = null;

  /**
   * From the start of the trail, or, for an incremental export, from the head it continues: the
   * last `seq` and `hash` of the previous export (its first event must then be seq + 1 linking to hash).
   */
  constructor(after: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = after.seq + 1;
    this.prevHash = after.hash;
  }

  add(event: AuditEvent): void {
    this.count++;
    if (this.firstInvalidSeq !== null) return;
    const recomputed = eventHash(event.prevHash, event);
    if (event.seq !== this.expectedSeq || event.prevHash !== this.prevHash || recomputed !== event.hash) {
      // A missing or inserted row shows as a seq or link mismatch at the first affected event.
      this.firstInvalidSeq = Number.isSafeInteger(event.seq) ? Math.min(event.seq, this.expectedSeq) : this.expectedSeq;
      return;
    }
    this.prevHash = event.hash;
    this.expectedSeq++;
  }

  verdict(expectedHead?: { seq: number; hash: string }): ChainVerdict {
    let firstInvalidSeq = this.firstInvalidSeq;
    if (firstInvalidSeq === null && expectedHead !== undefined) {
      // Rows deleted from or appended to the end leave a valid-looking chain: compare with the head.
      const lastSeq = this.expectedSeq - 1;
      if (lastSeq > expectedHead.seq) firstInvalidSeq = expectedHead.seq + 1;
      else if (lastSeq < expectedHead.seq) firstInvalidSeq = lastSeq + 1;
      else if (expectedHead.hash !== this.prevHash) firstInvalidSeq = lastSeq;
    }
    return {
      valid: firstInvalidSeq === null,
      count: this.count,
      headHash: this.prevHash,
      firstInvalidSeq,
    };
  }
}
