import { carryOver } from '../domain/amendments.js';
import { todayInAmsterdam } from '../domain/clock.js';
import { assertTransition, isBinding } from '../domain/decision-lifecycle.js';
import { transactionTime } from '../db/transaction.js';
import { setDisbursedCents } from '../db/amendments-repository.js';
import { loadAggregate, lockAndLoadAggregate, updateDecision, type DecisionAggregate } from '../db/decisions-repository.js';
import type { ServiceContext } from './context.js';
import { toDecision, type Decision } from './decision-views.js';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * What adoption and ratification do for an amendment (wijzigingsbesluit), kept apart from them so
 * that each gets it through one call. Lock order: the amendment's row first (adoption and votes
 * lock it), then the amended decision's; no path locks them the other way round. Payments,
 * settlement and new amendments of the amended decision lock its row too, so they serialise
 * with an amendment's adoption and binding.
 */

/**
 * Before an amendment is adopted: the decision it amends (`amended`, locked by the adoption's
 * read, `lockAdoptionsAndLoadFacts`) must still bind (not settled, not superseded); what was paid
 * under it must fit into the amendment's commitments of the same programme and year (409
 * AMOUNT_BELOW_DISBURSED otherwise). Returns the facts adoption needs: the amended decision's
 * total, against which the increase rule of ratification compares. Nothing for a decision that
 * amends none (`amended` undefined).
 */
export function amendmentAdoptionFacts(amended: DecisionAggregate | undefined, amendment: DecisionAggregate): { amendedTotalCents?: number } {
  if (amended === undefined) return {};
  assertTransition(amended.decision.status, 'supersede');
  carryOver(amended.commitments, amendment.commitments);
  return { amendedTotalCents: amended.decision.totalAmountCents };
}

export interface BoundAmendment {
  amendment: Decision;
  superseded: Decision;
}

/**
 * When an amendment binds (adopted at once, or ratified by the last vote), in the same
 * transaction: the decision it amends becomes `superseded` and what was paid under it is carried
 * over onto the amendment's commitments of the same programme and year. Returns both decisions
 * as they are after the change, or undefined when `decision` is no amendment or does not bind.
 * The amended decision is locked here (or was, by adoption's `lockAdoptionsAndLoadFacts`, in this transaction);
 * while an amendment awaits the colleges, payments under the amended decision are held to what
 * the amendment leaves room for, so the carry-over still fits when the last college approves.
 */
export async function bindAmendment(ctx: ServiceContext, uow: UnitOfWork, decision: Decision): Promise<BoundAmendment | undefined> {
  if (decision.amends === null || !isBinding(decision.status)) return undefined;
  const { tx } = uow;
  const amended = await lockAndLoadAggregate(tx, decision.amends);
  assertTransition(amended.decision.status, 'supersede', 'superseded');
  await setDisbursedCents(tx, carryOver(amended.commitments, decision.commitments));
  const supersededRow = await updateDecision(tx, amended.decision.id, { status: 'superseded', supersededAt: transactionTime() });
  const today = todayInAmsterdam(ctx.clock);
  return {
    amendment: toDecision((await loadAggregate(tx, decision.id))!, today),
    superseded: toDecision({ ...amended, decision: supersededRow }, today),
  };
}

/** The events of an amendment that bound: `decision.amended` on it, `decision.superseded` on the decision it replaced. */
export function announceAmendment(uow: UnitOfWork, bound: BoundAmendment | undefined): void {
  if (bound === undefined) return;
  uow.emit('decision.amended', { decision: bound.amendment });
  uow.emit('decision.superseded', { decision: bound.superseded, supersededBy: bound.amendment.id });
}
