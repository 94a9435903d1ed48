import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { addDocuments } from '../../use-cases/decisions.js';
import { sendWithEtag } from '../etag.js';
import { IdempotencyHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { AddDocumentsBody } from './documents-schemas.js';
import { Decision } from './schemas.js';

/** Documents added to a decision: `/decisions/{id}/documents`. */
export async function documentRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };
  const tags = ['decisions'];

  r.post(
    '/decisions/:id/documents',
    {
      config: { access: manage },
      schema: {
        operationId: 'addDecisionDocuments',
        summary: 'Add documents to a decision (any state but withdrawn)',
        description: 'Appends to the decision\'s documents; a decision holds at most 20 (400 when the sum would exceed that).',
        tags,
        params: IdParams,
        headers: IdempotencyHeaders,
        body: AddDocumentsBody,
        response: { 200: jsonResponse(Ref(Decision), 'The decision with its documents', 'idempotent-etag'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'DECISION_TRANSITION_NOT_ALLOWED'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => sendWithEtag(request, reply, await addDocuments(ctx, request.caller, request.params.id, request.body.documents)),
  );
}
