import type { EventType } from './events.js';
import type { Role } from './access.js';
import type { ConditionStatus } from './conditions.js';
import type { DecisionStatus } from './decision-lifecycle.js';
import type { OrganisationKind } from './organisations.js';
import type { VoteOutcome } from './ratification.js';

/**
 * The register's records as the contract names them: what clients read and what the events of
 * the audit trail carry. Pure shapes; the use cases build them from the stored rows.
 */
export interface Organisation {
  id: string;
  name: string;
  kind: OrganisationKind;
  centreMunicipality: boolean;
  kvkNumber: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Programme {
  id: string;
  code: string;
  name: string;
  description: string | null;
  ownerOrganisationId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A document a decision, vote or condition rests on: the legal basis auditors look for. */
export interface DocumentRef {
  title: string;
  url: string;
  kind: DocumentKind;
  registrationNumber: string | null;
  sha256: string | null;
  issuedOn: string | null;
}
export const DOCUMENT_KINDS = ['board_decision', 'college_decision', 'criteria', 'evidence', 'report', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** An earlier decision this one builds on: in this register (`decisionId`) or outside it (`externalReference`). */
export interface RelatedDecision {
  decisionId: string | null;
  externalReference: string | null;
  relation: RelationKind;
}
export const RELATION_KINDS = ['continues', 'extends', 'relates_to', 'amends'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

export interface Commitment {
  id: string;
  programmeId: string;
  year: number;
  amountCents: number;
  purpose: string | null;
  /** Set by settlement: what binds from then on. */
  finalAmountCents: number | null;
  /** Paid on this commitment, including what was paid under the decisions it amends. */
  disbursedCents: number;
}

export interface Condition {
  id: string;
  description: string;
  dueDate: string;
  status: ConditionStatus;
  fulfilledOn: string | null;
  evidence: string | null;
  blocksDisbursement: boolean;
  fulfilledLate: boolean;
  reference: string | null;
  documents: DocumentRef[];
  /** Monitoring indicators of the decision whose reports satisfy it (given at fulfilment). */
  indicatorIds: string[];
}

export interface Vote {
  id: string;
  decisionId: string;
  municipalityId: string;
  outcome: VoteOutcome;
  decidedOn: string;
  reference: string | null;
  note: string | null;
  castAt: string;
  /** The college decision that recorded this vote with others; null for a vote cast alone. */
  collegeDecisionId: string | null;
}

export type RatificationReason = 'threshold' | 'splitting';

export interface Splitting {
  suspected: boolean;
  cumulativeCents: number | null;
  relatedDecisionIds: string[];
}

export interface FundCoverage {
  uncommittedCentsBefore: number;
  sufficient: boolean;
}

export interface Decision {
  id: string;
  reference: string;
  title: string;
  summary: string | null;
  boardMeetingDate: string;
  applicantOrganisationId: string | null;
  status: DecisionStatus;
  totalAmountCents: number;
  commitments: Commitment[];
  conditions: Condition[];
  ratification: {
    required: boolean;
    thresholdCents: number;
    requiredMunicipalityIds: string[];
    votes: Vote[];
    /** The statute rule frozen at adoption; for a draft, the one adoption would apply now. */
    statuteRuleVersion: number;
    reason: RatificationReason | null;
    dueDate: string | null;
    overdue: boolean;
  };
  documents: DocumentRef[];
  relatedDecisions: RelatedDecision[];
  /** The decision this one amends (wijzigingsbesluit), or null. */
  amends: string | null;
  splitting: Splitting;
  fundCoverage: FundCoverage | null;
  settlement: { settledOn: string; reference: string; settledAt: string } | null;
  adoptedAt: string | null;
  withdrawnAt: string | null;
  withdrawalReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * The statute's rules as data: which threshold, splitting check, ratification period and fund
 * check apply to decisions taken on or after `effectiveFrom` (until a later rule takes over).
 */
export const SPLITTING_SCOPES = ['none', 'applicant_year', 'programme_year'] as const;
export type SplittingScope = (typeof SPLITTING_SCOPES)[number];
export const SPLITTING_ACTIONS = ['flag', 'require_ratification'] as const;
export type SplittingAction = (typeof SPLITTING_ACTIONS)[number];
export const FUND_CHECKS = ['flag', 'block'] as const;
export type FundCheck = (typeof FUND_CHECKS)[number];

export interface StatuteRule {
  id: string;
  version: number;
  effectiveFrom: string;
  thresholdCents: number;
  splitting: { scope: SplittingScope; action: SplittingAction };
  ratificationPeriodDays: number | null;
  fundCheck: FundCheck;
  reference: string;
  note: string | null;
  createdAt: string;
}

/** A college decision (collegebesluit): one municipality's decision on one or more principle decisions. */
export interface CollegeDecision {
  id: string;
  municipalityId: string;
  decidedOn: string;
  reference: string;
  documents: DocumentRef[];
  votes: Vote[];
  createdAt: string;
}

export interface Disbursement {
  id: string;
  decisionId: string;
  commitmentId: string;
  amountCents: number;
  paidOn: string;
  reference: string;
  createdAt: string;
}

export interface FundContribution {
  id: string;
  organisationId: string;
  year: number;
  amountCents: number;
  receivedOn: string;
  reference: string;
  createdAt: string;
}

export const CO_FINANCING_KINDS = ['regio_deal', 'employers', 'government', 'other'] as const;
export type CoFinancingKind = (typeof CO_FINANCING_KINDS)[number];

export interface CoFinancing {
  id: string;
  programmeId: string;
  funderOrganisationId: string | null;
  funderName: string | null;
  kind: CoFinancingKind;
  year: number;
  amountCents: number;
  reference: string;
  createdAt: string;
}

export interface IndicatorReport {
  period: string;
  value: number;
  reportedOn: string;
  documents: DocumentRef[];
}

export interface Indicator {
  id: string;
  decisionId: string;
  code: string;
  name: string;
  unit: string;
  targets: { period: string; value: number }[];
  /** In the order they were recorded. */
  reports: IndicatorReport[];
  /** Target versus actual per period (see `indicatorProgress`). */
  progress: { period: string; target: number | null; actual: number | null }[];
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  organisationId: string | null;
  createdAt: string;
  revokedAt: string | null;
}

export interface Subscription {
  id: string;
  callbackUrl: string;
  eventTypes: EventType[];
  programmeId: string | null;
  municipalityId: string | null;
  active: boolean;
  failingSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  /** The decision the event is about; null for an event about another resource. */
  decisionId: string | null;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  firstAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  attemptLog: { attemptedAt: string; statusCode: number | null; latencyMs: number; error: string | null }[];
}
