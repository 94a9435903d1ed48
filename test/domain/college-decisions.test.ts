import t from 'tap';
import { assertDistinctDecisions, voteProblem } from '../../src/domain/college-decisions.js';
import { DomainError } from '../../src/domain/errors.js';

t.test('assertDistinctDecisions names every repeat of a decision, not its first mention', async (t) => {
  t.doesNotThrow(() => assertDistinctDecisions([{ decisionId: 'a' }, { decisionId: 'b' }]));
  try {
    assertDistinctDecisions([{ decisionId: 'a' }, { decisionId: 'b' }, { decisionId: 'a' }, { decisionId: 'b' }, { decisionId: 'a' }]);
    t.fail('a repeat was accepted');
  } catch (error) {
    t.ok(error instanceof DomainError && error.status === 400);
    t.same((error as DomainError).errors?.map((e) => e.path), ['/votes/2/decisionId', '/votes/3/decisionId', '/votes/4/decisionId']);
  }
});

t.test('voteProblem keeps the code and status of the vote\'s problem and names the vote', async (t) => {
  const cases: DomainError[] = [
    new DomainError('RESOURCE_NOT_FOUND', 'Decision x does not exist.'),
    new DomainError('DECISION_TRANSITION_NOT_ALLOWED', "A decision in status 'draft' cannot be voted on."),
    new DomainError('VOTE_MUNICIPALITY_NOT_REQUIRED', 'Municipality m is not asked to ratify this decision.', [{ path: '/municipalityId', message: 'not required' }]),
    new DomainError('VOTE_DATE_OUT_OF_RANGE', 'decidedOn must lie between ...', [{ path: '/decidedOn', message: 'out of range' }]),
    new DomainError('VOTE_ALREADY_CAST', 'This municipality has already voted on this decision; votes are final.'),
  ];
  for (const error of cases) {
    const mapped = voteProblem(3, 'd-3', error);
    t.equal(mapped.code, error.code, error.code);
    t.equal(mapped.status, error.status);
    t.same(mapped.errors?.map((e) => e.path), ['/votes/3/decisionId']);
    t.match(mapped.message, /^Vote 3 \(decision d-3\) cannot be recorded, so nothing was: /);
  }
});
