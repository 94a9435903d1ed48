import { asc } from 'drizzle-orm';
import { todayInAmsterdam } from '../domain/clock.js';
import type { Decision, Organisation, Programme, StatuteRule } from '../domain/records.js';
import { decisions, organisations, programmes } from '../db/schema.js';
import { loadAggregates } from '../db/decisions-repository.js';
import { readAuditHead } from '../db/audit-repository.js';
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

/**
 * Everything in the register as of one moment: one REPEATABLE READ, read-only transaction sees a
 * single snapshot of the database, so the audit head it reports is exactly the last change the
 * data includes.
 */
export async function exportSnapshot(ctx: ServiceContext): Promise<Snapshot> {
  return ctx.database.db.transaction(
    async (tx) => {
      const head = await readAuditHead(tx);
      const organisationRows = await tx.select().from(organisations).orderBy(asc(organisations.createdAt), asc(organisations.id));
      const programmeRows = await tx.select().from(programmes).orderBy(asc(programmes.createdAt), asc(programmes.id));
      const decisionRows = await tx.select().from(decisions).orderBy(asc(decisions.createdAt), asc(decisions.id));
      const today = todayInAmsterdam(ctx.clock);
      const rules = await statuteRules(tx);
      const whole: Decision[] = [];
      for (let i = 0; i < decisionRows.length; i += 500) {
        const aggregates = await loadAggregates(tx, decisionRows.slice(i, i + 500).map((row) => row.id));
        for (const aggregate of aggregates) whole.push(toDecision(aggregate, today, rules));
      }
      return {
        generatedAt: ctx.clock.now().toISOString(),
        auditHeadSeq: head.seq,
        auditHeadHash: head.hash,
        organisations: organisationRows.map(toOrganisation),
        programmes: programmeRows.map(toProgramme),
        decisions: whole,
        statuteRules: rules,
      };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );
}
