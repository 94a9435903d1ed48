import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { listDecisionDisbursementsPage, recordDisbursement } from '../../use-cases/disbursements.js';
import { IdempotencyHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { Disbursement, DisbursementBody, DisbursementPage, PageOnlyQuery } from './disbursements-schemas.js';

export const disbursementComponents = [Disbursement, DisbursementPage];

/** The payments of a decision (voorschot, betaling): `/decisions/{id}/disbursements`. */
export async function disbursementRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };
  const read = { roles: ACCESS.readRegister };

  r.post(
    '/decisions/:id/disbursements',
    {
      config: { access: manage },
      schema: {
        operationId: 'recordDisbursement',
        summary: 'Record a payment on a commitment of a binding decision',
        description:
          'Checks in order: 404; 409 when the decision does not bind (adopted, ratified, settled); 400 ' +
          '(REFERENCED_RESOURCE_NOT_FOUND) for a commitment of another decision; 400 (DISBURSEMENT_DATE_OUT_OF_RANGE) ' +
          'for paidOn before the day the decision began to bind or after today; 409 CONDITION_BLOCKS_DISBURSEMENT while a ' +
          'blocking condition is open; 409 DISBURSEMENT_BLOCKED for paidOn before the day a blocking condition was fulfilled, ' +
          'naming it; 409 DISBURSEMENT_EXCEEDS_COMMITMENT when the amount exceeds what remains of the ' +
          'commitment (its final amount once settled, minus what was paid, also under the decisions it amends; while an ' +
          'amendment awaits ratification, no more than the amendment leaves room for), naming the remaining amount in detail.',
        tags: ['disbursements'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: DisbursementBody,
        response: { 201: jsonResponse(Ref(Disbursement), 'The recorded payment', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'REFERENCED_RESOURCE_NOT_FOUND', 'DISBURSEMENT_DATE_OUT_OF_RANGE', 'DECISION_TRANSITION_NOT_ALLOWED', 'CONDITION_BLOCKS_DISBURSEMENT', 'DISBURSEMENT_BLOCKED', 'DISBURSEMENT_EXCEEDS_COMMITMENT'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await recordDisbursement(ctx, request.caller, request.params.id, request.body)),
  );

  r.get(
    '/decisions/:id/disbursements',
    {
      config: { access: read },
      schema: {
        operationId: 'listDecisionDisbursements',
        summary: 'List the payments of a decision',
        description: 'Its own payments and those made under the decisions it amends, which its commitments\' disbursedCents include.',
        tags: ['disbursements'],
        params: IdParams,
        querystring: PageOnlyQuery,
        response: { 200: jsonResponse(Ref(DisbursementPage), 'A page of payments'), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => {
      const { cursor, limit = 50 } = request.query;
      return listDecisionDisbursementsPage(ctx, request.params.id, cursor, limit);
    },
  );
}
