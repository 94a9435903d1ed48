import { Type } from 'typebox';
import { CentsAmount, Nullable, Page, PageQuery, Uuid } from '../schemas.js';
import { Status, Year } from '../decisions/schemas.js';

/** Schemas of the money across decisions: commitments, funding per programme and year. */
export const CommitmentListItem = Type.Object(
  {
    id: Uuid,
    decisionId: Uuid,
    programmeId: Uuid,
    year: Type.Integer(),
    amountCents: CentsAmount(),
    purpose: Nullable(Type.String()),
    finalAmountCents: Nullable(CentsAmount()),
    disbursedCents: CentsAmount(),
    decisionStatus: Status,
    binding: Type.Boolean({ description: 'True when the decision is adopted, ratified or settled' }),
  },
  { $id: 'CommitmentListItem', additionalProperties: false },
);
export const CommitmentPage = Page(CommitmentListItem, 'CommitmentPage');

const cents = (description: string) => CentsAmount({ description });

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
  totalBindingCents: CentsAmount(),
  totalPendingCents: CentsAmount(),
  totalDisbursedCents: CentsAmount(),
  totalReleasedCents: CentsAmount(),
  totalRemainingCents: CentsAmount(),
  totalCoFinancingCents: CentsAmount(),
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

export const ListCommitmentsQuery = Type.Object(
  {
    programmeId: Type.Optional(Uuid),
    year: Type.Optional(Year),
    binding: Type.Optional(Type.Boolean({ description: 'true: only binding money; false: only non-binding' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
