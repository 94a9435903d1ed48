import { Type } from 'typebox';
import { FUND_CHECKS, SPLITTING_ACTIONS, SPLITTING_SCOPES } from '../../domain/records.js';
import { CalendarDate, Nullable, StringEnum, Timestamp, Uuid } from '../schemas.js';

/** A version of the statute rules, as the snapshot export (and the statute rule routes) show it. */
export const StatuteRule = Type.Object(
  {
    id: Uuid,
    version: Type.Integer({ minimum: 1 }),
    effectiveFrom: CalendarDate,
    thresholdCents: Type.Integer({ minimum: 1, description: 'Amount in euro cents' }),
    splitting: Type.Object(
      { scope: StringEnum(SPLITTING_SCOPES), action: StringEnum(SPLITTING_ACTIONS) },
      { additionalProperties: false },
    ),
    ratificationPeriodDays: Nullable(Type.Integer({ minimum: 1, maximum: 365 })),
    fundCheck: StringEnum(FUND_CHECKS),
    reference: Type.String(),
    note: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'StatuteRule', additionalProperties: false },
);
