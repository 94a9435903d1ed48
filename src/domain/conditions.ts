import { DomainError, Problems } from './errors.js';
import { assertTransition, isBinding, type DecisionStatus } from './decision-lifecycle.js';

export const CONDITION_STATUSES = ['open', 'fulfilled', 'overdue'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

export interface ConditionState {
  dueDate: string;
  fulfilledOn: string | null;
}

/** `overdue` is derived, never stored: an open condition whose due date lies before today. */
export function conditionStatus(condition: ConditionState, today: string): ConditionStatus {
  if (condition.fulfilledOn !== null) return 'fulfilled';
  return condition.dueDate < today ? 'overdue' : 'open';
}

/**
 * Whether a condition is overdue for its decision's `condition.overdue`: only while it is still
 * open after its due date (one fulfilled on or before that day never was, also when the
 * fulfilment is recorded later), and only when its decision binds (a decision that awaits the
 * colleges asks nothing of anyone yet).
 */
export function raisesConditionOverdue(condition: ConditionState, decisionStatus: DecisionStatus, today: string): boolean {
  return isBinding(decisionStatus) && conditionStatus(condition, today) === 'overdue';
}

/** A condition fulfilled after its due date was fulfilled late (an open one is not late yet: it is overdue). */
export function isFulfilledLate(condition: ConditionState): boolean {
  return condition.fulfilledOn !== null && condition.fulfilledOn > condition.dueDate;
}

/**
 * A condition can be fulfilled once, while the decision's state allows it, on a day between the
 * board meeting that set it and today: evidence cannot predate the decision that asked for it.
 */
export function assertConditionFulfillable(
  decisionStatus: DecisionStatus,
  condition: ConditionState,
  fulfilledOn: string,
  today: string,
  boardMeetingDate: string,
): void {
  assertTransition(decisionStatus, 'fulfilCondition');
  const problems = new Problems();
  if (condition.fulfilledOn !== null) {
    problems.add(new DomainError('CONDITION_NOT_FULFILLABLE', `This condition was already fulfilled on ${condition.fulfilledOn}.`));
  }
  if (fulfilledOn < boardMeetingDate || fulfilledOn > today) {
    problems.add(new DomainError(
      'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE',
      `fulfilledOn must lie between the board meeting (${boardMeetingDate}) and today (${today}).`,
      [{ path: '/fulfilledOn', message: `must be between ${boardMeetingDate} and ${today}` }],
    ));
  }
  problems.throwIfAny();
}
