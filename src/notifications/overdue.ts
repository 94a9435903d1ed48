import { sql } from 'drizzle-orm';
import { SYSTEM_PRINCIPAL } from '../domain/access.js';
import { todayInAmsterdam } from '../domain/clock.js';
import { appendAuditEvents } from '../audit/trail.js';
import { queryRows } from '../db/client.js';
import { inTransaction } from '../db/transaction.js';
import type { ServiceContext } from '../use-cases/context.js';
import { toCondition } from '../use-cases/decision-views.js';

interface OverdueRow {
  id: string;
  decision_id: string;
  description: string;
  due_date: string;
  position: number;
}

/**
 * Raises `condition.overdue` once for each open condition of a live decision whose due date has
 * passed (Europe/Amsterdam). Safe with several instances: the condition and its decision are
 * locked with SKIP LOCKED and flagged in the same transaction that records the event.
 */
export async function raiseOverdueConditions(ctx: ServiceContext, limit = 100): Promise<number> {
  const today = todayInAmsterdam(ctx.clock);
  return inTransaction(ctx.database, async (tx) => {
    const due = await queryRows<OverdueRow>(tx, sql`
      select c.id, c.decision_id, c.description, to_char(c.due_date, 'YYYY-MM-DD') as due_date, c.position
        from decision_conditions c
        join decisions d on d.id = c.decision_id
       where c.fulfilled_on is null
         and c.overdue_notified_at is null
         and c.due_date < ${today}::date
         and d.status in ('pending_ratification', 'adopted', 'ratified')
       order by c.decision_id, c.position
       limit ${limit}
         for update of c, d skip locked`);
    if (due.length === 0) return 0;
    const ids = sql.join(due.map((row) => sql`${row.id}::uuid`), sql`, `);
    await tx.execute(sql`update decision_conditions set overdue_notified_at = now() where id in (${ids})`);
    await appendAuditEvents(
      tx,
      SYSTEM_PRINCIPAL,
      due.map((row) => ({
        action: 'condition.overdue',
        resourceType: 'decision',
        resourceId: row.decision_id,
        data: {
          condition: toCondition(
            { id: row.id, decisionId: row.decision_id, position: row.position, description: row.description, dueDate: row.due_date, fulfilledOn: null, evidence: null, overdueNotifiedAt: null },
            today,
          ),
        },
      })),
    );
    return due.length;
  });
}
