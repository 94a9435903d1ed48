import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import {
  checkpointVerifierKey,
  latestCheckpoint,
  listCheckpointsPage,
  type CheckpointSettings,
} from '../../use-cases/audit-checkpoints.js';
import { sendWithEtag } from '../etag.js';
import {
  IfNoneMatchHeaders,
  jsonResponse,
  mediaResponse,
  notModifiedResponse,
  Page,
  PageQuery,
  problems,
  publicProblems,
  Ref,
  Timestamp,
} from '../schemas.js';

export const AuditCheckpoint = Type.Object(
  {
    seq: Type.Integer({ minimum: 1, description: 'The tree size: the seq of the head that was signed' }),
    headHash: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'The hash of the event at seq (lower-case hex)' }),
    issuedAt: Timestamp,
    origin: Type.String({ description: 'First line of the checkpoint (AUDIT_CHECKPOINT_ORIGIN)' }),
    keyName: Type.String({ description: 'Name of the signing key (the origin)' }),
    note: Type.String({
      description: 'The signed note: origin, seq and base64 head hash lines, an empty line, and "— <key name> <base64 signature>"',
    }),
  },
  { $id: 'AuditCheckpoint', additionalProperties: false },
);
const AuditCheckpointPage = Page(AuditCheckpoint, 'AuditCheckpointPage');

export const checkpointComponents = [AuditCheckpoint, AuditCheckpointPage];

const TEXT = 'text/plain; charset=utf-8';
const wantsJson = (request: FastifyRequest) => /application\/json/i.test(request.headers.accept ?? '');

const CHECKPOINT_DESCRIPTION =
  'C2SP tlog-checkpoint in a signed note (Ed25519), as Go\'s sumdb/note writes it. Verify it with the key at ' +
  '/audit-checkpoints/public-key and keep it: `npm run audit:verify -- <export> --checkpoint <file> --public-key <key>` ' +
  'then proves that the trail up to its seq was not rewritten. 503 AUDIT_SIGNING_KEY_MISSING on a service without a signing key.';

/**
 * Every role that reads the register reads checkpoints (the contract opens reads of new resources
 * to all of them): a checkpoint shows only the trail's length and head hash, and the more parties
 * keep one, the harder a rewrite goes unnoticed. The verifier key is public.
 */
export async function checkpointRoutes(
  app: FastifyInstance,
  { ctx, settings }: { ctx: ServiceContext; settings: CheckpointSettings },
): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const access = { roles: ACCESS.readRegister };
  const tags = ['audit'];

  r.get(
    '/audit-checkpoints',
    {
      config: { access },
      schema: {
        operationId: 'listAuditCheckpoints',
        summary: 'Signed checkpoints of the audit trail, newest first',
        description: CHECKPOINT_DESCRIPTION,
        tags,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: jsonResponse(Ref(AuditCheckpointPage), 'A page of checkpoints'), ...problems({ raises: [] }) },
      },
    },
    async (request) => listCheckpointsPage(ctx, settings, request.query.cursor, request.query.limit ?? 50),
  );

  r.get(
    '/audit-checkpoints/latest',
    {
      config: { access },
      schema: {
        operationId: 'getLatestAuditCheckpoint',
        summary: 'The newest signed checkpoint: the signed note as text, or JSON with Accept: application/json',
        description: CHECKPOINT_DESCRIPTION,
        tags,
        headers: IfNoneMatchHeaders,
        response: {
          200: mediaResponse(
            'The checkpoint',
            { 'text/plain': { schema: { type: 'string' } }, 'application/json': { schema: Ref(AuditCheckpoint) } },
            'etag',
          ),
          304: notModifiedResponse(),
          ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404),
        },
      },
    },
    async (request, reply) => {
      const checkpoint = await latestCheckpoint(ctx, settings);
      reply.header('Vary', 'Accept');
      if (wantsJson(request)) return sendWithEtag(request, reply, checkpoint);
      reply.type(TEXT);
      return sendWithEtag(request, reply, checkpoint.note);
    },
  );

  r.get(
    '/audit-checkpoints/public-key',
    {
      schema: {
        operationId: 'getAuditCheckpointPublicKey',
        summary: 'The verifier key of the checkpoints (public, no authentication)',
        description: 'As text: <key name>+<key id hex>+<base64(0x01 || Ed25519 public key)>, the verifier key form of Go\'s sumdb/note.',
        tags,
        security: [],
        headers: IfNoneMatchHeaders,
        response: {
          200: mediaResponse('The verifier key', { 'text/plain': { schema: { type: 'string' } } }, 'etag'),
          304: notModifiedResponse(),
          ...publicProblems(400),
        },
      },
    },
    async (request, reply) => {
      const key = checkpointVerifierKey(settings);
      reply.type(TEXT);
      return sendWithEtag(request, reply, key);
    },
  );
}
