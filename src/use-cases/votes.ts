import { assertActsFor } from '../domain/access.js';
import { todayInAmsterdam } from '../domain/clock.js';
import { notFound } from '../domain/errors.js';
import { decideVote, type VoteOutcome } from '../domain/ratification.js';
import { findDecisionRow, insertVote, listVoteRows, updateDecision } from '../db/decisions-repository.js';
import { mapConstraintViolation } from '../db/errors.js';
import type { ServiceContext } from './context.js';
import { toDecision, toVote, type Vote } from './decision-views.js';
import { lockedAggregate } from './decisions.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';

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
export async function castVote(ctx: ServiceContext, caller: Caller, decisionId: string, input: VoteInput): Promise<Vote> {
  assertActsFor(caller.principal, input.municipalityId);
  return runUnitOfWork(ctx, caller, async (uow) => {
    const aggregate = await lockedAggregate(uow.tx, decisionId);
    const current = aggregate.decision;
    const today = todayInAmsterdam(ctx.clock);
    const next = decideVote(
      {
        status: current.status,
        boardMeetingDate: current.boardMeetingDate,
        requiredMunicipalityIds: current.requiredMunicipalityIds,
        votes: aggregate.votes,
      },
      input,
      today,
    );
    const row = await insertVote(uow.tx, {
      decisionId,
      municipalityId: input.municipalityId,
      outcome: input.outcome,
      decidedOn: input.decidedOn,
      reference: input.reference ?? null,
      note: input.note ?? null,
    }).catch(mapConstraintViolation);
    const settled = next === current.status ? current : await updateDecision(uow.tx, decisionId, { status: next });
    const decision = toDecision({ ...aggregate, decision: settled, votes: [...aggregate.votes, row] }, today);
    const vote = toVote(row);
    uow.emit('vote.cast', { vote, decision });
    if (next === 'ratified') uow.emit('decision.ratified', { decision });
    if (next === 'rejected') uow.emit('decision.rejected', { decision });
    return vote;
  });
}

export async function listVotes(ctx: ServiceContext, decisionId: string): Promise<Vote[]> {
  const decision = await findDecisionRow(ctx.database.db, decisionId);
  if (decision === undefined) throw notFound('Decision', decisionId);
  return (await listVoteRows(ctx.database.db, decisionId)).map(toVote);
}
