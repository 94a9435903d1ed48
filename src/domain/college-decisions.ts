import { allProblems, DomainError } from './errors.js';

/**
 * A college decision (collegebesluit): one municipality's college decides on one or more
 * principle decisions at once. Its votes are recorded all or none; each is checked exactly as a
 * single vote would be, dated on the college decision's day.
 */
export const MAX_COLLEGE_DECISION_VOTES = 50;

/** A college decides once per principle decision: a decision named twice is invalid input (400), naming each repeat. */
export function assertDistinctDecisions(votes: readonly { decisionId: string }[]): void {
  const seen = new Map<string, number>();
  const errors = votes.flatMap((vote, i) => {
    const first = seen.get(vote.decisionId);
    if (first === undefined) {
      seen.set(vote.decisionId, i);
      return [];
    }
    return [{ path: `/votes/${i}/decisionId`, message: `repeats the decision of /votes/${first}; a college decides once per decision` }];
  });
  if (errors.length > 0) {
    throw new DomainError('VALIDATION_FAILED', 'A college decision names each principle decision at most once.', errors);
  }
}

/**
 * The problems of a vote that cannot be recorded, answered for the whole college decision with
 * those of its other failing votes: each the same code and status a single vote would get,
 * naming the vote in `errors[].path` as `/votes/<index>/decisionId` whatever its problem (unknown
 * decision 404, state 409, municipality or date 400, already voted 409): the vote is the unit a
 * client corrects.
 */
export function voteProblem(index: number, decisionId: string, error: DomainError): DomainError {
  return allProblems(
    error.problems.map(
      (problem) =>
        new DomainError(problem.code, `Vote ${index} (decision ${decisionId}) cannot be recorded, so nothing was: ${problem.message}`, [
          { path: `/votes/${index}/decisionId`, message: problem.message },
        ]),
    ),
  );
}
