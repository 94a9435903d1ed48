import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { defineIndicator, listIndicatorsPage, reportIndicator } from '../../use-cases/indicators.js';
import { IdempotencyHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { DefineIndicatorBody, Indicator, IndicatorPage, IndicatorParams, ListIndicatorsQuery, ReportIndicatorBody } from './schemas.js';

export const indicatorComponents = [Indicator, IndicatorPage];

/** Monitoring indicators of a decision: targets per period, reported values, target versus actual. */
export async function indicatorRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['monitoring'];
  const manage = { roles: ACCESS.manageRegister };

  r.post(
    '/decisions/:id/indicators',
    {
      config: { access: manage },
      schema: {
        operationId: 'defineIndicator',
        summary: 'Define a monitoring indicator with targets for a decision',
        description:
          'Allowed while the decision is draft, pending_ratification, adopted or ratified (else 409). The code is unique per ' +
          'decision (409 INDICATOR_CODE_TAKEN); each target period once.',
        tags,
        params: IdParams,
        headers: IdempotencyHeaders,
        body: DefineIndicatorBody,
        response: { 201: jsonResponse(Ref(Indicator), 'The indicator', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'DECISION_TRANSITION_NOT_ALLOWED', 'INDICATOR_CODE_TAKEN'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await defineIndicator(ctx, request.caller, request.params.id, request.body)),
  );

  r.post(
    '/decisions/:id/indicators/:indicatorId/reports',
    {
      config: { access: manage },
      schema: {
        operationId: 'reportIndicator',
        summary: 'Report the value of an indicator for one period',
        description:
          'Allowed while the decision is pending_ratification, adopted or ratified (else 409). The period must have a target or ' +
          'lie inside the range of the target periods, and reportedOn not after today (else 400). The answer is the indicator ' +
          'with its reports and target versus actual; a later report of a period corrects an earlier one.',
        tags,
        params: IndicatorParams,
        headers: IdempotencyHeaders,
        body: ReportIndicatorBody,
        response: { 201: jsonResponse(Ref(Indicator), 'The indicator with the new report', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'DECISION_TRANSITION_NOT_ALLOWED'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await reportIndicator(ctx, request.caller, request.params.id, request.params.indicatorId, request.body)),
  );

  r.get(
    '/decisions/:id/indicators',
    {
      config: { access: { roles: ACCESS.readRegister } },
      schema: {
        operationId: 'listIndicators',
        summary: 'List a decision\'s indicators with targets, reports and target versus actual',
        tags,
        params: IdParams,
        querystring: ListIndicatorsQuery,
        response: { 200: jsonResponse(Ref(IndicatorPage), 'A page of indicators'), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => listIndicatorsPage(ctx, request.params.id, request.query.cursor, request.query.limit ?? 50),
  );
}
