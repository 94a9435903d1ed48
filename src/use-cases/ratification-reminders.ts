import { todayInAmsterdam } from '../domain/clock.js';
import { daysLeft, dueSoonUntil, reminderDayFor } from '../domain/ratification-overview.js';
import { loadAggregates } from '../db/decisions-repository.js';
import type { RatificationPosition } from '../db/pagination.js';
import { listRatificationRows, recordReminders } from '../db/ratifications-repository.js';
import type { ServiceContext } from './context.js';
import { toDecision } from './decision-views.js';
import { runUnitOfWork, SYSTEM_CALLER } from './unit-of-work.js';

const BATCH = 200;

/**
 * Raises `ratification.due_soon` for each college that has not voted on a decision whose due date
 * is at most the largest reminder day away: once per (decision, municipality, reminder day), the
 * reminder day being the smallest one at or above the days left (`reminderDayFor`). Safe with
 * several instances: the reminder rows are inserted in the transaction that records the events,
 * and their primary key lets one instance only insert each (`recordReminders`). Returns how many
 * it raised.
 */
export async function raiseRatificationReminders(ctx: ServiceContext, reminderDays: readonly number[]): Promise<number> {
  if (reminderDays.length === 0) return 0;
  const today = todayInAmsterdam(ctx.clock);
  const filter = { state: 'due_soon' as const, today, dueSoonUntil: dueSoonUntil(today, reminderDays) };
  let raised = 0;
  let after: RatificationPosition | undefined;
  for (;;) {
    const rows = await listRatificationRows(ctx.database.db, filter, after, BATCH);
    const due = rows.flatMap((row) => {
      const daysBefore = reminderDayFor(daysLeft(today, row.dueDate), reminderDays);
      return daysBefore === undefined ? [] : [{ decisionId: row.decisionId, municipalityId: row.municipalityId, daysBefore, dueDate: row.dueDate! }];
    });
    if (due.length > 0) raised += await runUnitOfWork(ctx, SYSTEM_CALLER, async (uow) => {
      const recorded = await recordReminders(uow.tx, due.map(({ decisionId, municipalityId, daysBefore }) => ({ decisionId, municipalityId, daysBefore })));
      if (recorded.length === 0) return 0;
      const decisions = new Map((await loadAggregates(uow.tx, [...new Set(recorded.map((r) => r.decisionId))])).map((a) => [a.decision.id, toDecision(a, today)]));
      let emitted = 0;
      for (const reminder of recorded) {
        const decision = decisions.get(reminder.decisionId)!;
        const dueDate = decision.ratification.dueDate;
        // A college that voted, or a decision decided, since the rows were read: marked, not reminded.
        if (decision.status !== 'pending_ratification' || dueDate === null || decision.ratification.votes.some((v) => v.municipalityId === reminder.municipalityId)) continue;
        uow.emit('ratification.due_soon', { decision, municipalityId: reminder.municipalityId, dueDate, daysLeft: daysLeft(today, dueDate)! });
        emitted += 1;
      }
      return emitted;
    });
    if (rows.length < BATCH) return raised;
    const last = rows[rows.length - 1]!;
    after = { dueDate: last.dueDate, decisionId: last.decisionId, municipalityId: last.municipalityId };
  }
}
