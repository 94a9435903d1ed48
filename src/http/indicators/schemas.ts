import { Type } from 'typebox';
import { PERIOD_PATTERN } from '../../domain/indicators.js';
import { CalendarDate, Nullable, Page, PageQuery, Text, Uuid } from '../schemas.js';
import { DocumentRef } from '../decisions/schemas.js';

const Period = Type.String({ pattern: PERIOD_PATTERN, maxLength: 7, description: 'A year (2026), quarter (2026-Q2) or month (2026-05)' });
const Value = Type.Number({ minimum: -1e12, maximum: 1e12, description: 'The value, in the indicator\'s unit' });
const Target = Type.Object({ period: Period, value: Value }, { additionalProperties: false });

/** One reported value of an indicator (also the `report` of an `indicator.reported` event). */
export const IndicatorReport = Type.Object(
  { period: Period, value: Value, reportedOn: CalendarDate, documents: Type.Array(Type.Ref('DocumentRef')) },
  { additionalProperties: false },
);

export const Indicator = Type.Object(
  {
    id: Uuid,
    decisionId: Uuid,
    code: Type.String(),
    name: Type.String(),
    unit: Type.String(),
    targets: Type.Array(Target),
    reports: Type.Array(IndicatorReport, { description: 'In the order they were recorded' }),
    progress: Type.Array(
      Type.Object({ period: Period, target: Nullable(Value), actual: Nullable(Value) }, { additionalProperties: false }),
      {
        description:
          'Target versus actual per period with a target or a report, in time order; actual is the latest report of that ' +
          'period (null while none), target is null for a period reported without one',
      },
    ),
  },
  { $id: 'Indicator', additionalProperties: false },
);
export const IndicatorPage = Page(Indicator, 'IndicatorPage');

export const DefineIndicatorBody = Type.Object(
  {
    code: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$', description: 'Unique per decision (409 on a duplicate)' }),
    name: Text(300),
    unit: Text(50, { description: 'What the values count, e.g. placements' }),
    targets: Type.Array(Target, { minItems: 1, maxItems: 200, description: 'One target per period' }),
  },
  { additionalProperties: false },
);

// Request schemas are compiled on their own: the document reference is inlined, not referenced.
const DocumentInput = Type.Object(DocumentRef.properties, { additionalProperties: false });

export const ReportIndicatorBody = Type.Object(
  {
    period: Period,
    value: Value,
    reportedOn: Type.String({ format: 'date', maxLength: 10, description: 'Calendar date, YYYY-MM-DD; not after today' }),
    documents: Type.Optional(Type.Array(DocumentInput, { maxItems: 20 })),
  },
  { additionalProperties: false, description: 'A period with a target, or inside the range of the indicator\'s target periods' },
);

export const IndicatorParams = Type.Object({ id: Uuid, indicatorId: Uuid }, { additionalProperties: false });
export const ListIndicatorsQuery = Type.Object({ ...PageQuery }, { additionalProperties: false });
