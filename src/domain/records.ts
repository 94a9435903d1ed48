import type { EventType } from './events.js';
import type { Role } from './access.js';
import { Type, type Static } from 'typebox';
import { CONDITION_STATUSES } from './conditions.js';
import { DECISION_STATUSES } from './decision-lifecycle.js';
import { IndicatorReport as IndicatorReportSchema } from './indicator-report.js';
import type { OrganisationKind } from './organisations.js';
import { CalendarDate, CentsAmount, Nullable, Ref, StringEnum, Timestamp, Uuid } from './schema-types.js';
import type { SubscriptionEndReason, WebhookFormat } from './webhook-subscriptions.js';

/**
 * The register's records as the contract names them: what clients read and what the events of
 * the audit trail carry. Pure shapes; the use cases build them from the stored rows. A record
 * with a schema is written once, as its TypeBox schema (the component of the OpenAPI document),
 * and its type derived with `Static<>`.
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

export const DOCUMENT_KINDS = ['board_decision', 'college_decision', 'criteria', 'evidence', 'report', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const RELATION_KINDS = ['continues', 'extends', 'relates_to', 'amends'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

/** The fields of a document reference, in responses and (validated on their own) in request bodies. */
export const documentFields = {
  title: Type.String({ minLength: 1, maxLength: 300 }),
  url: Type.String({ format: 'uri', pattern: '^https://', minLength: 9, maxLength: 2048, description: 'https URL of the document' }),
  kind: StringEnum(DOCUMENT_KINDS, { description: 'What the document is' }),
  registrationNumber: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100, description: 'Registration number (zaaknummer, kenmerk)' }))),
  sha256: Type.Optional(Nullable(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the document, 64 lower-case hex' }))),
  issuedOn: Type.Optional(Nullable(CalendarDate)),
};

/** A document a decision, vote or condition rests on: the legal basis auditors look for. */
export const DocumentRef = Type.Object(documentFields, { $id: 'DocumentRef', additionalProperties: false });
/** As the register shows it: every field present (null where not given). */
export type DocumentRef = Required<Static<typeof DocumentRef>>;

/** An earlier decision this one builds on: in this register (`decisionId`) or outside it (`externalReference`). */
export const RelatedDecision = Type.Object(
  {
    decisionId: Nullable(Uuid),
    externalReference: Nullable(Type.String()),
    relation: StringEnum(RELATION_KINDS, { description: 'amends is set by the register on amendments' }),
  },
  { $id: 'RelatedDecision', additionalProperties: false },
);
export type RelatedDecision = Static<typeof RelatedDecision>;

export const Commitment = Type.Object(
  {
    id: Uuid,
    programmeId: Uuid,
    year: Type.Integer(),
    amountCents: CentsAmount(),
    purpose: Nullable(Type.String()),
    finalAmountCents: Nullable(CentsAmount({ description: 'Set by settlement: what binds from then on' })),
    disbursedCents: CentsAmount({ description: 'Paid on this commitment, including what was paid under the decisions it amends' }),
  },
  { $id: 'Commitment', additionalProperties: false },
);
export type Commitment = Static<typeof Commitment>;

export const Condition = Type.Object(
  {
    id: Uuid,
    description: Type.String(),
    dueDate: CalendarDate,
    status: StringEnum(CONDITION_STATUSES, {
      description: 'overdue: open and the due date (Europe/Amsterdam) has passed',
    }),
    fulfilledOn: Nullable(CalendarDate),
    evidence: Nullable(Type.String()),
    blocksDisbursement: Type.Boolean({ description: 'While not fulfilled, no money of the decision may be paid' }),
    fulfilledLate: Type.Boolean({ description: 'fulfilledOn lies after dueDate' }),
    reference: Nullable(Type.String()),
    documents: Type.Array(Ref(DocumentRef)),
    indicatorIds: Type.Array(Uuid, { description: 'Monitoring indicators of the decision whose reports satisfy it' }),
  },
  { $id: 'Condition', additionalProperties: false },
);
export type Condition = Omit<Static<typeof Condition>, 'documents'> & { documents: DocumentRef[] };

export const VOTE_OUTCOMES = ['approve', 'reject'] as const;
export type VoteOutcome = (typeof VOTE_OUTCOMES)[number];

export const Vote = Type.Object(
  {
    id: Uuid,
    decisionId: Uuid,
    municipalityId: Uuid,
    outcome: StringEnum(VOTE_OUTCOMES, { description: 'The college\'s decision' }),
    decidedOn: CalendarDate,
    reference: Nullable(Type.String()),
    note: Nullable(Type.String()),
    castAt: Timestamp,
    /** The college decision that recorded this vote with others; null for a vote cast alone. */
    collegeDecisionId: Nullable(Uuid),
  },
  { $id: 'Vote', additionalProperties: false },
);
export type Vote = Static<typeof Vote>;

export const RATIFICATION_REASONS = ['threshold', 'splitting'] as const;
export type RatificationReason = (typeof RATIFICATION_REASONS)[number];

const Splitting = Type.Object(
  {
    suspected: Type.Boolean(),
    cumulativeCents: Nullable(CentsAmount()),
    relatedDecisionIds: Type.Array(Uuid),
  },
  { additionalProperties: false, description: 'Suspected splitting (anti-circumvention), frozen at adoption' },
);
export type Splitting = Static<typeof Splitting>;

const FundCoverage = Type.Object(
  { uncommittedCentsBefore: CentsAmount(), sufficient: Type.Boolean() },
  { additionalProperties: false, description: 'Whether the ESZL fund covered the decision at adoption (frozen)' },
);
export type FundCoverage = Static<typeof FundCoverage>;

export const Decision = Type.Object(
  {
    id: Uuid,
    reference: Type.String(),
    title: Type.String(),
    summary: Nullable(Type.String()),
    boardMeetingDate: CalendarDate,
    applicantOrganisationId: Nullable(Uuid),
    status: StringEnum(DECISION_STATUSES, { description: 'Lifecycle state of the decision' }),
    totalAmountCents: CentsAmount({ description: 'Sum of the commitments, in euro cents' }),
    commitments: Type.Array(Ref(Commitment)),
    conditions: Type.Array(Ref(Condition)),
    ratification: Type.Object(
      {
        required: Type.Boolean({
          description: 'Whether the colleges must ratify: for a draft, totalAmountCents >= thresholdCents; frozen at adoption',
        }),
        thresholdCents: CentsAmount({ description: 'Threshold of the statute rule applied (frozen at adoption)' }),
        requiredMunicipalityIds: Type.Array(Uuid, { description: 'Frozen at adoption; [] before and when not required' }),
        votes: Type.Array(Ref(Vote)),
        statuteRuleVersion: Type.Integer({ description: 'Statute rule frozen at adoption; for a draft, the rule adoption would apply now' }),
        reason: Nullable(StringEnum(RATIFICATION_REASONS, { description: 'Why ratification is required; null when it is not' })),
        dueDate: Nullable(CalendarDate),
        overdue: Type.Boolean({ description: 'Still pending after dueDate' }),
      },
      { additionalProperties: false },
    ),
    documents: Type.Array(Ref(DocumentRef)),
    relatedDecisions: Type.Array(Ref(RelatedDecision)),
    /** The decision this one amends (wijzigingsbesluit), or null. */
    amends: Nullable(Uuid),
    splitting: Splitting,
    fundCoverage: Nullable(FundCoverage),
    settlement: Nullable(
      Type.Object(
        { settledOn: CalendarDate, reference: Type.String(), settledAt: Timestamp },
        { additionalProperties: false, description: 'The settlement (vaststelling), once settled' },
      ),
    ),
    adoptedAt: Nullable(Timestamp),
    adoptedOn: Nullable(
      Type.String({
        format: 'date',
        maxLength: 10,
        description:
          'The day the adoption took effect (Europe/Amsterdam); adoptedAt is when it was recorded. It starts the ratification period, dates the fund coverage and is the award date of a decision that binds at adoption',
      }),
    ),
    withdrawnAt: Nullable(Timestamp),
    withdrawalReason: Nullable(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Decision', additionalProperties: false },
);
/** The whole decision as clients read it and as the events of the audit trail carry it. */
export type Decision = Omit<Static<typeof Decision>, 'documents' | 'conditions'> & { documents: DocumentRef[]; conditions: Condition[] };

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

/** One reported value of an indicator (its schema: `indicator-report.ts`). */
export type IndicatorReport = Omit<Static<typeof IndicatorReportSchema>, 'documents'> & { documents: DocumentRef[] };

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
  /** How deliveries are shaped and signed: `eszl-v1` (the body and ESZL-Signature of the first rounds) or `cloudevents`. */
  format: WebhookFormat;
  /** Whether deliveries carry the Authorization value the receiver gave (never shown). */
  hasAuthorization: boolean;
  /** Why the service ended the subscription (`gone`: the receiver answered 410); null while active or when unsubscribed. */
  endedReason: SubscriptionEndReason | null;
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
