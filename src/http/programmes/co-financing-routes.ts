import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { listCoFinancingPage, recordCoFinancing } from '../../use-cases/co-financing.js';
import { IdempotencyHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { CoFinancing, CoFinancingPage, ListCoFinancingQuery, RecordCoFinancingBody } from './co-financing-schemas.js';

export const coFinancingComponents = [CoFinancing, CoFinancingPage];

/** Co-financing of a programme by others than ESZL: `/programmes/{id}/co-financing`. */
export async function coFinancingRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };
  const read = { roles: ACCESS.readRegister };

  r.post(
    '/programmes/:id/co-financing',
    {
      config: { access: manage },
      schema: {
        operationId: 'recordCoFinancing',
        summary: 'Record co-financing of a programme by another funder',
        description: 'Name the funder by funderOrganisationId, funderName or both (neither is 400).',
        tags: ['fund'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: RecordCoFinancingBody,
        response: { 201: jsonResponse(Ref(CoFinancing), 'The co-financing', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'REFERENCED_RESOURCE_NOT_FOUND'], idempotent: true }, 404, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await recordCoFinancing(ctx, request.caller, request.params.id, request.body)),
  );

  r.get(
    '/programmes/:id/co-financing',
    {
      config: { access: read },
      schema: {
        operationId: 'listCoFinancing',
        summary: 'List the co-financing of a programme',
        tags: ['fund'],
        params: IdParams,
        querystring: ListCoFinancingQuery,
        response: { 200: jsonResponse(Ref(CoFinancingPage), 'A page of co-financing'), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => {
      const { year, cursor, limit = 50 } = request.query;
      return listCoFinancingPage(ctx, request.params.id, { year }, cursor, limit);
    },
  );
}
