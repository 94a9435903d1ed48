import { todayInAmsterdam } from '../domain/clock.js';
import { assertConditionFulfillable } from '../domain/conditions.js';
import { assertTransition } from '../domain/decision-lifecycle.js';
import { toDocumentRefs, type DocumentInput } from '../domain/documents.js';
import { notFound, Problems } from '../domain/errors.js';
import { appendCondition, fulfilConditionRow } from '../db/decisions-repository.js';
import type { ServiceContext } from './context.js';
import { toCondition, toDecision, type Condition } from './decision-views.js';
import { lockAndLoadAggregate } from '../db/decisions-repository.js';
import { assertIndicatorsOfDecision } from './indicators.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export interface FulfilmentInput {
  fulfilledOn: string;
  evidence: string;
  indicatorIds?: string[] | undefined;
  /** The documents that show the condition is met (the criteria memo, a report). */
  documents?: DocumentInput[] | undefined;
}

export async function fulfilCondition(
  ctx: ServiceContext,
  caller: Caller,
  decisionId: string,
  conditionId: string,
  input: FulfilmentInput,
): Promise<Condition> {
  const documents = toDocumentRefs(input.documents ?? []);
  return runUnitOfWork(ctx, caller, async (uow) => {
    const aggregate = await lockAndLoadAggregate(uow.tx, decisionId);
    const current = aggregate.conditions.find((row) => row.id === conditionId);
    if (current === undefined) throw notFound('Condition', conditionId);
    const today = todayInAmsterdam(ctx.clock);
    // A state that allows no fulfilment answers alone; the other problems are answered together.
    assertTransition(aggregate.decision.status, 'fulfilCondition');
    const problems = new Problems();
    problems.check(() => assertConditionFulfillable(aggregate.decision.status, current, input.fulfilledOn, today, aggregate.decision.boardMeetingDate));
    await problems.checkAsync(() => assertIndicatorsOfDecision(uow.tx, decisionId, input.indicatorIds ?? []));
    problems.throwIfAny();
    const row = await fulfilConditionRow(uow.tx, conditionId, input.fulfilledOn, input.evidence, { documents, indicatorIds: input.indicatorIds ?? [] });
    const conditions = aggregate.conditions.map((c) => (c.id === conditionId ? row : c));
    const decision = toDecision({ ...aggregate, conditions }, today);
    const condition = toCondition(row, today);
    uow.emit('condition.fulfilled', { condition, decision });
    return condition;
  });
}

export interface NewConditionInput {
  description: string;
  dueDate: string;
  blocksDisbursement?: boolean | undefined;
  reference?: string | null | undefined;
}

/**
 * A condition set after adoption (while the decision awaits the colleges or binds), for example
 * one that monitoring brought up. With `blocksDisbursement` no money of the decision is paid
 * until it is fulfilled. The decision's row lock orders it with payments: a payment either
 * committed before the condition existed or sees it.
 */
export async function addCondition(ctx: ServiceContext, caller: Caller, decisionId: string, input: NewConditionInput): Promise<Condition> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const aggregate = await lockAndLoadAggregate(uow.tx, decisionId);
    assertTransition(aggregate.decision.status, 'addCondition');
    const row = await appendCondition(uow.tx, decisionId, {
      description: input.description,
      dueDate: input.dueDate,
      blocksDisbursement: input.blocksDisbursement ?? false,
      reference: input.reference ?? null,
    });
    const today = todayInAmsterdam(ctx.clock);
    const decision = toDecision({ ...aggregate, conditions: [...aggregate.conditions, row] }, today);
    const condition = toCondition(row, today);
    uow.emit('condition.added', { condition, decision });
    return condition;
  });
}
