import { DomainError } from './errors.js';
import { assertTransition, type DecisionStatus } from './decision-lifecycle.js';

export type ConditionStatus = 'open' | 'fulfilled' | 'overdue';

export interface ConditionState {
  dueDate: string;
  fulfilledOn: string | null;
}

/** `overdue` is derived, never stored: an open condition whose due date lies before today. */
export function conditionStatus(condition: ConditionState, today: string): ConditionStatus {
  if (condition.fulfilledOn !== null) return 'fulfilled';
  return condition.dueDate < today ? 'overdue' : 'open';
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
  if (condition.fulfilledOn !== null) {
    throw new DomainError('CONDITION_NOT_FULFILLABLE', `This condition was already fulfilled on ${condition.fulfilledOn}.`);
  }
  if (fulfilledOn < boardMeetingDate || fulfilledOn > today) {
    throw new DomainError(
      'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE',
      `fulfilledOn must lie between the board meeting (${boardMeetingDate}) and today (${today}).`,
      [{ path: '/fulfilledOn', message: `must be between ${boardMeetingDate} and ${today}` }],
    );
  }
}
