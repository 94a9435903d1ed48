import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { createProgramme, getProgramme, listProgrammesPage, patchProgramme } from '../../use-cases/programmes.js';
import { IdParams, jsonResponse, problems, Ref } from '../schemas.js';
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
        body: CreateProgrammeBody,
        response: { 201: jsonResponse(Ref(Programme), 'The programme as registered'), ...problems(409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createProgramme(ctx, request.principal, request.body)),
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
        response: { 200: jsonResponse(Ref(ProgrammePage), 'A page of programmes'), ...problems() },
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
        response: { 200: jsonResponse(Ref(Programme), 'The programme'), ...problems(404) },
      },
    },
    async (request) => getProgramme(ctx, request.params.id),
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
        body: PatchProgrammeBody,
        response: { 200: jsonResponse(Ref(Programme), 'The programme after the change'), ...problems(404, 409, 413, 415) },
      },
    },
    async (request) => patchProgramme(ctx, request.principal, request.params.id, request.body),
  );
}
