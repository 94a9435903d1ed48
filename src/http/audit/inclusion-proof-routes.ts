import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { auditEventInclusionProof } from '../../use-cases/tlog-proofs.js';
import type { TlogSettings } from '../../use-cases/tlog-settings.js';
import { jsonResponse, problems, Ref } from '../schemas.js';
import { InclusionProof, InclusionProofParams, InclusionProofQuery } from './inclusion-proof-schemas.js';

/** `GET /audit-events/{seq}/inclusion-proof`: an event's place in the transparency log. */
export async function inclusionProofRoutes(app: FastifyInstance, { ctx, settings }: { ctx: ServiceContext; settings: TlogSettings }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/audit-events/:seq/inclusion-proof',
    {
      config: { access: { roles: ACCESS.audit } },
      schema: {
        operationId: 'getAuditEventInclusionProof',
        summary: 'The inclusion proof of an audit event in the transparency log (RFC 6962 2.1.1)',
        description:
          'The leaf is the event\'s chain hash (leaf index seq - 1). Verify it against a checkpoint of `treeSize` ' +
          '(default: the latest). `treeSize` beyond the latest checkpoint, or a seq above it: 400 PROOF_OUT_OF_RANGE.',
        tags: ['audit'],
        params: InclusionProofParams,
        querystring: InclusionProofQuery,
        response: { 200: jsonResponse(Ref(InclusionProof), 'The proof'), ...problems({ raises: ['PROOF_OUT_OF_RANGE', 'RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => auditEventInclusionProof(ctx, settings, request.params.seq, request.query.treeSize),
  );
}
