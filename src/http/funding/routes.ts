import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { listDisbursementsPage } from '../../use-cases/disbursements.js';
import { eszlFunding, listCommitmentsPage } from '../../use-cases/funding.js';
import { DisbursementPage, ListDisbursementsQuery } from '../decisions/disbursements-schemas.js';
import { jsonResponse, problems, Ref } from '../schemas.js';
import { CommitmentListItem, CommitmentPage, EszlFunding, FundingQuery, FundingYear, ListCommitmentsQuery, ProgrammeFunding } from './schemas.js';

export const fundingComponents = [CommitmentListItem, CommitmentPage, FundingYear, ProgrammeFunding, EszlFunding];

/** The money across decisions: `/commitments`, `/disbursements` and `/funding`. */
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
    '/disbursements',
    {
      config: { access: read },
      schema: {
        operationId: 'listDisbursements',
        summary: 'List payments across decisions',
        description: 'Filtered by the programme and year of the commitment paid on.',
        tags: ['disbursements'],
        querystring: ListDisbursementsQuery,
        response: { 200: jsonResponse(Ref(DisbursementPage), 'A page of payments'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { programmeId, year, cursor, limit = 50 } = request.query;
      return listDisbursementsPage(ctx, { programmeId, year }, cursor, limit);
    },
  );

  r.get(
    '/funding',
    {
      config: { access: read },
      schema: {
        operationId: 'getFunding',
        summary: 'Money of every programme and of ESZL as a whole, per year',
        description: 'Each programme\'s funding object, and the same year figures summed over the programmes; `year` narrows both to one year.',
        tags: ['programmes'],
        querystring: FundingQuery,
        response: { 200: jsonResponse(Ref(EszlFunding), 'Funding of every programme and in total'), ...problems({ raises: [] }) },
      },
    },
    async (request) => eszlFunding(ctx, { year: request.query.year }),
  );
}
