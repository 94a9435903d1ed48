import { Type } from 'typebox';
import { CO_FINANCING_KINDS, RELATION_KINDS } from '../../domain/records.js';
import { CalendarDate, CentsAmount, Nullable, StringEnum, Uuid } from '../schemas.js';

const OrganisationRef = Type.Object({ id: Uuid, name: Type.String() }, { additionalProperties: false });
const ProgrammeRef = Type.Object({ id: Uuid, code: Type.String(), name: Type.String() }, { additionalProperties: false });
const DecisionRef = Type.Object(
  { decisionId: Uuid, reference: Type.String(), title: Type.String(), totalAmountCents: CentsAmount() },
  { additionalProperties: false },
);

export const RatificationRequestQuery = Type.Object(
  {
    municipalityId: Type.Optional(
      Type.Unsafe<string>({ ...Uuid, description: "The college asked: one of the decision's requiredMunicipalityIds (a college key may leave it out: its own)" }),
    ),
  },
  { additionalProperties: false },
);

/** The JSON form of the ratification request: every fact of the letter, names resolved. */
export const RatificationRequest = Type.Object(
  {
    decisionId: Uuid,
    municipality: Type.Object(OrganisationRef.properties, { additionalProperties: false, description: 'The addressee: the centre municipality whose college is asked' }),
    letterDate: Type.Unsafe<string>({ ...CalendarDate, description: "The day of the decision's last audit event in Europe/Amsterdam (never the wall clock)" }),
    subject: Type.String({ description: "The letter's subject line, in Dutch" }),
    reference: Type.String(),
    title: Type.String(),
    summary: Nullable(Type.String()),
    boardMeetingDate: CalendarDate,
    commitments: Type.Array(
      Type.Object({ programme: ProgrammeRef, year: Type.Integer(), amountCents: CentsAmount(), purpose: Nullable(Type.String()) }, { additionalProperties: false }),
    ),
    totalAmountCents: CentsAmount(),
    conditions: Type.Array(
      Type.Object(
        { description: Type.String(), dueDate: CalendarDate, blocksDisbursement: Type.Boolean({ description: 'No money is paid before it is fulfilled' }) },
        { additionalProperties: false },
      ),
    ),
    statuteRule: Type.Object(
      { version: Type.Integer(), thresholdCents: CentsAmount(), reference: Type.String() },
      { additionalProperties: false, description: 'The statute rule frozen into the decision at adoption' },
    ),
    reason: StringEnum(['threshold', 'splitting'] as const, { description: 'Why the colleges must ratify' }),
    relatedDecisions: Type.Array(
      Type.Object(
        {
          decisionId: Nullable(Uuid),
          externalReference: Nullable(Type.String()),
          relation: StringEnum(RELATION_KINDS),
          reference: Nullable(Type.String({ description: 'Of a decision in this register' })),
          title: Nullable(Type.String({ description: 'Of a decision in this register' })),
        },
        { additionalProperties: false },
      ),
    ),
    splitting: Type.Object(
      { suspected: Type.Boolean(), cumulativeCents: Nullable(CentsAmount()), relatedDecisions: Type.Array(DecisionRef) },
      { additionalProperties: false, description: 'The splitting check frozen at adoption, its related decisions named' },
    ),
    fundCoverage: Nullable(Type.Object({ uncommittedCentsBefore: CentsAmount(), sufficient: Type.Boolean() }, { additionalProperties: false })),
    coFinancing: Type.Array(
      Type.Object(
        {
          programme: ProgrammeRef,
          year: Type.Integer(),
          funder: Type.Object({ organisationId: Nullable(Uuid), name: Type.String() }, { additionalProperties: false }),
          kind: StringEnum(CO_FINANCING_KINDS),
          amountCents: CentsAmount(),
          reference: Type.String(),
        },
        { additionalProperties: false },
      ),
      { description: "Co-financing by others of the decision's programmes in the decision's years" },
    ),
    documents: Type.Array(Type.Ref('DocumentRef')),
    requiredMunicipalities: Type.Array(OrganisationRef, { description: 'Every centre municipality whose college must approve' }),
    votes: Type.Array(
      Type.Object({ municipality: OrganisationRef, outcome: StringEnum(['approve', 'reject'] as const), decidedOn: CalendarDate }, { additionalProperties: false }),
      { description: 'The votes cast so far, in the order they were recorded' },
    ),
    dueDate: Nullable(CalendarDate),
    auditSeq: Type.Integer({ minimum: 1, description: "The seq of the decision's last audit event: the state the letter was drawn from" }),
    checkpoint: Nullable(
      Type.Object(
        { treeSize: Type.Integer({ minimum: 1 }), rootHash: Type.String({ pattern: '^[0-9a-f]{64}$' }) },
        { additionalProperties: false, description: 'The first checkpoint of the transparency log that includes auditSeq; null before one does' },
      ),
    ),
  },
  { $id: 'RatificationRequest', additionalProperties: false },
);
