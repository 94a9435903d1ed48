import { todayInAmsterdam } from '../domain/clock.js';
import { raisesConditionOverdue } from '../domain/conditions.js';
import { isBinding, statusesAllowing } from '../domain/decision-lifecycle.js';
import { loadAggregates, lockConditionsDueBefore, markOverdueNotified } from '../db/decisions-repository.js';
import type { ServiceContext } from './context.js';
import { toCondition, toDecision } from './decision-views.js';
import { runUnitOfWork, SYSTEM_CALLER } from './unit-of-work.js';

/**
 * Raises `condition.overdue` once for each overdue condition (`raisesConditionOverdue`) of a
 * binding decision whose conditions can still be fulfilled. Safe with several instances: the conditions and their decisions are
 * locked with SKIP LOCKED and flagged in the same transaction that records the events, so an
 * instance never raises what another is raising or has raised.
 */
export async function raiseOverdueConditions(ctx: ServiceContext, limit = 100): Promise<number> {
  const today = todayInAmsterdam(ctx.clock);
  return runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
    const statuses = statusesAllowing('fulfilCondition').filter(isBinding);
    const candidates = await lockConditionsDueBefore(uow.tx, today, statuses, limit);
    if (candidates.length === 0) return 0;
    const decisionIds = [...new Set(candidates.map((row) => row.decisionId))];
    const aggregates = new Map((await loadAggregates(uow.tx, decisionIds)).map((a) => [a.decision.id, a]));
    const overdue = candidates.filter((row) => raisesConditionOverdue(row, aggregates.get(row.decisionId)!.decision.status, today));
    if (overdue.length === 0) return 0;
    await markOverdueNotified(uow.tx, overdue.map((row) => row.id));
    for (const row of overdue) {
      const decision = toDecision(aggregates.get(row.decisionId)!, today);
      uow.emit('condition.overdue', { condition: toCondition(row, today), decision });
    }
    return overdue.length;
  });
}
