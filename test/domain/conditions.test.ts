import t from 'tap';
import type { DecisionStatus } from '../../src/domain/decision-lifecycle.js';
import { assertConditionFulfillable, conditionStatus, isFulfilledLate, raisesConditionOverdue, type ConditionState } from '../../src/domain/conditions.js';
import { attempt, refused, OK, type Attempt } from '../helpers/attempt.js';

const TODAY = '2026-02-15';
const BOARD_MEETING = '2025-11-19';

function openCondition(overrides: Partial<ConditionState> = {}): ConditionState {
  return { dueDate: '2026-03-31', fulfilledOn: null, ...overrides };
}

// ---------------------------------------------------------------------------------------------
// conditionStatus
// ---------------------------------------------------------------------------------------------

t.test('an open condition that was due yesterday is overdue', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-02-14' }), TODAY), 'overdue');
});

t.test('an open condition that is due today is still open', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-02-15' }), TODAY), 'open');
});

t.test('an open condition that is due tomorrow is open', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-02-16' }), TODAY), 'open');
});

t.test('a fulfilled condition whose due date has long passed is fulfilled, not overdue', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2025-06-30', fulfilledOn: '2025-09-01' }), TODAY), 'fulfilled');
});

t.test('a fulfilled condition not yet due is fulfilled', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2026-12-31', fulfilledOn: '2026-02-01' }), TODAY), 'fulfilled');
});

t.test('a condition due on new year\'s eve is overdue on new year\'s day', async (t) => {
  t.equal(conditionStatus(openCondition({ dueDate: '2025-12-31' }), '2026-01-01'), 'overdue');
  t.equal(conditionStatus(openCondition({ dueDate: '2025-12-31' }), '2025-12-31'), 'open');
});

// ---------------------------------------------------------------------------------------------
// assertConditionFulfillable
// ---------------------------------------------------------------------------------------------

const FULFILLABLE_IN: Record<DecisionStatus, boolean> = {
  draft: false,
  pending_ratification: true,
  adopted: true,
  ratified: true,
  rejected: false,
  withdrawn: false,
  superseded: false,
  settled: false,
};

for (const [state, allowed] of Object.entries(FULFILLABLE_IN) as Array<[DecisionStatus, boolean]>) {
  const sentence = allowed
    ? `lets an open condition of a '${state}' decision be fulfilled`
    : `refuses to fulfil a condition of a '${state}' decision with 409 DECISION_TRANSITION_NOT_ALLOWED`;
  t.test(sentence, async (t) => {
    t.same(
      attempt(() => assertConditionFulfillable(state, openCondition(), '2026-02-10', TODAY, BOARD_MEETING)),
      allowed ? OK : refused('DECISION_TRANSITION_NOT_ALLOWED', 409),
    );
  });
}

for (const state of ['pending_ratification', 'adopted', 'ratified'] as const) {
  t.test(`refuses to fulfil an already fulfilled condition of a '${state}' decision with 409 CONDITION_NOT_FULFILLABLE`, async (t) => {
    t.same(
      attempt(() => assertConditionFulfillable(state, openCondition({ fulfilledOn: '2026-02-01' }), '2026-02-10', TODAY, BOARD_MEETING)),
      refused('CONDITION_NOT_FULFILLABLE', 409),
    );
  });
}

t.test('refuses a fulfilment dated after today with 400 CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', async (t) => {
  t.same(
    attempt(() => assertConditionFulfillable('adopted', openCondition(), '2026-02-16', TODAY, BOARD_MEETING)),
    refused('CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', 400),
  );
  try {
    assertConditionFulfillable('adopted', openCondition(), '2026-02-16', TODAY, BOARD_MEETING);
  } catch (error) {
    t.match(error, { errors: [{ path: '/fulfilledOn' }] }, 'points at /fulfilledOn');
  }
});

t.test('refuses a fulfilment dated before the board meeting with 400, accepts one on the board meeting day', async (t) => {
  const cases: [string, Attempt][] = [
    ['2025-11-18', refused('CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', 400)],
    ['2025-11-19', OK],
    ['2025-11-20', OK],
  ];
  for (const [fulfilledOn, expected] of cases) {
    t.same(attempt(() => assertConditionFulfillable('adopted', openCondition(), fulfilledOn, TODAY, BOARD_MEETING)), expected, fulfilledOn);
  }
  try {
    assertConditionFulfillable('adopted', openCondition(), '2025-11-18', TODAY, BOARD_MEETING);
  } catch (error) {
    t.match(error, { errors: [{ path: '/fulfilledOn', message: /2025-11-19/ }] }, 'points at /fulfilledOn and names the board meeting');
  }
});

t.test('isFulfilledLate: fulfilled after the due date; not on it, not before, and never while open', async (t) => {
  t.equal(isFulfilledLate({ dueDate: '2026-02-15', fulfilledOn: '2026-02-16' }), true);
  t.equal(isFulfilledLate({ dueDate: '2026-02-15', fulfilledOn: '2026-02-15' }), false);
  t.equal(isFulfilledLate({ dueDate: '2026-02-15', fulfilledOn: '2026-02-01' }), false);
  t.equal(isFulfilledLate({ dueDate: '2026-01-01', fulfilledOn: null }), false);
});

t.test('accepts a fulfilment dated today', async (t) => {
  t.same(attempt(() => assertConditionFulfillable('adopted', openCondition(), TODAY, TODAY, BOARD_MEETING)), OK);
});

t.test('accepts a fulfilment of an overdue condition, dated in the past', async (t) => {
  t.same(attempt(() => assertConditionFulfillable('ratified', openCondition({ dueDate: '2026-01-01' }), '2025-12-01', TODAY, BOARD_MEETING)), OK);
});

t.test('a fulfilment on a withdrawn decision of an already fulfilled condition is a transition error', async (t) => {
  t.same(
    attempt(() => assertConditionFulfillable('withdrawn', openCondition({ fulfilledOn: '2026-02-01' }), '2026-02-10', TODAY, BOARD_MEETING)),
    refused('DECISION_TRANSITION_NOT_ALLOWED', 409),
  );
});

// raisesConditionOverdue
t.test('condition.overdue: only an open condition past its due date, only of a decision that binds', async (t) => {
  const cases: [string, ConditionState, Parameters<typeof raisesConditionOverdue>[1], boolean][] = [
    ['open and past due, adopted', openCondition({ dueDate: '2026-02-14' }), 'adopted', true],
    ['open and past due, ratified', openCondition({ dueDate: '2026-02-14' }), 'ratified', true],
    ['due today is not overdue', openCondition({ dueDate: '2026-02-15' }), 'adopted', false],
    ['fulfilled on its due date, recorded later', { dueDate: '2026-02-10', fulfilledOn: '2026-02-10' }, 'adopted', false],
    ['fulfilled before its due date', { dueDate: '2026-02-10', fulfilledOn: '2026-02-01' }, 'ratified', false],
    ['fulfilled late is fulfilled, not overdue', { dueDate: '2026-02-10', fulfilledOn: '2026-02-12' }, 'adopted', false],
    ['awaiting the colleges does not bind', openCondition({ dueDate: '2026-02-14' }), 'pending_ratification', false],
    ['a draft does not bind', openCondition({ dueDate: '2026-02-14' }), 'draft', false],
    ['a withdrawn decision does not bind', openCondition({ dueDate: '2026-02-14' }), 'withdrawn', false],
    ['a rejected decision does not bind', openCondition({ dueDate: '2026-02-14' }), 'rejected', false],
  ];
  for (const [name, condition, status, expected] of cases) t.equal(raisesConditionOverdue(condition, status, TODAY), expected, name);
});
