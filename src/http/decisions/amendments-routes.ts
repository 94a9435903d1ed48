import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { createAmendment } from '../../use-cases/amendments.js';
import { IdempotencyHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { CreateDecisionBody, Decision } from './schemas.js';

/** Amendments (wijzigingsbesluiten) of a binding decision: `/decisions/{id}/amendments`. */
export async function amendmentRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };

  r.post(
    '/decisions/:id/amendments',
    {
      config: { access: manage },
      schema: {
        operationId: 'createAmendment',
        summary: 'Start an amendment (wijzigingsbesluit) of a binding decision',
        description:
          'Takes the body of a new decision with the full new set of commitments and answers a new draft with amends set. ' +
          'Allowed while the amended decision is adopted or ratified and has no other amendment in draft or ' +
          'pending_ratification (else 409). Adopting the amendment needs ratification when its total reaches the threshold ' +
          'and is higher than the amended decision\'s total; when it binds, the amended decision becomes superseded, and ' +
          'what was paid under it counts against the amendment\'s commitments of the same programme and year (an amendment ' +
          'that would commit less there than was paid answers 409 AMOUNT_BELOW_DISBURSED at adoption).',
        tags: ['decisions'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: CreateDecisionBody,
        response: { 201: jsonResponse(Ref(Decision), 'The amendment, a draft', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'REFERENCED_RESOURCE_NOT_FOUND', 'AMOUNT_OUT_OF_RANGE', 'DECISION_REFERENCE_TAKEN', 'DECISION_TRANSITION_NOT_ALLOWED', 'AMENDMENT_IN_PROGRESS'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createAmendment(ctx, request.caller, request.params.id, request.body)),
  );
}
