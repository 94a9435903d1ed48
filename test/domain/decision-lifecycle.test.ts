import t from 'tap';
import { DomainError } from '../../src/domain/errors.js';
import {
  DECISION_ACTIONS,
  DECISION_STATUSES,
  DECISION_TRANSITIONS,
  assertTransition,
  isActionAllowed,
  isBinding,
  type DecisionAction,
  type DecisionStatus,
} from '../../src/domain/decision-lifecycle.js';
import { attempt, type Attempt } from '../helpers/attempt.js';

/**
 * The expected lifecycle, written out by hand from the contract (never derived from
 * DECISION_TRANSITIONS): for every state, for every action, may it happen?
 */
const ALL_STATES: DecisionStatus[] = [
  'draft',
  'pending_ratification',
  'adopted',
  'ratified',
  'rejected',
  'withdrawn',
  'superseded',
  'settled',
];
const ALL_ACTIONS: DecisionAction[] = [
  'edit',
  'adopt',
  'withdraw',
  'vote',
  'fulfilCondition',
  'addCondition',
  'addDocument',
  'amend',
  'supersede',
  'settle',
  'disburse',
  'defineIndicator',
  'reportIndicator',
];

/**
 * Rows are states, columns the actions in the order of ALL_ACTIONS; x: allowed. Settled is
 * terminal for everything but payments and documents; documents may be added in any state but
 * withdrawn; only a binding (adopted or ratified) decision is amended, superseded or settled.
 * Indicators are defined from the draft until the decision ends, reported from adoption.
 */
const MATRIX: Record<DecisionStatus, string> = {
  //                    edit adopt withdraw vote fulfil addCond addDoc amend supersede settle disburse defineInd reportInd
  draft: '                x    x     x        .    .      .       x      .     .         .      .        x         .',
  pending_ratification: ' .    .     x        x    x      x       x      .     .         .      .        x         x',
  adopted: '              .    .     .        .    x      x       x      x     x         x      x        x         x',
  ratified: '             .    .     .        .    x      x       x      x     x         x      x        x         x',
  rejected: '             .    .     .        .    .      .       x      .     .         .      .        .         .',
  withdrawn: '            .    .     .        .    .      .       .      .     .         .      .        .         .',
  superseded: '           .    .     .        .    .      .       x      .     .         .      .        .         .',
  settled: '              .    .     .        .    .      .       x      .     .         .      x        .         .',
};

const EXPECTED_ALLOWED = Object.fromEntries(
  ALL_STATES.map((state) => {
    const marks = MATRIX[state].trim().split(/\s+/);
    return [state, Object.fromEntries(ALL_ACTIONS.map((action, i) => [action, marks[i] === 'x']))];
  }),
) as Record<DecisionStatus, Record<DecisionAction, boolean>>;

const transitionRefused = (): Attempt => ({ threw: 'DomainError', code: 'DECISION_TRANSITION_NOT_ALLOWED', status: 409 });

t.test('the lifecycle knows exactly the eight states and thirteen actions of the contract', async (t) => {
  t.same([...DECISION_STATUSES], ALL_STATES);
  t.same([...DECISION_ACTIONS], ALL_ACTIONS);
});

t.test('the expected table covers all 104 state x action cells', async (t) => {
  for (const state of ALL_STATES) t.equal(MATRIX[state].trim().split(/\s+/).length, ALL_ACTIONS.length, `one mark per action for ${state}`);
  const cells = ALL_STATES.flatMap((state) => ALL_ACTIONS.map((action) => EXPECTED_ALLOWED[state][action]));
  t.equal(cells.length, 104);
  t.equal(cells.filter((allowed) => allowed).length, 34, 'thirty-four cells are allowed');
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
    ['adopted', 'supersede', 'superseded'],
    ['ratified', 'supersede', 'superseded'],
    ['adopted', 'settle', 'settled'],
    ['ratified', 'settle', 'settled'],
    ['settled', 'disburse', 'settled'],
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

t.test('only adopted, ratified and settled decisions bind the foundation', async (t) => {
  const expected: Record<DecisionStatus, boolean> = {
    draft: false,
    pending_ratification: false,
    adopted: true,
    ratified: true,
    rejected: false,
    withdrawn: false,
    superseded: false,
    settled: true,
  };
  for (const state of ALL_STATES) t.equal(isBinding(state), expected[state], `isBinding(${state})`);
});

t.test('rejected, withdrawn, superseded and settled change state no more; settled still takes payments', async (t) => {
  const changesState = (state: DecisionStatus) =>
    ALL_ACTIONS.some((action) => (DECISION_TRANSITIONS[state][action] ?? []).some((to) => to !== state));
  t.same(ALL_STATES.filter((state) => !changesState(state)), ['rejected', 'withdrawn', 'superseded', 'settled']);
});
