import { todayInAmsterdam } from '../domain/clock.js';
import { decideDisbursement } from '../domain/disbursements.js';
import { DomainError, notFound } from '../domain/errors.js';
import { describeCents } from '../domain/money.js';
import { bindingSince } from '../domain/ratification.js';
import type { Disbursement } from '../domain/records.js';
import { findLineage } from '../db/amendments-repository.js';
import { findDecisionRow } from '../db/decisions-repository.js';
import {
  insertPayment,
  listDisbursementRows,
  listDisbursementRowsOf,
  lockAndLoadPaymentFacts,
  type DisbursementFilter,
  type DisbursementRow,
} from '../db/disbursements-repository.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { toDecision } from './decision-views.js';
import { toStatuteRule } from './statute-rules.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export type { Disbursement } from '../domain/records.js';

export interface DisbursementInput {
  commitmentId: string;
  amountCents: number;
  paidOn: string;
  reference: string;
}

export function toDisbursement(row: DisbursementRow): Disbursement {
  return {
    id: row.id,
    decisionId: row.decisionId,
    commitmentId: row.commitmentId,
    amountCents: row.amountCents,
    paidOn: row.paidOn,
    reference: row.reference,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * Records a payment on a commitment of a binding decision. Why this holds under any concurrency,
 * across instances: the decision's row is locked (`SELECT ... FOR UPDATE`, the funnel of every
 * change to a decision) before its commitments, conditions and amendments are read, so payments
 * on one decision are decided one after another against what the previous one committed; so are
 * the changes that move the ceiling (settlement sets final amounts, an amendment's adoption and
 * binding, a new blocking condition), which lock the same row. The update of `disbursed_cents`
 * is conditional on staying within the ceiling, and the CHECK constraint
 * `commitments_disbursed_within_amount` stops any write that would pay more than committed,
 * should anything ever bypass this path.
 */
export async function recordDisbursement(ctx: ServiceContext, caller: Caller, decisionId: string, input: DisbursementInput): Promise<Disbursement> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    const { aggregate, statuteRules, pendingAmendment } = await lockAndLoadPaymentFacts(tx, decisionId);
    const today = todayInAmsterdam(ctx.clock);
    const before = toDecision(aggregate, today, statuteRules.map(toStatuteRule));
    const commitment = decideDisbursement(
      { status: before.status, bindingSince: bindingSince(before), today, commitments: before.commitments, conditions: aggregate.conditions, pendingAmendment },
      input,
    );
    // A refused update (`paid` undefined) fails the payment, and the rollback takes its row too.
    const { commitment: paid, disbursement: row } = await insertPayment(tx, commitment.id, { decisionId, ...input });
    if (paid === undefined) {
      throw new DomainError('DISBURSEMENT_EXCEEDS_COMMITMENT', `The payment of ${describeCents(input.amountCents)} would exceed the commitment.`);
    }
    const decision = toDecision({ ...aggregate, commitments: aggregate.commitments.map((c) => (c.id === paid.id ? paid : c)) }, today);
    const disbursement = toDisbursement(row);
    uow.emit('disbursement.recorded', { disbursement, decision });
    return disbursement;
  });
}

/** The payments of a decision's lineage: its own and those under the decisions it amends (which its `disbursedCents` include). */
export async function listDecisionDisbursementsPage(
  ctx: ServiceContext,
  decisionId: string,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Disbursement>> {
  const ex = ctx.database.db;
  const after = decodeCursor(cursor);
  if ((await findDecisionRow(ex, decisionId)) === undefined) throw notFound('Decision', decisionId);
  const rows = await listDisbursementRowsOf(ex, await findLineage(ex, decisionId), after, limit);
  return toPage(rows, limit, toDisbursement);
}

export async function listDisbursementsPage(
  ctx: ServiceContext,
  filter: DisbursementFilter,
  cursor: string | undefined,
  limit: number,
): Promise<Page<Disbursement>> {
  const rows = await listDisbursementRows(ctx.database.db, filter, decodeCursor(cursor), limit);
  return toPage(rows, limit, toDisbursement);
}
