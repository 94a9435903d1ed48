import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import {
  DECISION_ACTIONS,
  DECISION_STATUSES,
  TERMINAL_STATUSES,
  assertTransition,
  isActionAllowed,
  isBinding,
  isPending,
  type DecisionAction,
  type DecisionStatus,
} from '../../src/domain/decision-lifecycle.js';

/**
 * The expected lifecycle, written out by hand from the contract (never derived from
 * DECISION_TRANSITIONS): for every state, for every action, may it happen?
 */
const EXPECTED_ALLOWED: Record<DecisionStatus, Record<DecisionAction, boolean>> = {
  draft: { edit: true, adopt: true, withdraw: true, vote: false, fulfilCondition: false },
  pending_ratification: { edit: false, adopt: false, withdraw: true, vote: true, fulfilCondition: true },
  adopted: { edit: false, adopt: false, withdraw: false, vote: false, fulfilCondition: true },
  ratified: { edit: false, adopt: false, withdraw: false, vote: false, fulfilCondition: true },
  rejected: { edit: false, adopt: false, withdraw: false, vote: false, fulfilCondition: false },
  withdrawn: { edit: false, adopt: false, withdraw: false, vote: false, fulfilCondition: false },
};

const ALL_STATES: DecisionStatus[] = ['draft', 'pending_ratification', 'adopted', 'ratified', 'rejected', 'withdrawn'];
const ALL_ACTIONS: DecisionAction[] = ['edit', 'adopt', 'withdraw', 'vote', 'fulfilCondition'];

type Attempt =
  | { returned: unknown }
  | { threw: 'DomainError'; code: string; status: number }
  | { threw: 'Error'; message: string };

/** Runs `fn` and describes what happened as plain data, so a test can compare it to a literal. */
function attempt(fn: () => unknown): Attempt {
  try {
    return { returned: fn() };
  } catch (error) {
    if (error instanceof DomainError) return { threw: 'DomainError', code: error.code, status: error.status };
    if (error instanceof Error) return { threw: 'Error', message: error.message };
    throw error;
  }
}

const transitionRefused = (): Attempt => ({ threw: 'DomainError', code: 'DECISION_TRANSITION_NOT_ALLOWED', status: 409 });

t.test('the lifecycle knows exactly the six states and five actions of the contract', async (t) => {
  t.same([...DECISION_STATUSES], ALL_STATES);
  t.same([...DECISION_ACTIONS], ALL_ACTIONS);
});

t.test('the expected table covers all 30 state x action cells', async (t) => {
  const cells = ALL_STATES.flatMap((state) => ALL_ACTIONS.map((action) => EXPECTED_ALLOWED[state][action]));
  t.equal(cells.length, 30);
  t.equal(cells.filter((allowed) => allowed).length, 8, 'eight cells are allowed');
});

for (const state of ALL_STATES) {
  for (const action of ALL_ACTIONS) {
    const allowed = EXPECTED_ALLOWED[state][action];
    const sentence = allowed
      ? `allows a decision in '${state}' to be acted on with '${action}'`
      : `refuses '${action}' on a decision in '${state}' with 409 DECISION_TRANSITION_NOT_ALLOWED`;
    t.test(sentence, async (t) => {
      t.equal(isActionAllowed(state, action), allowed, 'isActionAllowed');
      t.same(
        attempt(() => assertTransition(state, action)),
        allowed ? { returned: undefined } : transitionRefused(),
        'assertTransition',
      );
    });
  }
}

t.test('a refused transition carries the catalogue title and names the state in its detail', async (t) => {
  let caught: unknown;
  try {
    assertTransition('withdrawn', 'adopt');
  } catch (error) {
    caught = error;
  }
  t.ok(caught instanceof DomainError, 'is a DomainError');
  if (!(caught instanceof DomainError)) return;
  t.equal(caught.code, 'DECISION_TRANSITION_NOT_ALLOWED');
  t.equal(caught.status, 409);
  t.equal(caught.title, "Action not allowed in the decision's current state");
  t.match(caught.message, /withdrawn/);
});

t.test('assertTransition accepts exactly the contract target states when the caller names one', async (t) => {
  const cases: Array<[DecisionStatus, DecisionAction, DecisionStatus]> = [
    ['draft', 'edit', 'draft'],
    ['draft', 'adopt', 'adopted'],
    ['draft', 'adopt', 'pending_ratification'],
    ['draft', 'withdraw', 'withdrawn'],
    ['pending_ratification', 'vote', 'pending_ratification'],
    ['pending_ratification', 'vote', 'ratified'],
    ['pending_ratification', 'vote', 'rejected'],
    ['pending_ratification', 'withdraw', 'withdrawn'],
    ['pending_ratification', 'fulfilCondition', 'pending_ratification'],
    ['adopted', 'fulfilCondition', 'adopted'],
    ['ratified', 'fulfilCondition', 'ratified'],
  ];
  for (const [from, action, to] of cases) {
    t.same(attempt(() => assertTransition(from, action, to)), { returned: undefined }, `${from} --${action}--> ${to}`);
  }
});

t.test('assertTransition treats a target state outside the table as a programming error, not a 409', async (t) => {
  const cases: Array<[DecisionStatus, DecisionAction, DecisionStatus]> = [
    ['draft', 'adopt', 'ratified'],
    ['draft', 'edit', 'adopted'],
    ['pending_ratification', 'vote', 'withdrawn'],
    ['pending_ratification', 'vote', 'adopted'],
    ['adopted', 'fulfilCondition', 'ratified'],
  ];
  for (const [from, action, to] of cases) {
    const outcome = attempt(() => assertTransition(from, action, to));
    t.match(outcome, { threw: 'Error', message: /Transition table violated/ }, `${from} --${action}--> ${to}`);
  }
});

t.test('a forbidden action stays a 409 even when the caller names a plausible target', async (t) => {
  t.same(attempt(() => assertTransition('adopted', 'withdraw', 'withdrawn')), transitionRefused());
  t.same(attempt(() => assertTransition('ratified', 'vote', 'ratified')), transitionRefused());
});

t.test('only adopted and ratified decisions bind the foundation', async (t) => {
  const expected: Record<DecisionStatus, boolean> = {
    draft: false,
    pending_ratification: false,
    adopted: true,
    ratified: true,
    rejected: false,
    withdrawn: false,
  };
  for (const state of ALL_STATES) t.equal(isBinding(state), expected[state], `isBinding(${state})`);
});

t.test('only a decision awaiting ratification is pending', async (t) => {
  const expected: Record<DecisionStatus, boolean> = {
    draft: false,
    pending_ratification: true,
    adopted: false,
    ratified: false,
    rejected: false,
    withdrawn: false,
  };
  for (const state of ALL_STATES) t.equal(isPending(state), expected[state], `isPending(${state})`);
});

t.test('ratified, rejected and withdrawn are the terminal states', async (t) => {
  t.same([...TERMINAL_STATUSES].sort(), ['ratified', 'rejected', 'withdrawn']);
});
