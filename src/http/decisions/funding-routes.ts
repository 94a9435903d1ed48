import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { listCommitmentsPage, programmeFunding } from '../../use-cases/funding.js';
import { IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { CommitmentListItem, CommitmentPage, ListCommitmentsQuery, ProgrammeFunding } from './schemas.js';

export const fundingComponents = [CommitmentListItem, CommitmentPage, ProgrammeFunding];

/** Money views across decisions: commitments by programme and year, and funding per programme. */
export async function fundingRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const read = { roles: ACCESS.readRegister };

  r.get(
    '/commitments',
    {
      config: { access: read },
      schema: {
        operationId: 'listCommitments',
        summary: 'List funding commitments across decisions',
        tags: ['commitments'],
        querystring: ListCommitmentsQuery,
        response: { 200: jsonResponse(Ref(CommitmentPage), 'A page of commitments'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { programmeId, year, binding, cursor, limit = 50 } = request.query;
      return listCommitmentsPage(ctx, { programmeId, year, binding }, cursor, limit);
    },
  );

  r.get(
    '/programmes/:id/funding',
    {
      config: { access: read },
      schema: {
        operationId: 'getProgrammeFunding',
        summary: 'Binding and pending money of a programme per year',
        tags: ['programmes'],
        params: IdParams,
        response: { 200: jsonResponse(Ref(ProgrammeFunding), 'Funding per year'), ...problems({ raises: [] }, 404) },
      },
    },
    async (request) => programmeFunding(ctx, request.params.id),
  );
}
