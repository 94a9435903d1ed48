import { Type } from 'typebox';
import { CalendarDate, Text, Uuid } from '../schemas.js';
import { conditionFields, Documents } from './schemas.js';

/** Schemas of conditions: added after adoption, fulfilled. */
export const NewConditionBody = Type.Object(conditionFields, { additionalProperties: false });

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

export const ConditionParams = Type.Object({ id: Uuid, conditionId: Uuid }, { additionalProperties: false });
