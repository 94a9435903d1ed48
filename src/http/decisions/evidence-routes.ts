import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { decisionEvidence } from '../../use-cases/tlog-proofs.js';
import type { TlogSettings } from '../../use-cases/tlog-settings.js';
import { IdParams, jsonResponse, NoQuery, problems, Ref } from '../schemas.js';
import { DecisionEvidence } from './evidence-schemas.js';

/** `GET /decisions/{id}/evidence`: what an auditor keeps to prove, offline and years later, what was decided. */
export async function decisionEvidenceRoutes(app: FastifyInstance, { ctx, settings }: { ctx: ServiceContext; settings: TlogSettings }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/decisions/:id/evidence',
    {
      config: { access: { roles: ACCESS.audit } },
      schema: {
        operationId: 'getDecisionEvidence',
        summary: 'Every audit event of a decision with its inclusion proof, and the signed checkpoint they are proven against',
        description:
          'Save the answer as a file and check it with nothing but the keys: ' +
          '`npm run audit:verify -- evidence <file> --log-key <vkey> [--witness-key <vkey> ...] [--quorum N]`. ' +
          'Events recorded after the served checkpoint come with the next one.',
        tags: ['decisions'],
        params: IdParams,
        querystring: NoQuery,
        response: { 200: jsonResponse(Ref(DecisionEvidence), 'The evidence'), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => decisionEvidence(ctx, settings, request.params.id),
  );
}
