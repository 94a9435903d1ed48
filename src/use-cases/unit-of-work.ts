import { SYSTEM_PRINCIPAL, type Principal } from '../domain/access.js';
import { describeEvent, type EventPayloads, type EventType } from '../domain/events.js';
import type { Tx } from '../db/client.js';
import { auditEventsInsert, type AuditEntry } from '../db/audit-repository.js';
import { markCommitted } from '../db/idempotency-repository.js';
import { inClosingTransaction, type ClosingStatement, type IsolationLevel } from '../db/transaction.js';
import type { ServiceContext } from './context.js';

/**
 * Who asks for a change, and under which Idempotency-Key (when the request carried one): the
 * unit of work records in the change's own transaction that the key's change committed, so a
 * retry can never act twice, even when the instance dies between commit and reply.
 */
export interface Caller {
  principal: Principal;
  idempotency?: { apiKeyId: string; key: string } | null | undefined;
}

/**
 * The commit seam. A use case runs its change in a unit of work: it reads and writes through
 * `tx` and emits the events of the catalogue as they happen; at the end, in the same
 * transaction, the unit of work appends the events to the audit trail (and, for published
 * events, the webhook outbox) and marks the Idempotency-Key committed. A failed change writes
 * none of it. Nothing here reads request state: the caller brings what it needs.
 */
export class UnitOfWork {
  private readonly events: AuditEntry[] = [];

  constructor(
    readonly tx: Tx,
    readonly caller: Caller,
  ) {}

  get actor(): Principal {
    return this.caller.principal;
  }

  emit<K extends EventType>(type: K, data: EventPayloads[K]): void {
    const { resourceType, resourceId, audience } = describeEvent({ type, data });
    this.events.push({ action: type, resourceType, resourceId, data, audience });
  }

  /**
   * The writes of what the change caused, not yet run; taken once, by `runUnitOfWork`, after the
   * use case's work. Nothing reads their answers, so they go out together with COMMIT.
   */
  closingStatements(): ClosingStatement[] {
    const audit = auditEventsInsert(this.tx, this.actor, this.events);
    const claim = this.caller.idempotency;
    return [...(audit ? [audit] : []), ...(claim ? [markCommitted(this.tx, claim.apiKeyId, claim.key)] : [])];
  }
}

/**
 * Runs `work` in one transaction with a fresh unit of work per attempt (serialization failures
 * and deadlocks are retried, and a retried attempt starts with no events).
 */
export async function runUnitOfWork<T>(
  ctx: ServiceContext,
  caller: Caller,
  work: (uow: UnitOfWork) => Promise<T>,
  isolationLevel?: IsolationLevel,
): Promise<T> {
  return inClosingTransaction(
    ctx.database,
    async (tx) => {
      const uow = new UnitOfWork(tx, caller);
      const result = await work(uow);
      return { result, closing: uow.closingStatements() };
    },
    isolationLevel,
  );
}

/** Background jobs, start-up and the demo seed act as the system, never under an Idempotency-Key. */
export const SYSTEM_CALLER: Caller = { principal: SYSTEM_PRINCIPAL };
