import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import { DomainError } from '../../domain/errors.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { etagMatches } from '../etag.js';
import { grantPackageChunks, openDataVersion, voteEventChunks, type OpenDataDocument } from '../../use-cases/open-data.js';
import { IfNoneMatchHeaders, problems, publicProblems, Ref } from '../schemas.js';
import { OpenDataGrantPackage, PopoloVoteEvents } from './schemas.js';

export type OpenDataMode = 'public' | 'auth' | 'off';

/**
 * Open data (Wet open overheid): public data, so unlike the API it may be cached by anyone
 * (`Cache-Control: public`, or `private` when a key is needed) and is open to every origin. The
 * ETag is the audit head, which moves with every change: a revalidation costs one query.
 */
const MAX_AGE_S = 300;

const MODES_TEXT =
  'OPEN_DATA=public (the default): no authentication. OPEN_DATA=auth: any API key. OPEN_DATA=off: 404 for everyone. ' +
  'Cached publicly for five minutes; revalidate with If-None-Match (the ETag changes with every change of the register).';

function headersFor(cacheControl: boolean) {
  return {
    'API-Version': { type: 'string', description: 'Full semantic version of the API contract' },
    'X-Request-Id': { type: 'string', description: 'Identifier of this request' },
    ETag: { type: 'string', description: 'Changes with every change of the register' },
    ...(cacheControl && { 'Cache-Control': { type: 'string', description: 'public, max-age=300 (private with OPEN_DATA=auth)' } }),
  };
}

export async function openDataRoutes(app: FastifyInstance, { ctx, mode }: { ctx: ServiceContext; mode: OpenDataMode }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const access = mode === 'auth' ? { access: { roles: ACCESS.anyKey } } : {};
  const security = mode === 'auth' ? {} : { security: [] };
  const responses = mode === 'auth' ? problems(404) : publicProblems(400, 404);

  async function serve(request: FastifyRequest, reply: FastifyReply, document: OpenDataDocument) {
    if (mode === 'off') throw new DomainError('ROUTE_NOT_FOUND', 'Open data is switched off on this service (OPEN_DATA=off).');
    const version = await openDataVersion(ctx, document);
    reply.header('ETag', version.etag);
    reply.header('Cache-Control', `${mode === 'auth' ? 'private' : 'public'}, max-age=${MAX_AGE_S}`);
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version.etag, true)) return reply.code(304).send();
    const chunks = document === '360giving' ? grantPackageChunks(ctx, version) : voteEventChunks(ctx);
    return reply.type('application/json; charset=utf-8').send(Readable.from(chunks, { objectMode: false, highWaterMark: 64 * 1024 }) as never);
  }

  const ok = (description: string, schema: unknown) =>
    ({ description, headers: headersFor(true), content: { 'application/json': { schema } } }) as never;
  const notModified = { description: 'Not modified: the register did not change', type: 'null', headers: headersFor(true) } as never;

  r.get(
    '/open-data/360giving.json',
    {
      config: { ...access },
      schema: {
        operationId: 'getOpenData360Giving',
        summary: 'Every binding decision as a 360Giving Data Standard package (schema 1.4), amounts in euros',
        description:
          'One grant per decision that binds (adopted, ratified, settled); drafts and pending, rejected, withdrawn and superseded ' +
          'decisions never appear; grants: [] when none binds. Streamed. ' +
          MODES_TEXT,
        tags: ['open-data'],
        ...security,
        headers: IfNoneMatchHeaders,
        response: { 200: ok('The 360Giving package', Ref(OpenDataGrantPackage)), 304: notModified, ...responses },
      },
    },
    async (request, reply) => serve(request, reply, '360giving'),
  );

  r.get(
    '/open-data/vote-events.json',
    {
      config: { ...access },
      schema: {
        operationId: 'getOpenDataVoteEvents',
        summary: 'Every ended ratification as a Popolo vote event, one vote per college',
        description: 'Decisions whose ratification ended: ratified (result pass) or rejected (result fail). Streamed. ' + MODES_TEXT,
        tags: ['open-data'],
        ...security,
        headers: IfNoneMatchHeaders,
        response: { 200: ok('The vote events', Ref(PopoloVoteEvents)), 304: notModified, ...responses },
      },
    },
    async (request, reply) => serve(request, reply, 'vote-events'),
  );
}
