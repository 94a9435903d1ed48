import { todayInAmsterdam } from '../domain/clock.js';
import { loadAggregates } from '../db/decisions-repository.js';
import { lockRatificationsOverdue, markRatificationOverdueNotified } from '../db/ratification-deadlines-repository.js';
import type { ServiceContext } from './context.js';
import { toDecision } from './decision-views.js';
import { runUnitOfWork, SYSTEM_CALLER } from './unit-of-work.js';

/**
 * Raises `ratification.overdue` once for each decision still awaiting ratification after its due
 * date (votes after it still count). Safe with several instances: the decisions are locked with
 * SKIP LOCKED and flagged in the same transaction that records the events, so an instance never
 * raises what another is raising or has raised.
 */
export async function raiseOverdueRatifications(ctx: ServiceContext, limit = 100): Promise<number> {
  const today = todayInAmsterdam(ctx.clock);
  return runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
    const ids = await lockRatificationsOverdue(uow.tx, today, limit);
    if (ids.length === 0) return 0;
    await markRatificationOverdueNotified(uow.tx, ids);
    for (const aggregate of await loadAggregates(uow.tx, ids)) {
      uow.emit('ratification.overdue', { decision: toDecision(aggregate, today) });
    }
    return ids.length;
  });
}
