import { todayInAmsterdam } from '../domain/clock.js';
import { conditionStatus } from '../domain/conditions.js';
import { statusesAllowing } from '../domain/decision-lifecycle.js';
import { loadAggregates, lockConditionsDueBefore, markOverdueNotified } from '../db/decisions-repository.js';
import type { ServiceContext } from './context.js';
import { toCondition, toDecision } from './decision-views.js';
import { runUnitOfWork, SYSTEM_CALLER } from './unit-of-work.js';

/**
 * Raises `condition.overdue` once for each overdue condition of a decision whose conditions can
 * still be fulfilled. Safe with several instances: the conditions and their decisions are
 * locked with SKIP LOCKED and flagged in the same transaction that records the events, so an
 * instance never raises what another is raising or has raised.
 */
export async function raiseOverdueConditions(ctx: ServiceContext, limit = 100): Promise<number> {
  const today = todayInAmsterdam(ctx.clock);
  return runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
    const candidates = await lockConditionsDueBefore(uow.tx, today, statusesAllowing('fulfilCondition'), limit);
    const overdue = candidates.filter((row) => conditionStatus(row, today) === 'overdue');
    if (overdue.length === 0) return 0;
    await markOverdueNotified(uow.tx, overdue.map((row) => row.id));
    const decisionIds = [...new Set(overdue.map((row) => row.decisionId))];
    const aggregates = new Map((await loadAggregates(uow.tx, decisionIds)).map((a) => [a.decision.id, a]));
    for (const row of overdue) {
      const decision = toDecision(aggregates.get(row.decisionId)!, today);
      uow.emit('condition.overdue', { condition: toCondition(row, today), decision });
    }
    return overdue.length;
  });
}
