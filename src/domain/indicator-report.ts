import { Type } from 'typebox';
import { CalendarDate } from './schema-types.js';

/** A period of an indicator: a year (`2026`), a quarter (`2026-Q2`) or a month (`2026-05`). */
export const PERIOD_PATTERN = '^(20[0-9]{2}|2100)(-Q[1-4]|-(0[1-9]|1[0-2]))?$';

export const IndicatorPeriod = Type.String({ pattern: PERIOD_PATTERN, maxLength: 7, description: 'A year (2026), quarter (2026-Q2) or month (2026-05)' });
export const IndicatorValue = Type.Number({ minimum: -1e12, maximum: 1e12, description: 'The value, in the indicator\'s unit' });

/**
 * One reported value of an indicator (also the `report` of an `indicator.reported` event): the
 * schema the record type `IndicatorReport` of `records.ts` is derived from. Its documents name
 * the `DocumentRef` component; this module imports no record, so the records and the event
 * catalogue both build on it.
 */
export const IndicatorReport = Type.Object(
  { period: IndicatorPeriod, value: IndicatorValue, reportedOn: CalendarDate, documents: Type.Array(Type.Ref('DocumentRef')) },
  { additionalProperties: false },
);
