import { DomainError } from './errors.js';

/**
 * The decision lifecycle as data. Every state change of a decision, and every action on it that
 * depends on its state, goes through `assertTransition`; the table below is the only place that
 * says what is allowed.
 */
export const DECISION_STATUSES = [
  'draft',
  'pending_ratification',
  'adopted',
  'ratified',
  'rejected',
  'withdrawn',
  'superseded',
  'settled',
] as const;
export type DecisionStatus = (typeof DECISION_STATUSES)[number];

export const DECISION_ACTIONS = [
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
] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/**
 * For each state, the actions allowed and the states each may lead to. `amend` starts an
 * amendment (a new draft) and leaves the amended decision as it is; `supersede` is what the
 * amended decision undergoes when its amendment binds. Indicators are defined while a decision
 * is being prepared or counts (draft, awaiting ratification, adopted, ratified), and reported
 * once the board has adopted it and until it ends; a settled decision is terminal for
 * everything but payments and documents.
 */
export const DECISION_TRANSITIONS: Readonly<
  Record<DecisionStatus, Partial<Record<DecisionAction, readonly DecisionStatus[]>>>
> = {
  draft: {
    edit: ['draft'],
    adopt: ['adopted', 'pending_ratification'],
    withdraw: ['withdrawn'],
    addDocument: ['draft'],
    defineIndicator: ['draft'],
  },
  pending_ratification: {
    vote: ['pending_ratification', 'ratified', 'rejected'],
    withdraw: ['withdrawn'],
    fulfilCondition: ['pending_ratification'],
    addCondition: ['pending_ratification'],
    addDocument: ['pending_ratification'],
    defineIndicator: ['pending_ratification'],
    reportIndicator: ['pending_ratification'],
  },
  adopted: {
    fulfilCondition: ['adopted'],
    addCondition: ['adopted'],
    addDocument: ['adopted'],
    amend: ['adopted'],
    supersede: ['superseded'],
    settle: ['settled'],
    disburse: ['adopted'],
    defineIndicator: ['adopted'],
    reportIndicator: ['adopted'],
  },
  ratified: {
    fulfilCondition: ['ratified'],
    addCondition: ['ratified'],
    addDocument: ['ratified'],
    amend: ['ratified'],
    supersede: ['superseded'],
    settle: ['settled'],
    disburse: ['ratified'],
    defineIndicator: ['ratified'],
    reportIndicator: ['ratified'],
  },
  rejected: { addDocument: ['rejected'] },
  withdrawn: {},
  superseded: { addDocument: ['superseded'] },
  settled: { addDocument: ['settled'], disburse: ['settled'] },
};

export function isActionAllowed(from: DecisionStatus, action: DecisionAction): boolean {
  return DECISION_TRANSITIONS[from][action] !== undefined;
}

const refused = (wording: string) => (from: DecisionStatus) => `A decision in status '${from}' cannot be ${wording}.`;
/** The detail of the 409 when `action` is not allowed in a state. */
const REFUSAL_DETAIL: Record<DecisionAction, (from: DecisionStatus) => string> = {
  edit: refused('edited'),
  adopt: refused('adopted'),
  withdraw: refused('withdrawn'),
  vote: refused('voted on'),
  fulfilCondition: refused('have its conditions fulfilled'),
  addCondition: refused('given new conditions'),
  addDocument: refused('given documents'),
  amend: refused('amended'),
  supersede: refused('superseded'),
  settle: refused('settled'),
  disburse: refused('paid out'),
  defineIndicator: refused('given indicators'),
  reportIndicator: (from) => `Indicator values of a decision in status '${from}' cannot be reported.`,
};

/**
 * Throws DECISION_TRANSITION_NOT_ALLOWED (409) unless `action` is allowed in `from`, and,
 * when the caller names the resulting state, unless the table allows that state too.
 */
export function assertTransition(from: DecisionStatus, action: DecisionAction, to?: DecisionStatus): void {
  const targets = DECISION_TRANSITIONS[from][action];
  if (targets === undefined) {
    throw new DomainError('DECISION_TRANSITION_NOT_ALLOWED', REFUSAL_DETAIL[action](from));
  }
  if (to !== undefined && !targets.includes(to)) {
    throw new Error(`Transition table violated: ${from} --${action}--> ${to}`);
  }
}

/** Money of a decision in these states binds the foundation (once settled, its final amounts do). */
export const BINDING_STATUSES = ['adopted', 'ratified', 'settled'] as const satisfies readonly DecisionStatus[];
/** Money of a decision in these states awaits the colleges. */
export const PENDING_STATUSES = ['pending_ratification'] as const satisfies readonly DecisionStatus[];

export function isBinding(status: DecisionStatus): boolean {
  return (BINDING_STATUSES as readonly DecisionStatus[]).includes(status);
}

/** The states in which `action` is allowed, read from the transition table. */
export function statusesAllowing(action: DecisionAction): DecisionStatus[] {
  return DECISION_STATUSES.filter((status) => isActionAllowed(status, action));
}
