import { Type } from 'typebox';
import { FUND_CHECKS, SPLITTING_ACTIONS, SPLITTING_SCOPES } from '../../domain/records.js';
import { CalendarDate, Cents, CentsAmount, Nullable, Page, PageQuery, StringEnum, Text, Timestamp, Uuid } from '../schemas.js';

const Scope = StringEnum(SPLITTING_SCOPES, {
  description: 'Which decisions count together: none, the same applicant and year, or the same programme and year',
});
const Action = StringEnum(SPLITTING_ACTIONS, { description: 'What suspected splitting does: flag it, or require ratification' });
const FundCheck = StringEnum(FUND_CHECKS, {
  description: 'What adoption does when the ESZL fund does not cover the decision: flag it, or refuse (409 INSUFFICIENT_FUNDS)',
});
const PeriodDays = Type.Integer({ minimum: 1, maximum: 365, description: 'Days after adoption within which the colleges should ratify' });

export const StatuteRule = Type.Object(
  {
    id: Uuid,
    version: Type.Integer({ minimum: 1, description: '1, 2, 3... in order of creation' }),
    effectiveFrom: CalendarDate,
    thresholdCents: CentsAmount({ description: 'Decisions with a total of this or more need ratification by every centre municipality' }),
    splitting: Type.Object({ scope: Scope, action: Action }, { additionalProperties: false }),
    ratificationPeriodDays: Nullable(PeriodDays),
    fundCheck: FundCheck,
    reference: Type.String(),
    note: Nullable(Type.String()),
    createdAt: Timestamp,
  },
  { $id: 'StatuteRule', additionalProperties: false },
);

export const StatuteRulePage = Page(StatuteRule, 'StatuteRulePage');

export const CreateStatuteRuleBody = Type.Object(
  {
    effectiveFrom: Type.String({ format: 'date', maxLength: 10, description: 'Today (Europe/Amsterdam) or later, after every existing rule' }),
    thresholdCents: Cents,
    splitting: Type.Object({ scope: Scope, action: Action }, { additionalProperties: false }),
    ratificationPeriodDays: Type.Optional(Nullable(PeriodDays)),
    fundCheck: Type.Optional(FundCheck),
    reference: Text(200, { description: 'Where the rule comes from, e.g. the article of the statute' }),
    note: Type.Optional(Nullable(Text(4000))),
  },
  { additionalProperties: false },
);

export const ListStatuteRulesQuery = Type.Object(
  {
    effectiveOn: Type.Optional(Type.String({ format: 'date', maxLength: 10, description: 'Only the rule in force on this day' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
