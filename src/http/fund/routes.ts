import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { getFundPosition, listFundContributionsPage, recordFundContribution } from '../../use-cases/fund.js';
import { sendWithEtag } from '../etag.js';
import { IdempotencyHeaders, IfNoneMatchHeaders, jsonResponse, notModifiedResponse, problems, Ref } from '../schemas.js';
import {
  FundContribution,
  FundContributionPage,
  FundPosition,
  ListFundContributionsQuery,
  RecordFundContributionBody,
} from './schemas.js';

export const fundComponents = [FundContribution, FundContributionPage, FundPosition];

/** The ESZL fund (contributions and position) and the co-financing of programmes by others. */
export async function fundRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };
  const read = { roles: ACCESS.readRegister };

  r.post(
    '/fund/contributions',
    {
      config: { access: manage },
      schema: {
        operationId: 'recordFundContribution',
        summary: 'Record a municipality\'s contribution to the ESZL fund',
        description: 'organisationId must be an organisation of kind municipality (else 400).',
        tags: ['fund'],
        headers: IdempotencyHeaders,
        body: RecordFundContributionBody,
        response: { 201: jsonResponse(Ref(FundContribution), 'The contribution', 'idempotent'), ...problems({ raises: ['REFERENCED_RESOURCE_NOT_FOUND'], idempotent: true }, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await recordFundContribution(ctx, request.caller, request.body)),
  );

  r.get(
    '/fund/contributions',
    {
      config: { access: read },
      schema: {
        operationId: 'listFundContributions',
        summary: 'List the contributions to the ESZL fund',
        tags: ['fund'],
        querystring: ListFundContributionsQuery,
        response: { 200: jsonResponse(Ref(FundContributionPage), 'A page of contributions'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { organisationId, year, cursor, limit = 50 } = request.query;
      return listFundContributionsPage(ctx, { organisationId, year }, cursor, limit);
    },
  );

  r.get(
    '/fund',
    {
      config: { access: read },
      schema: {
        operationId: 'getFund',
        summary: 'The ESZL fund: contributed, binding, pending, disbursed and uncommitted money, in total and per year',
        tags: ['fund'],
        querystring: Type.Object({}, { additionalProperties: false }),
        headers: IfNoneMatchHeaders,
        response: { 200: jsonResponse(Ref(FundPosition), 'The fund\'s position', 'etag'), 304: notModifiedResponse(), ...problems({ raises: [] }) },
      },
    },
    async (request, reply) => sendWithEtag(request, reply, await getFundPosition(ctx)),
  );
}
