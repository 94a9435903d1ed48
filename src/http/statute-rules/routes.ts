import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { createStatuteRule, getStatuteRule, listStatuteRulesPageOf } from '../../use-cases/statute-rules.js';
import { sendWithEtag } from '../etag.js';
import { IdempotencyHeaders, IdParams, IfNoneMatchHeaders, jsonResponse, notModifiedResponse, problems, Ref } from '../schemas.js';
import { CreateStatuteRuleBody, ListStatuteRulesQuery, StatuteRule, StatuteRulePage } from './schemas.js';

export const statuteRuleComponents = [StatuteRule, StatuteRulePage];

/** The statute's rules as versioned data: read by every role, added (never edited) by admins. */
export async function statuteRuleRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['statute-rules'];

  r.post(
    '/statute-rules',
    {
      config: { access: { roles: ACCESS.manageStatute } },
      schema: {
        operationId: 'createStatuteRule',
        summary: 'Add the next version of the statute rules',
        description:
          'effectiveFrom before today (Europe/Amsterdam) is 400; not after the latest rule\'s effectiveFrom is 409 ' +
          'STATUTE_RULE_NOT_LATEST. Rules are never edited or deleted; each decision keeps the rule it was adopted under.',
        tags,
        headers: IdempotencyHeaders,
        body: CreateStatuteRuleBody,
        response: { 201: jsonResponse(Ref(StatuteRule), 'The new rule', 'idempotent'), ...problems({ raises: ['STATUTE_RULE_NOT_LATEST'], idempotent: true }, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createStatuteRule(ctx, request.caller, request.body)),
  );

  r.get(
    '/statute-rules',
    {
      config: { access: { roles: ACCESS.anyKey } },
      schema: {
        operationId: 'listStatuteRules',
        summary: 'List the statute rules in version order',
        description: 'With effectiveOn, the list holds the one rule in force that day.',
        tags,
        querystring: ListStatuteRulesQuery,
        response: { 200: jsonResponse(Ref(StatuteRulePage), 'A page of statute rules'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { effectiveOn, cursor, limit = 50 } = request.query;
      return listStatuteRulesPageOf(ctx, { effectiveOn }, cursor, limit);
    },
  );

  r.get(
    '/statute-rules/:id',
    {
      config: { access: { roles: ACCESS.anyKey } },
      schema: {
        operationId: 'getStatuteRule',
        summary: 'Get one version of the statute rules',
        tags,
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: jsonResponse(Ref(StatuteRule), 'The statute rule', 'etag'), 304: notModifiedResponse(), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request, reply) => sendWithEtag(request, reply, await getStatuteRule(ctx, request.params.id)),
  );
}
