import { Type } from 'typebox';
import { DECISION_STATUSES } from '../../domain/decision-lifecycle.js';
import { MAX_DOCUMENTS, MAX_RELATED_DECISIONS, STATED_RELATIONS } from '../../domain/documents.js';
import { VOTE_OUTCOMES } from '../../domain/ratification.js';
import { Decision, documentFields } from '../../domain/records.js';
import { CalendarDate, Cents, Nullable, Page, PageQuery, StringEnum, Text, Uuid } from '../schemas.js';

/** The records' schemas are the domain's (`domain/records.ts`), where their types come from. */
export { Commitment, Condition, Decision, DocumentRef, RelatedDecision, Vote } from '../../domain/records.js';

export const Year = Type.Integer({ minimum: 2000, maximum: 2100, description: 'Calendar year of the commitment' });
export const Status = StringEnum(DECISION_STATUSES, { description: 'Lifecycle state of the decision' });
export const Outcome = StringEnum(VOTE_OUTCOMES, { description: 'The college\'s decision' });

/**
 * Documents in a request body: at most 20 per resource. Spelled out rather than referenced:
 * request bodies are validated on their own, without the shared components.
 */
export const DocumentInput = Type.Object(documentFields, { additionalProperties: false });
export const documentsDescription = `Documents this rests on (https URLs), at most ${MAX_DOCUMENTS}`;
export const Documents = Type.Array(DocumentInput, { maxItems: MAX_DOCUMENTS, description: documentsDescription });

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

export const DecisionPage = Page(Decision, 'DecisionPage');

const CommitmentInput = Type.Object(
  { programmeId: Uuid, year: Year, amountCents: Cents, purpose: Type.Optional(Nullable(Text(2000))) },
  { additionalProperties: false },
);
export const conditionFields = {
  description: Text(4000),
  dueDate: CalendarDate,
  blocksDisbursement: Type.Optional(Type.Boolean({ description: 'While not fulfilled, no money of the decision may be paid (default false)' })),
  reference: Type.Optional(Nullable(Text(200))),
};
const ConditionInput = Type.Object(conditionFields, { additionalProperties: false });

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

export const AdoptBody = Type.Object(
  {
    adoptedOn: Type.Optional(
      Type.String({
        format: 'date',
        maxLength: 10,
        description: 'The day the board adopted the decision (Europe/Amsterdam), between its board meeting and today; absent: today',
      }),
    ),
  },
  { additionalProperties: false },
);
export const WithdrawBody = Type.Object({ reason: Text(2000) }, { additionalProperties: false });

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

const Flag = (description: string) => Type.Boolean({ description });

export const ListDecisionsQuery = Type.Object(
  {
    status: Type.Optional(Status),
    programmeId: Type.Optional(Uuid),
    year: Type.Optional(Year),
    awaitingVoteOf: Type.Optional(
      Type.String({
        pattern: '^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$',
        maxLength: 36,
        description:
          'A municipality\'s id, or me (a college key\'s own municipality): pending decisions that require it, whose board meeting is not after today, and that it has not voted on',
      }),
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

