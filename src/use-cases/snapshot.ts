import { asc } from 'drizzle-orm';
import { todayInAmsterdam } from '../domain/clock.js';
import type { Decision, Organisation, Programme, StatuteRule } from '../domain/records.js';
import { organisations, programmes } from '../db/schema.js';
import { decisionPositions, loadAggregates } from '../db/decisions-repository.js';
import { readAuditHead } from '../db/audit-repository.js';
import type { KeysetPosition } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { toOrganisation } from './organisations.js';
import { toProgramme } from './programmes.js';
import { toDecision } from './decision-views.js';
import { statuteRules } from './statute-rules.js';

export interface Snapshot {
  generatedAt: string;
  auditHeadSeq: number;
  auditHeadHash: string;
  organisations: Organisation[];
  programmes: Programme[];
  decisions: Decision[];
  statuteRules: StatuteRule[];
}

/** Everything of a snapshot but its decisions, which follow in batches. */
export type SnapshotFrame = Omit<Snapshot, 'decisions'>;

/**
 * Where a snapshot goes: the frame first, then the decisions in (created_at, id) order, a batch
 * at a time. Each call may wait (a slow client): the next batch is read only once it returns.
 */
export interface SnapshotSink {
  frame(frame: SnapshotFrame): Promise<void>;
  decisions(batch: Decision[]): Promise<void>;
  /** After the last batch, still inside the transaction. */
  end(): Promise<void>;
}

const BATCH = 200;

/**
 * Everything in the register as of one moment: one REPEATABLE READ, read-only transaction sees a
 * single snapshot of the database, so the audit head it reports is exactly the last change the
 * data includes. The decisions, by far the bulk, are read in keyset batches inside that
 * transaction and handed to the sink one batch at a time, so memory stays bounded by a batch
 * whatever the size of the register (organisations, programmes and statute rules are few).
 */
export async function exportSnapshot(ctx: ServiceContext, sink: SnapshotSink): Promise<void> {
  await ctx.database.db.transaction(
    async (tx) => {
      const head = await readAuditHead(tx);
      const organisationRows = await tx.select().from(organisations).orderBy(asc(organisations.createdAt), asc(organisations.id));
      const programmeRows = await tx.select().from(programmes).orderBy(asc(programmes.createdAt), asc(programmes.id));
      const today = todayInAmsterdam(ctx.clock);
      const rules = await statuteRules(tx);
      await sink.frame({
        generatedAt: ctx.clock.now().toISOString(),
        auditHeadSeq: head.seq,
        auditHeadHash: head.hash,
        organisations: organisationRows.map(toOrganisation),
        programmes: programmeRows.map(toProgramme),
        statuteRules: rules,
      });
      let after: KeysetPosition | undefined;
      for (;;) {
        const positions = await decisionPositions(tx, after, BATCH);
        if (positions.length === 0) break;
        const aggregates = await loadAggregates(tx, positions.map((position) => position.id));
        await sink.decisions(aggregates.map((aggregate) => toDecision(aggregate, today, rules)));
        if (positions.length < BATCH) break;
        after = positions[positions.length - 1];
      }
      await sink.end();
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
