import { Type } from 'typebox';
import { MAX_AMOUNT_CENTS } from '../../domain/money.js';
import { CalendarDate, Cents, Page, PageQuery, Text, Timestamp, Uuid } from '../schemas.js';
import { DocumentRef } from './schemas.js';

/** Schemas of what happens to a decision after adoption: payments, amendments, settlement. */
export const Disbursement = Type.Object(
  {
    id: Uuid,
    decisionId: Uuid,
    commitmentId: Uuid,
    amountCents: Type.Integer(),
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

export const SettleBody = Type.Object(
  {
    settledOn: CalendarDate,
    finalAmounts: Type.Array(
      Type.Object(
        {
          commitmentId: Uuid,
          amountCents: Type.Integer({ minimum: 0, maximum: MAX_AMOUNT_CENTS, description: 'Final amount in euro cents (0 releases the whole commitment)' }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100, description: 'One final amount for every commitment of the decision' },
    ),
    reference: Text(200, { description: 'Reference of the settlement decision (vaststellingsbesluit)' }),
    documents: Type.Optional(
      // Inline in a request body: the validator does not resolve the shared component.
      Type.Array(Type.Object(DocumentRef.properties, { additionalProperties: false }), {
        maxItems: 20,
        description: "Documents of the settlement, added to the decision's",
      }),
    ),
  },
  { additionalProperties: false },
);
