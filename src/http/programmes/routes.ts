import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { createProgramme, getProgramme, listProgrammesPage, patchProgramme } from '../../use-cases/programmes.js';
import { expectedVersion, sendWithEtag } from '../etag.js';
import { IdempotencyHeaders, IdParams, IfMatchHeaders, IfNoneMatchHeaders, jsonResponse, notModifiedResponse, problems, Ref } from '../schemas.js';
import { CreateProgrammeBody, ListProgrammesQuery, PatchProgrammeBody, Programme, ProgrammePage } from './schemas.js';

export const programmeComponents = [Programme, ProgrammePage];

export async function programmeRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['programmes'];

  r.post(
    '/programmes',
    {
      config: { access: { roles: ACCESS.manageRegister } },
      schema: {
        operationId: 'createProgramme',
        summary: 'Register a programme',
        tags,
        headers: IdempotencyHeaders,
        body: CreateProgrammeBody,
        response: { 201: jsonResponse(Ref(Programme), 'The programme as registered', 'idempotent'), ...problems({ raises: ['PROGRAMME_CODE_TAKEN', 'REFERENCED_RESOURCE_NOT_FOUND'], idempotent: true }, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createProgramme(ctx, request.caller, request.body)),
  );

  r.get(
    '/programmes',
    {
      config: { access: { roles: ACCESS.readRegister } },
      schema: {
        operationId: 'listProgrammes',
        summary: 'List programmes',
        tags,
        querystring: ListProgrammesQuery,
        response: { 200: jsonResponse(Ref(ProgrammePage), 'A page of programmes'), ...problems({ raises: [] }) },
      },
    },
    async (request) => listProgrammesPage(ctx, request.query.cursor, request.query.limit ?? 50),
  );

  r.get(
    '/programmes/:id',
    {
      config: { access: { roles: ACCESS.readRegister } },
      schema: {
        operationId: 'getProgramme',
        summary: 'Get one programme',
        tags,
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: jsonResponse(Ref(Programme), 'The programme', 'etag'), 304: notModifiedResponse(), ...problems({ raises: [] }, 404) },
      },
    },
    async (request, reply) => sendWithEtag(request, reply, await getProgramme(ctx, request.params.id)),
  );

  r.patch(
    '/programmes/:id',
    {
      config: { access: { roles: ACCESS.manageRegister } },
      schema: {
        operationId: 'updateProgramme',
        summary: 'Change a programme',
        tags,
        params: IdParams,
        headers: IfMatchHeaders,
        body: PatchProgrammeBody,
        response: {
          200: jsonResponse(Ref(Programme), 'The programme after the change', 'etag'),
          ...problems({ raises: ['PROGRAMME_CODE_TAKEN', 'REFERENCED_RESOURCE_NOT_FOUND'] }, 404, 412, 413, 415),
        },
      },
    },
    async (request, reply) =>
      sendWithEtag(request, reply, await patchProgramme(ctx, request.caller, request.params.id, request.body, expectedVersion(request))),
  );
}
