import { Type } from 'typebox';
import { CO_FINANCING_KINDS } from '../../domain/records.js';
import { Cents, CentsAmount, Nullable, Page, PageQuery, StringEnum, Text, Timestamp, Uuid } from '../schemas.js';
import { Year } from '../fund/schemas.js';

const Kind = StringEnum(CO_FINANCING_KINDS, { description: 'Who co-finances: the Regio Deal, employers, government, or another funder' });

export const CoFinancing = Type.Object(
  {
    id: Uuid,
    programmeId: Uuid,
    funderOrganisationId: Nullable(Uuid),
    funderName: Nullable(Type.String()),
    kind: Kind,
    year: Type.Integer(),
    amountCents: CentsAmount(),
    reference: Type.String(),
    createdAt: Timestamp,
  },
  { $id: 'CoFinancing', additionalProperties: false },
);
export const CoFinancingPage = Page(CoFinancing, 'CoFinancingPage');

export const RecordCoFinancingBody = Type.Object(
  {
    funderOrganisationId: Type.Optional(Nullable(Uuid)),
    funderName: Type.Optional(Nullable(Text(200))),
    kind: Kind,
    year: Year,
    amountCents: Cents,
    reference: Text(200),
  },
  { additionalProperties: false, description: 'At least one of funderOrganisationId and funderName (else 400)' },
);

export const ListCoFinancingQuery = Type.Object({ year: Type.Optional(Year), ...PageQuery }, { additionalProperties: false });
