import { amsterdamDateOf } from './clock.js';
import { conditionStatus, isFulfilledLate } from './conditions.js';
import { isRatificationOverdue, requiresRatification } from './ratification.js';
import type { Commitment, Condition, Decision, Vote } from './records.js';
import { ruleInForceOn, type RuleTerms } from './statute.js';

/**
 * A decision's past, rebuilt from the audit trail alone. Every event that changes a decision
 * carries the whole decision after the change (`data.decision`), so the state at any moment is
 * the one recorded by the decision's last event at or before it. Only what the view derives from
 * "today" is derived again, for the day of that moment: a condition's `open`/`overdue`, whether
 * ratification is overdue, and, for a decision never adopted, the statute rule it would be
 * adopted under (rules added later may apply to it). So the decision as of a moment is exactly
 * what `GET /decisions/{id}` answered at that moment.
 *
 * The recorded decision as it showed on `day` (Europe/Amsterdam). `rules` are statute rules that
 * existed on that moment; for a decision never adopted the one in force on its board meeting
 * date among them replaces the recorded one (an empty list keeps what was recorded: a rule is
 * never edited, and a newer one always takes effect after every older one).
 */
export function decisionOnDay(recorded: Decision, day: string, rules: readonly RuleTerms[] = []): Decision {
  let ratification: Decision['ratification'] = {
    ...recorded.ratification,
    overdue: isRatificationOverdue(recorded.status, recorded.ratification.dueDate, day),
  };
  const rule = recorded.adoptedAt === null ? ruleInForceOn(rules, recorded.boardMeetingDate) : undefined;
  if (rule !== undefined) {
    ratification = {
      ...ratification,
      required: requiresRatification(recorded.totalAmountCents, rule),
      thresholdCents: rule.thresholdCents,
      statuteRuleVersion: rule.version,
    };
  }
  return {
    ...recorded,
    conditions: recorded.conditions.map((condition) => ({ ...condition, status: conditionStatus(condition, day) })),
    ratification,
  };
}

type Optional<T, K extends keyof T> = Omit<T, K> & Partial<Pick<T, K>>;
type RecordedVote = Optional<Vote, 'collegeDecisionId'>;
type RecordedRatification = Optional<Omit<Decision['ratification'], 'votes'>, 'statuteRuleVersion' | 'reason' | 'dueDate' | 'overdue'> & {
  votes: RecordedVote[];
};
/** A decision as an event recorded it: events of the first round lack the second round's fields. */
export type RecordedDecision = Optional<
  Omit<Decision, 'commitments' | 'conditions' | 'ratification'>,
  | 'documents'
  | 'relatedDecisions'
  | 'amends'
  | 'splitting'
  | 'fundCoverage'
  | 'settlement'
  | 'withdrawnAt'
  | 'withdrawalReason'
  | 'adoptedOn'
> & {
  commitments: Optional<Commitment, 'finalAmountCents' | 'disbursedCents'>[];
  conditions: Optional<Condition, 'blocksDisbursement' | 'fulfilledLate' | 'reference' | 'documents'>[];
  ratification: RecordedRatification;
};

/**
 * Decisions recorded before the second round lack its fields: they are read with the values the
 * migration gave existing decisions (statute version 1 frozen, no documents, nothing paid, ...).
 */
export function completeRecordedDecision(recorded: RecordedDecision): Decision {
  const { ratification } = recorded;
  return {
    documents: [],
    relatedDecisions: [],
    amends: null,
    splitting: { suspected: false, cumulativeCents: null, relatedDecisionIds: [] },
    fundCoverage: null,
    settlement: null,
    withdrawnAt: null,
    withdrawalReason: null,
    // Before `adoptedOn` existed, an adoption took effect on the day it was recorded.
    adoptedOn: recorded.adoptedAt === null ? null : amsterdamDateOf(new Date(recorded.adoptedAt)),
    ...recorded,
    commitments: recorded.commitments.map((c) => ({ finalAmountCents: null, disbursedCents: 0, ...c })),
    conditions: recorded.conditions.map((c) => ({ blocksDisbursement: false, fulfilledLate: isFulfilledLate(c), reference: null, documents: [], ...c })),
    ratification: {
      statuteRuleVersion: 1,
      reason: recorded.adoptedAt !== null && ratification.required ? 'threshold' : null,
      dueDate: null,
      overdue: false,
      ...ratification,
      votes: ratification.votes.map((v) => ({ collegeDecisionId: null, ...v })),
    },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The decision an event's data carries, when it carries one. */
export function recordedDecision(data: unknown): Decision | undefined {
  return isRecord(data) && isRecord(data.decision) ? completeRecordedDecision(data.decision as unknown as RecordedDecision) : undefined;
}

/**
 * The decision after one of its events. Events carry the whole decision; older `vote.cast` and
 * `condition.fulfilled` events carried only the vote or the condition, which is applied to the
 * decision before them. Any other event leaves the decision as it was.
 */
export function applyDecisionEvent(current: Decision | undefined, action: string, data: unknown): Decision | undefined {
  const whole = recordedDecision(data);
  if (whole !== undefined) return whole;
  if (current === undefined || !isRecord(data)) return current;
  if (action === 'vote.cast' && isRecord(data.vote)) {
    const vote = { collegeDecisionId: null, ...data.vote } as Vote;
    if (current.ratification.votes.some((cast) => cast.id === vote.id)) return current;
    return { ...current, ratification: { ...current.ratification, votes: [...current.ratification.votes, vote] } };
  }
  if (action === 'condition.fulfilled' && isRecord(data.condition)) {
    const fulfilled = data.condition as unknown as Condition;
    return { ...current, conditions: current.conditions.map((c) => (c.id === fulfilled.id ? { ...c, ...fulfilled } : c)) };
  }
  return current;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The moment an `asOf` value names, and the Amsterdam day the view is derived for. A timestamp
 * names itself; a calendar date names the end of that day in Europe/Amsterdam (everything
 * recorded that day). A moment after `now` is read as now: the future has no state yet.
 */
export function asOfMoment(asOf: string, now: Date): { instant: Date; day: string } {
  const match = DATE_ONLY.exec(asOf);
  let instant = match === null ? new Date(asOf) : endOfAmsterdamDay(asOf);
  if (Number.isNaN(instant.getTime())) throw new Error(`not a timestamp: ${asOf}`);
  if (instant.getTime() > now.getTime()) instant = new Date(now.getTime());
  return { instant, day: amsterdamDateOf(instant) };
}

/** The last millisecond of a calendar day in Europe/Amsterdam (UTC+1 in winter, UTC+2 in summer). */
export function endOfAmsterdamDay(date: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastUtcMillisecond = Date.UTC(y, m - 1, d, 23, 59, 59, 999);
  const winter = new Date(lastUtcMillisecond - 3_600_000);
  return amsterdamDateOf(winter) === date ? winter : new Date(lastUtcMillisecond - 7_200_000);
}
