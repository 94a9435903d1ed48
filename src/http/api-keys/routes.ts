import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS, ROLES } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { createApiKey, currentApiKey, listApiKeysPage, revokeKey } from '../../use-cases/api-keys.js';
import { IdempotencyHeaders, IdParams, jsonResponse, noContentResponse, Nullable, Page, PageQuery, problems, Ref, StringEnum, Text, Timestamp, Uuid } from '../schemas.js';

const Role = StringEnum(ROLES, { description: 'What the key may do' });

export const ApiKey = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    role: Role,
    organisationId: Nullable(Uuid),
    createdAt: Timestamp,
    revokedAt: Nullable(Timestamp),
  },
  { $id: 'ApiKey', additionalProperties: false },
);

export const CreatedApiKey = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    role: Role,
    organisationId: Nullable(Uuid),
    key: Type.String({ description: 'The secret key. Shown only in this response; store it safely.' }),
    createdAt: Timestamp,
    revokedAt: Nullable(Timestamp),
  },
  { $id: 'CreatedApiKey', additionalProperties: false },
);

const ApiKeyPage = Page(ApiKey, 'ApiKeyPage');

const CreateApiKeyBody = Type.Object(
  {
    name: Text(200),
    role: Role,
    organisationId: Type.Optional(Nullable(Uuid)),
  },
  { additionalProperties: false },
);

export const apiKeyComponents = [ApiKey, CreatedApiKey, ApiKeyPage];

export async function apiKeyRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['api-keys'];
  const access = { roles: ACCESS.manageKeys };

  r.post(
    '/api-keys',
    {
      config: { access, idempotency: 'noBody' },
      schema: {
        operationId: 'createApiKey',
        summary: 'Issue an API key',
        description: 'A college key must be bound to a centre municipality (organisationId). The key is shown only once.',
        tags,
        headers: IdempotencyHeaders,
        body: CreateApiKeyBody,
        response: { 201: jsonResponse(Ref(CreatedApiKey), 'The new key, with its secret', 'idempotent'), ...problems({ raises: ['COLLEGE_KEY_NEEDS_CENTRE_MUNICIPALITY'], idempotent: true }, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createApiKey(ctx, request.caller, request.body)),
  );

  r.get(
    '/api-keys',
    {
      config: { access },
      schema: {
        operationId: 'listApiKeys',
        summary: 'List API keys (never their secrets)',
        tags,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: jsonResponse(Ref(ApiKeyPage), 'A page of API keys'), ...problems({ raises: [] }) },
      },
    },
    async (request) => listApiKeysPage(ctx, request.query.cursor, request.query.limit ?? 50),
  );

  r.get(
    '/api-keys/current',
    {
      config: { access: { roles: ACCESS.anyKey } },
      schema: {
        operationId: 'getCurrentApiKey',
        summary: 'The API key of this request',
        description:
          'Any active key may read itself (never its secret): which key, role and municipality an integration is using. Answered from authentication alone.',
        tags,
        response: { 200: jsonResponse(Ref(ApiKey), 'The calling key'), ...problems({ raises: [] }) },
      },
    },
    async (request) => currentApiKey(request.principal),
  );

  r.delete(
    '/api-keys/:id',
    {
      config: { access },
      schema: {
        operationId: 'revokeApiKey',
        summary: 'Revoke an API key; it stops working at once',
        tags,
        params: IdParams,
        response: { 204: noContentResponse('Revoked'), ...problems({ raises: [] }, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      await revokeKey(ctx, request.caller, request.params.id);
      return reply.code(204).send(null);
    },
  );
}
