import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ACCESS } from '../../domain/access.js';
import { RATIFICATION_STATES } from '../../domain/ratification-overview.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { listRatificationsPage } from '../../use-cases/ratifications.js';
import { CalendarDate, CentsAmount, jsonResponse, Nullable, Page, PageQuery, problems, Ref, StringEnum, Uuid } from '../schemas.js';

const State = StringEnum(RATIFICATION_STATES, {
  description:
    'voted: this college voted; overdue: not voted and the due date has passed; due_soon: not voted and the due date is at most the ' +
    'largest of RATIFICATION_REMINDER_DAYS away; awaiting: not voted, due later or without a due date',
});

export const RatificationItem = Type.Object(
  {
    decisionId: Uuid,
    reference: Type.String(),
    title: Type.String(),
    totalAmountCents: CentsAmount(),
    municipality: Type.Object({ id: Uuid, name: Type.String() }, { additionalProperties: false }),
    state: State,
    dueDate: Nullable(CalendarDate),
    daysLeft: Nullable(Type.Integer({ description: 'Days from today (Europe/Amsterdam) to the due date, negative once passed; null without a due date' })),
    vote: Type.Union([Type.Ref('Vote'), Type.Null()], { description: "This municipality's vote, or null" }),
    votes: Type.Array(Type.Ref('Vote'), { description: 'Every vote cast on the decision so far, in the order accepted' }),
  },
  { $id: 'RatificationItem', additionalProperties: false },
);
export const RatificationPage = Page(RatificationItem, 'RatificationPage');
export const ratificationComponents = [RatificationItem, RatificationPage];

const RatificationsQuery = Type.Object(
  {
    municipalityId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'Only this municipality (a college key: its own, the default)' })),
    state: Type.Optional(State),
    ...PageQuery,
  },
  { additionalProperties: false },
);

/** The colleges' overview: what awaits each college's decision, by due date. */
export async function ratificationRoutes(app: FastifyInstance, { ctx, reminderDays }: { ctx: ServiceContext; reminderDays: readonly number[] }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/ratifications',
    {
      config: {
        access: {
          roles: ACCESS.readRegister,
          municipalityOf: (request) => (request.query as { municipalityId?: unknown } | undefined)?.municipalityId,
        },
      },
      schema: {
        operationId: 'listRatifications',
        summary: 'Every college and every decision awaiting its ratification: state, due date, days left and votes',
        description:
          'One item per decision in pending_ratification and municipality it requires, ordered by dueDate (none last), then decision ' +
          'id. Filters combine. A college key sees its own municipality only (403 when municipalityId names another).',
        tags: ['ratification'],
        querystring: RatificationsQuery,
        response: { 200: jsonResponse(Ref(RatificationPage), 'A page of ratifications'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { municipalityId, state, cursor, limit = 50 } = request.query;
      return listRatificationsPage(ctx, request.principal, reminderDays, { municipalityId, state, cursor, limit });
    },
  );
}
