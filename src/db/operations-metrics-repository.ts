import { sql } from 'drizzle-orm';
import { queryRows, type Executor } from './client.js';
import { auditCheckpoints, auditHead, decisions, webhookAttempts, webhookDeliveries } from './schema.js';

/**
 * What the operators' gauges show, read in one statement per scrape (never per request). Every
 * part is an index scan or a one-row read: pending deliveries through their partial index,
 * decisions by status through `decisions_status_created_idx`, overdue ratifications through
 * `decisions_ratification_due_idx`, failed attempts through `webhook_attempts_failed_idx`.
 */
export interface OperationsSnapshot {
  webhookDeliveriesPending: number;
  /** Age of the oldest pending delivery; 0 when none is pending. */
  webhookOldestPendingSeconds: number;
  /** Failed delivery attempts ever recorded (see webhookDeliveryFailures in the metrics). */
  webhookDeliveryFailures: number;
  auditHeadSeq: number;
  /** The latest signed checkpoint, undefined before the first one. */
  checkpoint: { seq: number; ageSeconds: number } | undefined;
  decisionsByStatus: Record<string, number>;
  /** Decisions awaiting ratification after their due date (`dueDate < today`, as the deadline job counts). */
  ratificationsOverdue: number;
}

/**
 * The latest signed checkpoint of the audit trail. The one place that names where checkpoints
 * are kept: when the transparency log's checkpoints replace `audit_checkpoints`, this subquery
 * (its `seq` and `issued_at`) is what changes.
 */
const LATEST_CHECKPOINT = sql`(select ${auditCheckpoints.seq} as seq, ${auditCheckpoints.issuedAt} as issued_at
   from ${auditCheckpoints} order by ${auditCheckpoints.seq} desc limit 1)`;

interface SnapshotRow {
  pending: string | number;
  oldest_pending_s: string | number | null;
  failures: string | number;
  head_seq: string | number | null;
  checkpoint_seq: string | number | null;
  checkpoint_age_s: string | number | null;
  overdue: string | number;
  by_status: Record<string, number> | string | null;
}

export async function readOperationsSnapshot(ex: Executor, today: string): Promise<OperationsSnapshot> {
  const [row] = await queryRows<SnapshotRow>(
    ex,
    sql`select
      (select count(*) from ${webhookDeliveries} where ${webhookDeliveries.state} = 'pending') as pending,
      (select extract(epoch from now() - min(${webhookDeliveries.createdAt}))
         from ${webhookDeliveries} where ${webhookDeliveries.state} = 'pending') as oldest_pending_s,
      (select count(*) from ${webhookAttempts} where ${webhookAttempts.error} is not null) as failures,
      (select ${auditHead.seq} from ${auditHead} where ${auditHead.id} = 1) as head_seq,
      c.seq as checkpoint_seq,
      extract(epoch from now() - c.issued_at) as checkpoint_age_s,
      (select count(*) from ${decisions}
        where ${decisions.status} = 'pending_ratification' and ${decisions.ratificationDueDate} < ${today}) as overdue,
      (select json_object_agg(s.status, s.n) from
         (select ${decisions.status} as status, count(*) as n from ${decisions} group by ${decisions.status}) s) as by_status
    from (select 1) one left join ${LATEST_CHECKPOINT} c on true`,
  );
  if (row === undefined) throw new Error('the operations snapshot returned no row');
  const byStatus = typeof row.by_status === 'string' ? (JSON.parse(row.by_status) as Record<string, number>) : (row.by_status ?? {});
  return {
    webhookDeliveriesPending: Number(row.pending),
    webhookOldestPendingSeconds: Math.max(0, Number(row.oldest_pending_s ?? 0)),
    webhookDeliveryFailures: Number(row.failures),
    auditHeadSeq: Number(row.head_seq ?? 0),
    checkpoint:
      row.checkpoint_seq === null ? undefined : { seq: Number(row.checkpoint_seq), ageSeconds: Math.max(0, Number(row.checkpoint_age_s)) },
    decisionsByStatus: Object.fromEntries(Object.entries(byStatus).map(([status, n]) => [status, Number(n)])),
    ratificationsOverdue: Number(row.overdue),
  };
}
