import { SYSTEM_PRINCIPAL, type Principal } from '../domain/access.js';
import { describeEvent, type EventPayloads, type EventType } from '../domain/events.js';
import type { Tx } from '../db/client.js';
import { auditEventsInsert, type AuditEntry } from '../db/audit-repository.js';
import { claimFailure, claimKeyStatements, recordResponse, type KeyClaim, type StoredResponse } from '../db/idempotency-repository.js';
import { inClosingTransaction, type ClosingStatement, type IsolationLevel, type Opening } from '../db/transaction.js';
import { currentTraceparent } from '../notifications/traceparent.js';
import type { ServiceContext } from './context.js';

/**
 * A change asked for under an Idempotency-Key: the key, the request's hash, and how the caller
 * answers the change's result. The unit of work claims the key in the change's own transaction
 * and stores the rendered answer with the change, so a retry after a lost answer gets it and a
 * retry of a change that never committed runs it. One unit of work per request carries the key.
 */
export interface IdempotentChange extends KeyClaim {
  /** The response the change's result answers (status, headers, body bytes), rendered before COMMIT. */
  render(result: unknown): StoredResponse;
}

/**
 * Who asks for a change, and under which Idempotency-Key (when the request carried one): the
 * unit of work records the key with its answer in the change's own transaction, so a retry can
 * never act twice, even when the instance or the database dies between commit and reply.
 */
export interface Caller {
  principal: Principal;
  idempotency?: IdempotentChange | null | undefined;
}

/**
 * The commit seam. A use case runs its change in a unit of work: it reads and writes through
 * `tx` and emits the events of the catalogue as they happen; at the end, in the same
 * transaction, the unit of work appends the events to the audit trail (and, for published
 * events, the webhook outbox) and the answer under the Idempotency-Key it claimed first. A
 * failed change writes none of it, its claim included. Nothing here reads request state: the caller brings what it needs.
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
    // The trace of the request that causes a published event goes with it to its deliveries
    // (tracing off or outside a request: none). Read from the tracing context, not the request.
    const traceparent = audience === undefined ? undefined : currentTraceparent();
    this.events.push({ action: type, resourceType, resourceId, data, audience, traceparent });
  }

  /**
   * The writes of what the change caused, not yet run; taken once, by `runUnitOfWork`, after the
   * use case's work: the audit events and the answer `result` gives under the caller's
   * Idempotency-Key. Nothing reads their answers, so they go out together with COMMIT.
   */
  closingStatements(result: unknown): ClosingStatement[] {
    const audit = auditEventsInsert(this.tx, this.actor, this.events);
    const claim = this.caller.idempotency;
    return [...(audit ? [audit] : []), ...(claim ? [recordResponse(this.tx, claim.apiKeyId, claim.key, claim.render(result))] : [])];
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
  const claim = caller.idempotency;
  const opening: Opening | undefined = claim
    ? { statements: (tx) => claimKeyStatements(tx, claim), failure: (error) => claimFailure(claim, error) }
    : undefined;
  return inClosingTransaction(
    ctx.database,
    async (tx) => {
      const uow = new UnitOfWork(tx, caller);
      const result = await work(uow);
      return { result, closing: uow.closingStatements(result) };
    },
    isolationLevel,
    opening,
  );
}

/** Background jobs, start-up and the demo seed act as the system, never under an Idempotency-Key. */
export const SYSTEM_CALLER: Caller = { principal: SYSTEM_PRINCIPAL };
