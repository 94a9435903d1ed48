import { Type } from 'typebox';
import { MAX_AMOUNT_CENTS } from '../../domain/money.js';
import { CalendarDate, CentsAmount, Text, Uuid } from '../schemas.js';
import { DocumentRef } from './schemas.js';

export const SettleBody = Type.Object(
  {
    settledOn: CalendarDate,
    finalAmounts: Type.Array(
      Type.Object(
        {
          commitmentId: Uuid,
          amountCents: CentsAmount({ minimum: 0, maximum: MAX_AMOUNT_CENTS, description: 'Final amount in euro cents (0 releases the whole commitment)' }),
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
