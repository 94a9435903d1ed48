import { Type } from 'typebox';
import { DECISION_STATUSES } from '../../domain/decision-lifecycle.js';
import { MAX_DOCUMENTS, MAX_RELATED_DECISIONS, STATED_RELATIONS } from '../../domain/documents.js';
import { DOCUMENT_KINDS, RELATION_KINDS } from '../../domain/records.js';
import { CalendarDate, Cents, Nullable, Page, PageQuery, StringEnum, Text, Timestamp, Uuid } from '../schemas.js';

const Year = Type.Integer({ minimum: 2000, maximum: 2100, description: 'Calendar year of the commitment' });
const Status = StringEnum(DECISION_STATUSES, { description: 'Lifecycle state of the decision' });
const Outcome = StringEnum(['approve', 'reject'] as const, { description: 'The college\'s decision' });

const documentFields = {
  title: Text(300),
  url: Type.String({ format: 'uri', pattern: '^https://', minLength: 9, maxLength: 2048, description: 'https URL of the document' }),
  kind: StringEnum(DOCUMENT_KINDS, { description: 'What the document is' }),
  registrationNumber: Type.Optional(Nullable(Text(100, { description: 'Registration number (zaaknummer, kenmerk)' }))),
  sha256: Type.Optional(Nullable(Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the document, 64 lower-case hex' }))),
  issuedOn: Type.Optional(Nullable(CalendarDate)),
};

/** A document a decision, vote or condition rests on; in requests and responses alike. */
export const DocumentRef = Type.Object(documentFields, { $id: 'DocumentRef', additionalProperties: false });
/**
 * Documents in a request body: at most 20 per resource. Spelled out rather than referenced:
 * request bodies are validated on their own, without the shared components.
 */
const DocumentInput = Type.Object(documentFields, { additionalProperties: false });
const documentsDescription = `Documents this rests on (https URLs), at most ${MAX_DOCUMENTS}`;
export const Documents = Type.Array(DocumentInput, { maxItems: MAX_DOCUMENTS, description: documentsDescription });

export const RelatedDecision = Type.Object(
  {
    decisionId: Nullable(Uuid),
    externalReference: Nullable(Type.String()),
    relation: StringEnum(RELATION_KINDS, { description: 'amends is set by the register on amendments' }),
  },
  { $id: 'RelatedDecision', additionalProperties: false },
);

/** Related decisions in a request body: each names exactly one of decisionId and externalReference. */
const RelatedDecisions = Type.Array(
  Type.Object(
    {
      decisionId: Type.Optional(Nullable(Uuid)),
      externalReference: Type.Optional(Nullable(Text(100, { description: 'Reference of a decision outside this register, e.g. 2023.048225' }))),
      relation: StringEnum(STATED_RELATIONS, { description: 'How this decision relates to the other one' }),
    },
    { additionalProperties: false, description: 'An earlier decision: decisionId (of this register) or externalReference, exactly one' },
  ),
  { maxItems: MAX_RELATED_DECISIONS },
);

export const Commitment = Type.Object(
  {
    id: Uuid,
    programmeId: Uuid,
    year: Type.Integer(),
    amountCents: Type.Integer(),
    purpose: Nullable(Type.String()),
    finalAmountCents: Nullable(Type.Integer({ description: 'Set by settlement: what binds from then on' })),
    disbursedCents: Type.Integer({ description: 'Paid on this commitment, including what was paid under the decisions it amends' }),
  },
  { $id: 'Commitment', additionalProperties: false },
);

export const Condition = Type.Object(
  {
    id: Uuid,
    description: Type.String(),
    dueDate: CalendarDate,
    status: StringEnum(['open', 'fulfilled', 'overdue'] as const, {
      description: 'overdue: open and the due date (Europe/Amsterdam) has passed',
    }),
    fulfilledOn: Nullable(CalendarDate),
    evidence: Nullable(Type.String()),
    blocksDisbursement: Type.Boolean({ description: 'While not fulfilled, no money of the decision may be paid' }),
    fulfilledLate: Type.Boolean({ description: 'fulfilledOn lies after dueDate' }),
    reference: Nullable(Type.String()),
    documents: Type.Array(Type.Ref('DocumentRef')),
    indicatorIds: Type.Array(Uuid, { description: 'Monitoring indicators of the decision whose reports satisfy it' }),
  },
  { $id: 'Condition', additionalProperties: false },
);

export const Vote = Type.Object(
  {
    id: Uuid,
    decisionId: Uuid,
    municipalityId: Uuid,
    outcome: Outcome,
    decidedOn: CalendarDate,
    reference: Nullable(Type.String()),
    note: Nullable(Type.String()),
    castAt: Timestamp,
    collegeDecisionId: Nullable(Uuid),
  },
  { $id: 'Vote', additionalProperties: false },
);

export const Decision = Type.Object(
  {
    id: Uuid,
    reference: Type.String(),
    title: Type.String(),
    summary: Nullable(Type.String()),
    boardMeetingDate: CalendarDate,
    applicantOrganisationId: Nullable(Uuid),
    status: Status,
    totalAmountCents: Type.Integer({ description: 'Sum of the commitments, in euro cents' }),
    commitments: Type.Array(Type.Ref('Commitment')),
    conditions: Type.Array(Type.Ref('Condition')),
    ratification: Type.Object(
      {
        required: Type.Boolean({
          description: 'Whether the colleges must ratify: for a draft, totalAmountCents >= thresholdCents; frozen at adoption',
        }),
        thresholdCents: Type.Integer({ description: 'Threshold of the statute rule applied (frozen at adoption)' }),
        requiredMunicipalityIds: Type.Array(Uuid, { description: 'Frozen at adoption; [] before and when not required' }),
        votes: Type.Array(Type.Ref('Vote')),
        statuteRuleVersion: Type.Integer({ description: 'Statute rule frozen at adoption; for a draft, the rule adoption would apply now' }),
        reason: Nullable(StringEnum(['threshold', 'splitting'] as const, { description: 'Why ratification is required; null when it is not' })),
        dueDate: Nullable(CalendarDate),
        overdue: Type.Boolean({ description: 'Still pending after dueDate' }),
      },
      { additionalProperties: false },
    ),
    documents: Type.Array(Type.Ref('DocumentRef')),
    relatedDecisions: Type.Array(Type.Ref('RelatedDecision')),
    amends: Nullable(Uuid),
    splitting: Type.Object(
      {
        suspected: Type.Boolean(),
        cumulativeCents: Nullable(Type.Integer()),
        relatedDecisionIds: Type.Array(Uuid),
      },
      { additionalProperties: false, description: 'Suspected splitting (anti-circumvention), frozen at adoption' },
    ),
    fundCoverage: Nullable(
      Type.Object(
        { uncommittedCentsBefore: Type.Integer(), sufficient: Type.Boolean() },
        { additionalProperties: false, description: 'Whether the ESZL fund covered the decision at adoption (frozen)' },
      ),
    ),
    settlement: Nullable(
      Type.Object(
        { settledOn: CalendarDate, reference: Type.String(), settledAt: Timestamp },
        { additionalProperties: false, description: 'The settlement (vaststelling), once settled' },
      ),
    ),
    adoptedAt: Nullable(Timestamp),
    withdrawnAt: Nullable(Timestamp),
    withdrawalReason: Nullable(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Decision', additionalProperties: false },
);

export const DecisionPage = Page(Decision, 'DecisionPage');
export const VoteList = Page(Vote, 'VoteList');

export const CommitmentListItem = Type.Object(
  {
    id: Uuid,
    decisionId: Uuid,
    programmeId: Uuid,
    year: Type.Integer(),
    amountCents: Type.Integer(),
    purpose: Nullable(Type.String()),
    finalAmountCents: Nullable(Type.Integer()),
    disbursedCents: Type.Integer(),
    decisionStatus: Status,
    binding: Type.Boolean({ description: 'True when the decision is adopted, ratified or settled' }),
  },
  { $id: 'CommitmentListItem', additionalProperties: false },
);
export const CommitmentPage = Page(CommitmentListItem, 'CommitmentPage');

const cents = (description: string) => Type.Integer({ description });

/** The money of a programme (or of all programmes) in one year. */
export const FundingYear = Type.Object(
  {
    year: Type.Integer(),
    bindingCents: cents('Committed by binding decisions (adopted, ratified, settled at their final amounts); each lineage of a decision and its amendments once'),
    pendingCents: cents('Awaiting ratification; of an amendment only its increase over the decision it amends'),
    disbursedCents: cents('Paid'),
    releasedCents: cents('Released by settlement: committed amounts minus final amounts'),
    remainingCents: cents('bindingCents minus disbursedCents: binding money still to be paid'),
    coFinancingCents: cents('Co-financing of the programme by other funders'),
    eszlShareBasisPoints: Nullable(
      Type.Integer({
        minimum: 0,
        maximum: 10000,
        description: "ESZL's share of bindingCents + coFinancingCents in basis points (10000 = 100 %), rounded half up; null when both are 0",
      }),
    ),
  },
  { $id: 'FundingYear', additionalProperties: false },
);

const fundingTotals = {
  totalBindingCents: Type.Integer(),
  totalPendingCents: Type.Integer(),
  totalDisbursedCents: Type.Integer(),
  totalReleasedCents: Type.Integer(),
  totalRemainingCents: Type.Integer(),
  totalCoFinancingCents: Type.Integer(),
};

export const ProgrammeFunding = Type.Object(
  { programmeId: Uuid, years: Type.Array(Type.Ref('FundingYear')), ...fundingTotals },
  { $id: 'ProgrammeFunding', additionalProperties: false },
);

export const EszlFunding = Type.Object(
  {
    programmes: Type.Array(Type.Ref('ProgrammeFunding'), { description: 'Every programme, in code order' }),
    years: Type.Array(Type.Ref('FundingYear'), { description: 'The figures per year, summed over the programmes' }),
  },
  { $id: 'EszlFunding', additionalProperties: false },
);

export const FundingQuery = Type.Object({ year: Type.Optional(Year) }, { additionalProperties: false });

const CommitmentInput = Type.Object(
  { programmeId: Uuid, year: Year, amountCents: Cents, purpose: Type.Optional(Nullable(Text(2000))) },
  { additionalProperties: false },
);
const conditionFields = {
  description: Text(4000),
  dueDate: CalendarDate,
  blocksDisbursement: Type.Optional(Type.Boolean({ description: 'While not fulfilled, no money of the decision may be paid (default false)' })),
  reference: Type.Optional(Nullable(Text(200))),
};
const ConditionInput = Type.Object(conditionFields, { additionalProperties: false });
export const NewConditionBody = Type.Object(conditionFields, { additionalProperties: false });

const decisionFields = {
  reference: Text(100, { description: 'Unique reference of the decision' }),
  title: Text(300),
  summary: Type.Optional(Nullable(Text(20_000))),
  boardMeetingDate: CalendarDate,
  applicantOrganisationId: Type.Optional(Nullable(Uuid)),
  commitments: Type.Array(CommitmentInput, { minItems: 1, maxItems: 100 }),
  conditions: Type.Optional(Type.Array(ConditionInput, { maxItems: 100 })),
  documents: Type.Optional(Documents),
  relatedDecisions: Type.Optional(RelatedDecisions),
};

export const CreateDecisionBody = Type.Object(decisionFields, { additionalProperties: false });

export const PatchDecisionBody = Type.Object(
  {
    reference: Type.Optional(decisionFields.reference),
    title: Type.Optional(decisionFields.title),
    summary: decisionFields.summary,
    boardMeetingDate: Type.Optional(decisionFields.boardMeetingDate),
    applicantOrganisationId: decisionFields.applicantOrganisationId,
    commitments: Type.Optional(decisionFields.commitments),
    conditions: decisionFields.conditions,
    documents: decisionFields.documents,
    relatedDecisions: decisionFields.relatedDecisions,
  },
  { additionalProperties: false, minProperties: 1 },
);

export const WithdrawBody = Type.Object({ reason: Text(2000) }, { additionalProperties: false });

export const VoteBody = Type.Object(
  {
    municipalityId: Uuid,
    outcome: Outcome,
    decidedOn: CalendarDate,
    reference: Type.Optional(Nullable(Text(200))),
    note: Type.Optional(Nullable(Text(4000))),
  },
  { additionalProperties: false },
);

/** The fields of a fulfilment. */
export const fulfilFields = {
  fulfilledOn: Type.Unsafe<string>({ ...CalendarDate, description: 'Between the board meeting and today (Europe/Amsterdam)' }),
  evidence: Text(10_000),
  documents: Type.Optional(Documents),
  indicatorIds: Type.Optional(
    Type.Array(Uuid, { maxItems: 20, uniqueItems: true, description: 'Indicators of this decision whose reports satisfy the condition' }),
  ),
};
export const FulfilBody = Type.Object(fulfilFields, { additionalProperties: false });

export const GetDecisionQuery = Type.Object(
  {
    asOf: Type.Optional(
      Type.Union([Type.String({ format: 'date-time', maxLength: 40 }), Type.String({ format: 'date', maxLength: 10 })], {
        description:
          'RFC 3339 timestamp: the decision as it stood then, rebuilt from the audit trail. A date YYYY-MM-DD stands for the ' +
          'end of that day in Europe/Amsterdam; a moment in the future for now.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const AddDocumentsBody = Type.Object(
  { documents: Type.Array(DocumentInput, { minItems: 1, maxItems: MAX_DOCUMENTS, description: documentsDescription }) },
  { additionalProperties: false },
);

const Flag = (description: string) => Type.Boolean({ description });

export const ListDecisionsQuery = Type.Object(
  {
    status: Type.Optional(Status),
    programmeId: Type.Optional(Uuid),
    year: Type.Optional(Year),
    awaitingVoteOf: Type.Optional(
      Type.Unsafe<string>({ ...Uuid, description: 'A municipality: pending decisions that require it and that it has not voted on' }),
    ),
    municipalityId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'Decisions that require this municipality\'s ratification' })),
    applicantOrganisationId: Type.Optional(Uuid),
    reference: Type.Optional(Text(100, { description: 'Exactly this reference' })),
    boardMeetingDateFrom: Type.Optional(Type.Unsafe<string>({ ...CalendarDate, description: 'Board meeting on or after this date' })),
    boardMeetingDateTo: Type.Optional(Type.Unsafe<string>({ ...CalendarDate, description: 'Board meeting on or before this date' })),
    splittingSuspected: Type.Optional(Flag('true: only decisions suspected of splitting at adoption; false: only the others')),
    ratificationOverdue: Type.Optional(Flag('true: only decisions still pending after their ratification due date; false: only the others')),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ListCommitmentsQuery = Type.Object(
  {
    programmeId: Type.Optional(Uuid),
    year: Type.Optional(Year),
    binding: Type.Optional(Type.Boolean({ description: 'true: only binding money; false: only non-binding' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const ConditionParams = Type.Object({ id: Uuid, conditionId: Uuid }, { additionalProperties: false });
