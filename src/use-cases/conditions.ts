import { todayInAmsterdam } from '../domain/clock.js';
import { assertConditionFulfillable } from '../domain/conditions.js';
import { notFound } from '../domain/errors.js';
import { fulfilConditionRow } from '../db/decisions-repository.js';
import type { ServiceContext } from './context.js';
import { toCondition, toDecision, type Condition } from './decision-views.js';
import { lockedAggregate } from './decisions.js';
import { assertIndicatorsOfDecision } from './indicators.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

export interface FulfilmentInput {
  fulfilledOn: string;
  evidence: string;
  indicatorIds?: string[] | undefined;
}

export async function fulfilCondition(
  ctx: ServiceContext,
  caller: Caller,
  decisionId: string,
  conditionId: string,
  input: FulfilmentInput,
): Promise<Condition> {
  return runUnitOfWork(ctx, caller, async (uow) => {
    const aggregate = await lockedAggregate(uow.tx, decisionId);
    const current = aggregate.conditions.find((row) => row.id === conditionId);
    if (current === undefined) throw notFound('Condition', conditionId);
    const today = todayInAmsterdam(ctx.clock);
    assertConditionFulfillable(aggregate.decision.status, current, input.fulfilledOn, today);
    await assertIndicatorsOfDecision(uow.tx, decisionId, input.indicatorIds ?? []);
    const row = await fulfilConditionRow(uow.tx, conditionId, input.fulfilledOn, input.evidence, input.indicatorIds);
    const conditions = aggregate.conditions.map((c) => (c.id === conditionId ? row : c));
    const decision = toDecision({ ...aggregate, conditions }, today);
    const condition = toCondition(row, today);
    uow.emit('condition.fulfilled', { condition, decision });
    return condition;
  });
}
