import { Type } from 'typebox';
import { CalendarDate, Cents, CentsAmount, Page, PageQuery, Text, Timestamp, Uuid } from '../schemas.js';

/** Schemas of payments: of a decision, and across decisions. */
export const Disbursement = Type.Object(
  {
    id: Uuid,
    decisionId: Uuid,
    commitmentId: Uuid,
    amountCents: CentsAmount(),
    paidOn: CalendarDate,
    reference: Type.String(),
    createdAt: Timestamp,
  },
  { $id: 'Disbursement', additionalProperties: false },
);
export const DisbursementPage = Page(Disbursement, 'DisbursementPage');

export const DisbursementBody = Type.Object(
  {
    commitmentId: Uuid,
    amountCents: Cents,
    paidOn: CalendarDate,
    reference: Text(200, { description: 'Payment reference (betalingskenmerk, boekingsnummer)' }),
  },
  { additionalProperties: false },
);

export const ListDisbursementsQuery = Type.Object(
  {
    programmeId: Type.Optional(Uuid),
    year: Type.Optional(Type.Integer({ minimum: 2000, maximum: 2100, description: 'Year of the commitment paid on' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);

export const PageOnlyQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });

