import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { programmeFunding } from '../../use-cases/funding.js';
import { ProgrammeFunding } from '../funding/schemas.js';
import { IdParams, jsonResponse, problems, Ref } from '../schemas.js';

/** The funding of one programme per year: `/programmes/{id}/funding`. */
export async function programmeFundingRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const read = { roles: ACCESS.readRegister };

  r.get(
    '/programmes/:id/funding',
    {
      config: { access: read },
      schema: {
        operationId: 'getProgrammeFunding',
        summary: 'Money of a programme per year',
        description:
          'Binding (adopted, ratified, settled at final amounts; each lineage of a decision and its amendments once), ' +
          'pending (awaiting ratification; of an amendment only its increase), disbursed, released by settlement, ' +
          'remaining (binding minus disbursed) and co-financing, per year and in total.',
        tags: ['programmes'],
        params: IdParams,
        response: { 200: jsonResponse(Ref(ProgrammeFunding), 'Funding per year'), ...problems({ raises: [] }, 404) },
      },
    },
    async (request) => programmeFunding(ctx, request.params.id),
  );
}
