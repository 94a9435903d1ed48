import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import {
  createOrganisation,
  getOrganisation,
  listOrganisationsPage,
  patchOrganisation,
} from '../../use-cases/organisations.js';
import { expectedVersion, sendWithEtag } from '../etag.js';
import { IdempotencyHeaders, IdParams, IfMatchHeaders, IfNoneMatchHeaders, jsonResponse, notModifiedResponse, problems, Ref } from '../schemas.js';
import {
  CreateOrganisationBody,
  ListOrganisationsQuery,
  Organisation,
  OrganisationPage,
  PatchOrganisationBody,
} from './schemas.js';

export const organisationComponents = [Organisation, OrganisationPage];

export async function organisationRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['organisations'];

  r.post(
    '/organisations',
    {
      config: { access: { roles: ACCESS.manageRegister } },
      schema: {
        operationId: 'createOrganisation',
        summary: 'Register an organisation',
        tags,
        headers: IdempotencyHeaders,
        body: CreateOrganisationBody,
        response: { 201: jsonResponse(Ref(Organisation), 'The organisation as registered', 'idempotent'), ...problems({ raises: ['CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY'], idempotent: true }, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createOrganisation(ctx, request.caller, request.body)),
  );

  r.get(
    '/organisations',
    {
      config: { access: { roles: ACCESS.readRegister } },
      schema: {
        operationId: 'listOrganisations',
        summary: 'List organisations',
        tags,
        querystring: ListOrganisationsQuery,
        response: { 200: jsonResponse(Ref(OrganisationPage), 'A page of organisations'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { kind, centreMunicipality, cursor, limit = 50 } = request.query;
      return listOrganisationsPage(ctx, { kind, centreMunicipality }, cursor, limit);
    },
  );

  r.get(
    '/organisations/:id',
    {
      config: { access: { roles: ACCESS.readRegister } },
      schema: {
        operationId: 'getOrganisation',
        summary: 'Get one organisation',
        tags,
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: jsonResponse(Ref(Organisation), 'The organisation', 'etag'), 304: notModifiedResponse(), ...problems({ raises: [] }, 404) },
      },
    },
    async (request, reply) => sendWithEtag(request, reply, await getOrganisation(ctx, request.params.id)),
  );

  r.patch(
    '/organisations/:id',
    {
      config: { access: { roles: ACCESS.manageRegister } },
      schema: {
        operationId: 'updateOrganisation',
        summary: 'Change an organisation',
        tags,
        params: IdParams,
        headers: IfMatchHeaders,
        body: PatchOrganisationBody,
        response: {
          200: jsonResponse(Ref(Organisation), 'The organisation after the change', 'etag'),
          ...problems({ raises: ['CENTRE_MUNICIPALITY_NOT_A_MUNICIPALITY'] }, 404, 412, 413, 415),
        },
      },
    },
    async (request, reply) =>
      sendWithEtag(request, reply, await patchOrganisation(ctx, request.caller, request.params.id, request.body, expectedVersion(request))),
  );
}
