import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { addCondition, fulfilCondition } from '../../use-cases/conditions.js';
import { IdempotencyHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { ConditionParams, FulfilBody, NewConditionBody } from './conditions-schemas.js';
import { Condition } from './schemas.js';

/** The conditions of a decision: `/decisions/{id}/conditions`, added after adoption, and fulfilled. */
export async function conditionRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };
  const tags = ['decisions'];

  r.post(
    '/decisions/:id/conditions',
    {
      config: { access: manage },
      schema: {
        operationId: 'addCondition',
        summary: 'Add a condition to a decision after its adoption',
        description:
          'Allowed while the decision is pending_ratification, adopted or ratified (else 409). A condition with ' +
          'blocksDisbursement: true blocks every payment of the decision until it is fulfilled.',
        tags: ['decisions'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: NewConditionBody,
        response: { 201: jsonResponse(Ref(Condition), 'The new condition', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'DECISION_TRANSITION_NOT_ALLOWED'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await addCondition(ctx, request.caller, request.params.id, request.body)),
  );

  r.post(
    '/decisions/:id/conditions/:conditionId/fulfil',
    {
      config: { access: manage },
      schema: {
        operationId: 'fulfilCondition',
        summary: 'Record that a condition of the decision is fulfilled',
        description: 'fulfilledOn lies between the board meeting and today (else 400); after the due date the condition shows fulfilledLate.',
        tags,
        params: ConditionParams,
        headers: IdempotencyHeaders,
        body: FulfilBody,
        response: { 200: jsonResponse(Ref(Condition), 'The fulfilled condition', 'idempotent'), ...problems({ raises: ['DECISION_TRANSITION_NOT_ALLOWED', 'CONDITION_NOT_FULFILLABLE', 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', 'REFERENCED_RESOURCE_NOT_FOUND'], idempotent: true }, 404, 413, 415) },
      },
    },
    async (request) => fulfilCondition(ctx, request.caller, request.params.id, request.params.conditionId, request.body),
  );
}
