import type { Principal } from '../domain/access.js';
import { todayInAmsterdam } from '../domain/clock.js';
import type { DecisionStatus } from '../domain/decision-lifecycle.js';
import { notFound } from '../domain/errors.js';
import { decideVote, type VoteOutcome } from '../domain/ratification.js';
import { appendAuditEvents, type AuditEntry } from '../audit/trail.js';
import { findDecisionRow, insertVote, listVoteRows, loadAggregate, lockDecisionWithProgrammes, updateDecision } from '../db/decisions-repository.js';
import { inTransaction } from '../db/transaction.js';
import { mapConstraintViolation } from '../db/errors.js';
import type { ServiceContext } from './context.js';
import { toDecision, toVote, type Vote } from './decision-views.js';

export interface VoteInput {
  municipalityId: string;
  outcome: VoteOutcome;
  decidedOn: string;
  reference?: string | null | undefined;
  note?: string | null | undefined;
}

/**
 * Records a college's vote. The decision row is locked (`SELECT ... FOR UPDATE`) before the
 * votes are read, so concurrent votes on one decision - from any number of service instances -
 * are decided one after the other against the votes already committed. The vote and the state
 * change it causes commit together. The unique index on (decision, municipality) backs the
 * one-vote rule should anything bypass this path.
 */
export async function castVote(ctx: ServiceContext, actor: Principal, decisionId: string, input: VoteInput): Promise<Vote> {
  return inTransaction(ctx.database, async (tx) => {
    const locked = await lockDecisionWithProgrammes(tx, decisionId);
    if (locked === undefined) throw notFound('Decision', decisionId);
    const { decision } = locked;
    const existing = await listVoteRows(tx, decisionId);
    const next = decideVote(
      {
        status: decision.status as DecisionStatus,
        boardMeetingDate: decision.boardMeetingDate,
        requiredMunicipalityIds: decision.requiredMunicipalityIds,
        votes: existing.map((vote) => ({ municipalityId: vote.municipalityId, outcome: vote.outcome as VoteOutcome })),
      },
      input,
      todayInAmsterdam(ctx.clock),
    );
    const row = await insertVote(tx, {
      decisionId,
      municipalityId: input.municipalityId,
      outcome: input.outcome,
      decidedOn: input.decidedOn,
      reference: input.reference ?? null,
      note: input.note ?? null,
    }).catch(mapConstraintViolation);
    const vote = toVote(row);
    const outboxTargets = { programmeIds: locked.programmeIds, municipalityIds: decision.requiredMunicipalityIds };
    const events: AuditEntry[] = [{ action: 'vote.cast', resourceType: 'decision', resourceId: decisionId, data: { vote }, outboxTargets }];
    if (next !== decision.status) {
      await updateDecision(tx, decisionId, { status: next });
      const aggregate = await loadAggregate(tx, decisionId);
      events.push({
        action: next === 'ratified' ? 'decision.ratified' : 'decision.rejected',
        resourceType: 'decision',
        resourceId: decisionId,
        data: { decision: toDecision(aggregate!, todayInAmsterdam(ctx.clock)) },
        outboxTargets,
      });
    }
    await appendAuditEvents(tx, actor, events);
    return vote;
  });
}

export async function listVotes(ctx: ServiceContext, decisionId: string): Promise<Vote[]> {
  const decision = await findDecisionRow(ctx.database.db, decisionId);
  if (decision === undefined) throw notFound('Decision', decisionId);
  return (await listVoteRows(ctx.database.db, decisionId)).map(toVote);
}
