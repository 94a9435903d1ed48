import { actingMunicipality, assertActsFor } from '../domain/access.js';
import { todayInAmsterdam } from '../domain/clock.js';
import { notFound } from '../domain/errors.js';
import { decideVote, type VoteOutcome } from '../domain/ratification.js';
import { findDecisionRow, insertVoteWithStatus, listVoteRows } from '../db/decisions-repository.js';
import type { ServiceContext } from './context.js';
import { announceAmendment, bindAmendment } from './amendment-binding.js';
import { toDecision, toVote, type Decision, type Vote } from './decision-views.js';
import { lockAndLoadAggregate } from '../db/decisions-repository.js';
import { runUnitOfWork, type Caller, type UnitOfWork } from './unit-of-work.js';

export interface VoteInput {
  municipalityId: string;
  outcome: VoteOutcome;
  decidedOn: string;
  reference?: string | null | undefined;
  note?: string | null | undefined;
}

/** A vote as a request states it: a college key may leave out its own municipality. */
export type VoteRequest = Omit<VoteInput, 'municipalityId'> & { municipalityId?: string | undefined };

/**
 * Records a college's vote. The decision row is locked (`SELECT ... FOR UPDATE`) before the
 * votes are read, so concurrent votes on one decision - from any number of service instances -
 * are decided one after the other against the votes already committed. The vote and the state
 * change it causes commit together. The unique index on (decision, municipality) backs the
 * one-vote rule should anything bypass this path.
 */
export async function castVote(ctx: ServiceContext, caller: Caller, decisionId: string, request: VoteRequest): Promise<Vote> {
  const input: VoteInput = { ...request, municipalityId: actingMunicipality(caller.principal, request.municipalityId, '/municipalityId') };
  assertActsFor(caller.principal, input.municipalityId);
  return runUnitOfWork(ctx, caller, async (uow) => (await recordVote(ctx, uow, decisionId, input, null)).vote);
}

/**
 * One vote inside the caller's unit of work, checked in the contract's order after the
 * authorisation check (404, 409 not pending, 400 municipality, 400 date, 409 already voted):
 * the vote, the state change it causes, and their events (`vote.cast`, then
 * `decision.ratified` or `decision.rejected`). A college decision records several in one.
 */
export async function recordVote(
  ctx: ServiceContext,
  uow: UnitOfWork,
  decisionId: string,
  input: VoteInput,
  collegeDecision: { id: string; position: number } | null,
): Promise<{ vote: Vote; decision: Decision }> {
  const { aggregate, today, next } = await checkVote(ctx, uow, decisionId, input);
  const current = aggregate.decision;
  const { vote: row, decision: settled } = await insertVoteWithStatus(
    uow.tx,
    {
      decisionId,
      municipalityId: input.municipalityId,
      outcome: input.outcome,
      decidedOn: input.decidedOn,
      reference: input.reference ?? null,
      note: input.note ?? null,
      collegeDecisionId: collegeDecision?.id ?? null,
      collegeDecisionPosition: collegeDecision?.position ?? null,
    },
    current,
    next,
  );
  const voted = toDecision({ ...aggregate, decision: settled, votes: [...aggregate.votes, row] }, today);
  // A ratified amendment binds: the decision it amends is superseded in this same transaction.
  const bound = await bindAmendment(ctx, uow, voted);
  const decision = bound?.amendment ?? voted;
  const vote = toVote(row);
  uow.emit('vote.cast', { vote, decision });
  if (next === 'ratified') uow.emit('decision.ratified', { decision });
  if (next === 'rejected') uow.emit('decision.rejected', { decision });
  announceAmendment(uow, bound);
  return { vote, decision };
}

/**
 * Checks a vote without recording it: the decision locked and read, and `decideVote`'s verdict
 * (or its problems, thrown). A college decision checks its remaining votes this way once one of
 * its votes has failed, so that it answers every failing vote and writes nothing.
 */
export async function checkVote(ctx: ServiceContext, uow: UnitOfWork, decisionId: string, input: VoteInput) {
  const aggregate = await lockAndLoadAggregate(uow.tx, decisionId);
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
  return { aggregate, today, next };
}

export async function listVotes(ctx: ServiceContext, decisionId: string): Promise<Vote[]> {
  const decision = await findDecisionRow(ctx.database.db, decisionId);
  if (decision === undefined) throw notFound('Decision', decisionId);
  return (await listVoteRows(ctx.database.db, decisionId)).map(toVote);
}
