import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { settleDecision } from '../../use-cases/settlement.js';
import { expectedVersion, sendWithEtag } from '../etag.js';
import { IdempotentIfMatchHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { Decision } from './schemas.js';
import { SettleBody } from './settlement-schemas.js';

/** Settlement (vaststelling) of a decision: `/decisions/{id}/settle`. */
export async function settlementRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };

  r.post(
    '/decisions/:id/settle',
    {
      config: { access: manage },
      schema: {
        operationId: 'settleDecision',
        summary: 'Settle a decision (vaststelling): fix the final amounts',
        description:
          'On an adopted or ratified decision without a live amendment (else 409). finalAmounts names every commitment ' +
          'exactly once; a final amount above the committed amount, or a settledOn before the day the decision began to ' +
          'bind or after today, is 400 (every problem at once); a final amount below what was already paid is 409 ' +
          'AMOUNT_BELOW_DISBURSED. The final amounts bind from then on, the rest is released. Honours If-Match.',
        tags: ['decisions'],
        params: IdParams,
        headers: IdempotentIfMatchHeaders,
        body: SettleBody,
        response: { 200: jsonResponse(Ref(Decision), 'The settled decision', 'idempotent-etag'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'REFERENCED_RESOURCE_NOT_FOUND', 'AMOUNT_OUT_OF_RANGE', 'SETTLEMENT_DATE_OUT_OF_RANGE', 'DECISION_TRANSITION_NOT_ALLOWED', 'AMENDMENT_IN_PROGRESS', 'AMOUNT_BELOW_DISBURSED'], idempotent: true }, 404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) =>
      sendWithEtag(request, reply, await settleDecision(ctx, request.caller, request.params.id, request.body, expectedVersion(request))),
  );
}
