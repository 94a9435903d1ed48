import type { Principal } from '../domain/access.js';
import { todayInAmsterdam } from '../domain/clock.js';
import { assertConditionFulfillable } from '../domain/conditions.js';
import type { DecisionStatus } from '../domain/decision-lifecycle.js';
import { notFound } from '../domain/errors.js';
import { appendAuditEvents } from '../audit/trail.js';
import { findConditionRow, findDecisionRow, fulfilConditionRow } from '../db/decisions-repository.js';
import { inTransaction } from '../db/transaction.js';
import type { ServiceContext } from './context.js';
import { toCondition, type Condition } from './decision-views.js';

export interface FulfilmentInput {
  fulfilledOn: string;
  evidence: string;
}

export async function fulfilCondition(
  ctx: ServiceContext,
  actor: Principal,
  decisionId: string,
  conditionId: string,
  input: FulfilmentInput,
): Promise<Condition> {
  return inTransaction(ctx.database, async (tx) => {
    const decision = await findDecisionRow(tx, decisionId, true);
    if (decision === undefined) throw notFound('Decision', decisionId);
    const condition = await findConditionRow(tx, decisionId, conditionId);
    if (condition === undefined) throw notFound('Condition', conditionId);
    const today = todayInAmsterdam(ctx.clock);
    assertConditionFulfillable(decision.status as DecisionStatus, condition, input.fulfilledOn, today);
    const fulfilled = toCondition(await fulfilConditionRow(tx, conditionId, input.fulfilledOn, input.evidence), today);
    await appendAuditEvents(tx, actor, [
      { action: 'condition.fulfilled', resourceType: 'decision', resourceId: decisionId, data: { condition: fulfilled } },
    ]);
    return fulfilled;
  });
}
