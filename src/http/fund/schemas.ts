import { Type } from 'typebox';
import { CalendarDate, Cents, CentsAmount, Page, PageQuery, Text, Timestamp, Uuid } from '../schemas.js';

export const Year = Type.Integer({ minimum: 2000, maximum: 2100, description: 'Calendar year' });
const Money = (description: string) => CentsAmount({ description });

export const FundContribution = Type.Object(
  {
    id: Uuid,
    organisationId: Uuid,
    year: Type.Integer(),
    amountCents: CentsAmount(),
    receivedOn: CalendarDate,
    reference: Type.String(),
    createdAt: Timestamp,
  },
  { $id: 'FundContribution', additionalProperties: false },
);
export const FundContributionPage = Page(FundContribution, 'FundContributionPage');

export const RecordFundContributionBody = Type.Object(
  {
    organisationId: Type.String({ format: 'uuid', maxLength: 36, description: 'The municipality that contributes' }),
    year: Year,
    amountCents: Cents,
    receivedOn: CalendarDate,
    reference: Text(200),
  },
  { additionalProperties: false },
);

export const ListFundContributionsQuery = Type.Object(
  { organisationId: Type.Optional(Uuid), year: Type.Optional(Year), ...PageQuery },
  { additionalProperties: false },
);

const fundMoney = {
  contributedCents: Money('Brought into the fund by the municipalities'),
  bindingCents: Money('Committed by binding decisions (adopted, ratified; settled ones by their final amounts)'),
  pendingCents: Money('Committed by decisions awaiting ratification (of an amendment, only its increase)'),
  disbursedCents: Money('Paid on binding decisions'),
  uncommittedCents: Money('contributed - binding - pending; negative when more was committed than contributed'),
};

export const FundPosition = Type.Object(
  {
    ...fundMoney,
    years: Type.Array(Type.Object({ year: Type.Integer(), ...fundMoney }, { additionalProperties: false }), {
      description: 'Per year: contributions by their year, commitments by theirs',
    }),
  },
  { $id: 'FundPosition', additionalProperties: false },
);

