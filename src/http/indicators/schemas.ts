import { Type } from 'typebox';
import { IndicatorReport, IndicatorPeriod as Period, IndicatorValue as Value } from '../../domain/indicator-report.js';
import { Nullable, Page, PageQuery, Text, Uuid } from '../schemas.js';

export { IndicatorReport } from '../../domain/indicator-report.js';
import { DocumentRef } from '../decisions/schemas.js';

const Target = Type.Object({ period: Period, value: Value }, { additionalProperties: false });

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
