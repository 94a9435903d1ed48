import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { tlogConsistencyProof } from '../../use-cases/tlog-proofs.js';
import type { TlogSettings } from '../../use-cases/tlog-settings.js';
import { tlogStatus } from '../../use-cases/tlog-status.js';
import { jsonResponse, NoQuery, problems, Ref } from '../schemas.js';
import { ConsistencyProof, ConsistencyQuery, TlogStatus } from './schemas.js';

/** `/api/v1/tlog/...`: the transparency log's consistency proofs and its status, for auditors. */
export async function tlogRoutes(app: FastifyInstance, { ctx, settings }: { ctx: ServiceContext; settings: TlogSettings }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const access = { roles: ACCESS.audit };
  const tags = ['audit'];

  r.get(
    '/tlog/consistency-proof',
    {
      config: { access },
      schema: {
        operationId: 'getTlogConsistencyProof',
        summary: 'A consistency proof between two sizes of the transparency log (RFC 6962 2.1.2)',
        description:
          'Proves that the tree of size `to` extends the tree of size `from`: keep a checkpoint, and later ask for the ' +
          'proof from its size to the latest. `to` beyond the latest checkpoint, or `from` above `to`: 400 PROOF_OUT_OF_RANGE.',
        tags,
        querystring: ConsistencyQuery,
        response: { 200: jsonResponse(Ref(ConsistencyProof), 'The proof'), ...problems({ raises: ['PROOF_OUT_OF_RANGE', 'RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => tlogConsistencyProof(ctx, settings, request.query.from, request.query.to),
  );

  r.get(
    '/tlog/status',
    {
      config: { access },
      schema: {
        operationId: 'getTlogStatus',
        summary: 'The transparency log: its served checkpoint, its witnesses, a suspected rollback',
        description:
          'The served checkpoint is the newest one a quorum of witnesses cosigned. Each witness shows its last answer; ' +
          '`rollbackSuspected` is set when a quorum of witnesses has cosigned a larger tree than this database holds.',
        tags,
        querystring: NoQuery,
        response: { 200: jsonResponse(Ref(TlogStatus), 'The status'), ...problems({ raises: [] }) },
      },
    },
    async () => tlogStatus(ctx, settings),
  );
}
