import type { Condition, Decision } from '../../src/domain/records.js';

/** Gemeente Maastricht, the college a decision made by `decisionRecord` waits for unless told. */
export const MAASTRICHT_ID = '00000000-0000-4000-8000-000000000003';

/** What a test changes of a decision: any field, and of the ratification only the parts it names. */
export type DecisionOverrides = Partial<Omit<Decision, 'ratification'>> & { ratification?: Partial<Decision['ratification']> };

/** An open condition due on 2026-02-15, as the domain records it. */
export function conditionRecord(overrides: Partial<Condition> = {}): Condition {
  return {
    id: 'k1',
    description: 'Result criteria',
    dueDate: '2026-02-15',
    status: 'open',
    fulfilledOn: null,
    evidence: null,
    blocksDisbursement: false,
    fulfilledLate: false,
    reference: null,
    documents: [],
    indicatorIds: [],
    ...overrides,
  };
}

/**
 * A complete decision in memory, for domain tests: the WTMR decision of the board meeting of
 * 2025-11-19 (EUR 390,000 in 2026), adopted and awaiting Maastricht's vote until 2026-01-18,
 * with one open condition. Fresh objects on every call, so a test may change what it gets.
 */
export function decisionRecord(overrides: DecisionOverrides = {}): Decision {
  const { ratification, ...fields } = overrides;
  return {
    id: '00000000-0000-4000-8000-0000000000d1',
    reference: 'ESZL-PB-2025-11-19-WTMR',
    title: 'WTMR',
    summary: null,
    boardMeetingDate: '2025-11-19',
    applicantOrganisationId: null,
    status: 'pending_ratification',
    totalAmountCents: 39_000_000,
    commitments: [{ id: 'c1', programmeId: 'p1', year: 2026, amountCents: 39_000_000, purpose: null, finalAmountCents: null, disbursedCents: 0 }],
    conditions: [conditionRecord()],
    ratification: {
      required: true,
      thresholdCents: 10_000_000,
      requiredMunicipalityIds: [MAASTRICHT_ID],
      votes: [],
      statuteRuleVersion: 1,
      reason: 'threshold',
      dueDate: '2026-01-18',
      overdue: false,
      ...ratification,
    },
    documents: [],
    relatedDecisions: [],
    amends: null,
    splitting: { suspected: false, cumulativeCents: null, relatedDecisionIds: [] },
    fundCoverage: null,
    settlement: null,
    adoptedAt: '2025-11-19T14:00:00.000Z',
    adoptedOn: '2025-11-19',
    withdrawnAt: null,
    withdrawalReason: null,
    createdAt: '2025-11-12T09:00:00.000Z',
    updatedAt: '2025-11-19T14:00:00.000Z',
    ...fields,
  };
}
