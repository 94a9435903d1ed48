import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { listDecisionHistoryPage } from '../../use-cases/decision-history.js';
import { CalendarDate, IdParams, jsonResponse, Nullable, Page, PageQuery, problems, Ref, Timestamp, Uuid } from '../schemas.js';

/** A decision's past, rebuilt from the audit trail: its history, and (in routes.ts) `asOf`. */
export const DecisionHistoryItem = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'The audit event\'s seq' }),
    occurredAt: Timestamp,
    action: Type.String({ description: 'The audit event\'s action, e.g. decision.adopted, vote.cast' }),
    actor: Type.Object(
      { keyId: Nullable(Uuid), role: Type.String(), organisationId: Nullable(Uuid) },
      { additionalProperties: false },
    ),
    happenedOn: Type.Object(
      {
        boardMeetingDate: CalendarDate,
        adoptedOn: Nullable(CalendarDate),
        bindingSince: Nullable(CalendarDate),
        settledOn: Nullable(CalendarDate),
      },
      {
        additionalProperties: false,
        description:
          'When the steps happened, as the decision right after this change records them: occurredAt is when this change was recorded, ' +
          'which may be later (an adoption recorded after the fact keeps its adoptedOn)',
      },
    ),
    decision: Type.Ref('Decision', { description: 'The whole decision as recorded right after this change' }),
  },
  { $id: 'DecisionHistoryItem', additionalProperties: false },
);
const DecisionHistoryPage = Page(DecisionHistoryItem, 'DecisionHistoryPage');

export const decisionHistoryComponents = [DecisionHistoryItem, DecisionHistoryPage];

export async function decisionHistoryRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/decisions/:id/history',
    {
      config: { access: { roles: ACCESS.readRegister } },
      schema: {
        operationId: 'getDecisionHistory',
        summary: 'The changes of a decision in seq order, each with the whole decision right after it',
        description:
          'Read from the audit trail (the events of resource type decision with this id). Events recorded before every ' +
          'decision event carried the whole decision (older vote.cast and condition.fulfilled) are left out.',
        tags: ['decisions'],
        params: IdParams,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: jsonResponse(Ref(DecisionHistoryPage), 'A page of the decision\'s history'), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => {
      const { cursor, limit = 50 } = request.query;
      return listDecisionHistoryPage(ctx, request.params.id, cursor, limit);
    },
  );
}
