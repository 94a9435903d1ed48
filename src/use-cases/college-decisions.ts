import { actingMunicipality, assertActsFor } from '../domain/access.js';
import { FIRST_CALENDAR_DATE } from '../domain/clock.js';
import { assertDistinctDecisions, voteProblem } from '../domain/college-decisions.js';
import { toDocumentRefs, type DocumentInput } from '../domain/documents.js';
import { DomainError, notFound, Problems } from '../domain/errors.js';
import type { CollegeDecision, Decision, Vote } from '../domain/records.js';
import type { VoteOutcome } from '../domain/ratification.js';
import {
  findCollegeDecision,
  insertCollegeDecision,
  listCollegeDecisions,
  type CollegeDecisionAggregate,
} from '../db/college-decisions-repository.js';
import { lockDecisionsInIdOrder } from '../db/decisions-repository.js';
import { findOrganisation } from '../db/organisations-repository.js';
import { mapConstraintViolation } from '../db/errors.js';
import { decodeCursor, toPage, type Page } from '../db/pagination.js';
import type { ServiceContext } from './context.js';
import { toVote } from './decision-views.js';
import { runUnitOfWork, type Caller } from './unit-of-work.js';
import { checkVote, recordVote } from './votes.js';

export type { CollegeDecision } from '../domain/records.js';

export interface CollegeDecisionInput {
  municipalityId: string;
  decidedOn: string;
  reference: string;
  documents?: DocumentInput[] | undefined;
  votes: { decisionId: string; outcome: VoteOutcome; note?: string | null | undefined }[];
}

export function toCollegeDecision({ collegeDecision, votes }: CollegeDecisionAggregate): CollegeDecision {
  return {
    id: collegeDecision.id,
    municipalityId: collegeDecision.municipalityId,
    decidedOn: collegeDecision.decidedOn,
    reference: collegeDecision.reference,
    documents: collegeDecision.documents,
    votes: votes.map(toVote),
    createdAt: collegeDecision.createdAt.toISOString(),
  };
}

/**
 * Records a college decision and all of its votes, or nothing. Each vote goes through
 * `recordVote`, the path of a single vote, so it is checked exactly as one (404, 409 not pending,
 * 400 municipality, 400 date, 409 already voted), dated on the college decision's day and under
 * its reference; the first vote in array order that fails answers for the whole college decision,
 * named in `errors[].path`, and the transaction rolls back.
 *
 * Concurrency: every decision named is locked up front, in id order, before any vote is checked.
 * Two college decisions therefore take their locks in the same order and cannot deadlock; a
 * single vote locks one decision only and so cannot close a cycle either. Each vote is decided
 * under its decision's lock against the votes committed before, as a single vote is, and the
 * unique index on (decision, municipality) backs the one-vote rule: a vote that raced in first
 * makes this college decision fail as a whole, never half-recorded.
 */
export async function recordCollegeDecision(
  ctx: ServiceContext,
  caller: Caller,
  request: Omit<CollegeDecisionInput, 'municipalityId'> & { municipalityId?: string | undefined },
): Promise<CollegeDecision> {
  // A college key may leave out its own municipality.
  const input: CollegeDecisionInput = { ...request, municipalityId: actingMunicipality(caller.principal, request.municipalityId, '/municipalityId') };
  assertActsFor(caller.principal, input.municipalityId);
  // Every problem is answered at once: those of the body, then each failing vote's, in array order.
  const problems = new Problems();
  problems.check(() => assertDistinctDecisions(input.votes));
  if (input.decidedOn < FIRST_CALENDAR_DATE) {
    problems.add(new DomainError('VALIDATION_FAILED', 'decidedOn is not a date.', [{ path: '/decidedOn', message: 'is not a date: there is no year 0000' }]));
  }
  const documents = problems.check(() => toDocumentRefs(input.documents ?? [])) ?? [];
  return runUnitOfWork(ctx, caller, async (uow) => {
    const { tx } = uow;
    await lockDecisionsInIdOrder(tx, input.votes.map((vote) => vote.decisionId));
    // A municipality that does not exist is required by no decision, so its first vote fails
    // exactly as a single vote would (404, 409, or 400 not required); the row is never written.
    const municipality = await findOrganisation(tx, input.municipalityId);
    const row =
      municipality === undefined || problems.any
        ? undefined
        : await insertCollegeDecision(tx, {
            municipalityId: input.municipalityId,
            decidedOn: input.decidedOn,
            reference: input.reference,
            documents,
          }).catch(mapConstraintViolation);
    const votes: Vote[] = [];
    const decisions: Decision[] = [];
    for (const [index, vote] of input.votes.entries()) {
      const single = { municipalityId: input.municipalityId, outcome: vote.outcome, decidedOn: input.decidedOn, reference: input.reference, note: vote.note };
      const asProblem = (error: unknown) => {
        if (!(error instanceof DomainError)) throw error;
        problems.add(voteProblem(index, vote.decisionId, error));
      };
      // Once a problem is found nothing is recorded: the remaining votes are only checked.
      if (row === undefined || problems.any) {
        await checkVote(ctx, uow, vote.decisionId, single).catch(asProblem);
        continue;
      }
      const recorded = await recordVote(ctx, uow, vote.decisionId, single, { id: row.id, position: index }).catch(asProblem);
      if (recorded === undefined) continue;
      votes.push(recorded.vote);
      decisions.push(recorded.decision);
    }
    problems.throwIfAny();
    if (row === undefined) throw new Error('a vote of a municipality that does not exist was recorded');
    const collegeDecision = { ...toCollegeDecision({ collegeDecision: row, votes: [] }), votes };
    uow.emit('college_decision.recorded', { collegeDecision, decisions });
    return collegeDecision;
  });
}

export async function getCollegeDecision(ctx: ServiceContext, id: string): Promise<CollegeDecision> {
  const aggregate = await findCollegeDecision(ctx.database.db, id);
  if (aggregate === undefined) throw notFound('College decision', id);
  return toCollegeDecision(aggregate);
}

export async function listCollegeDecisionsPage(
  ctx: ServiceContext,
  filter: { municipalityId?: string | undefined },
  cursor: string | undefined,
  limit: number,
): Promise<Page<CollegeDecision>> {
  const rows = await listCollegeDecisions(ctx.database.db, filter, decodeCursor(cursor), limit);
  return toPage(rows, limit, toCollegeDecision);
}
