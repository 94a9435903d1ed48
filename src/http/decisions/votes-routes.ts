import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { castVote, listVotes } from '../../use-cases/votes.js';
import { IdempotencyHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { Vote } from './schemas.js';
import { VoteBody, VoteList } from './votes-schemas.js';

export const voteComponents = [VoteList];

/** The colleges' ratification votes on a decision: `/decisions/{id}/votes`. */
export async function voteRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const read = { roles: ACCESS.readRegister };

  r.post(
    '/decisions/:id/votes',
    {
      config: {
        access: {
          roles: ACCESS.castVote,
          municipalityOf: (request) => (request.body as { municipalityId?: unknown } | undefined)?.municipalityId,
        },
      },
      schema: {
        operationId: 'castVote',
        summary: 'Cast a college\'s ratification vote',
        description:
          'Checks in order: 403 (key may not vote, or a college key of another municipality), 400 (schema), 404, ' +
          '409 (decision not pending_ratification), 400 (municipality not required), 400 (decidedOn before the board ' +
          'meeting or after today), 409 (municipality already voted; votes are final).',
        tags: ['ratification'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: VoteBody,
        response: { 201: jsonResponse(Ref(Vote), 'The recorded vote', 'idempotent'), ...problems({ raises: ['DECISION_TRANSITION_NOT_ALLOWED', 'VOTE_MUNICIPALITY_NOT_REQUIRED', 'VOTE_DATE_OUT_OF_RANGE', 'VOTE_ALREADY_CAST'], idempotent: true }, 404, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await castVote(ctx, request.caller, request.params.id, request.body)),
  );

  r.get(
    '/decisions/:id/votes',
    {
      config: { access: read },
      schema: {
        operationId: 'listVotes',
        summary: 'List the votes on a decision in the order they were accepted',
        tags: ['ratification'],
        params: IdParams,
        response: { 200: jsonResponse(Ref(VoteList), 'The votes'), ...problems({ raises: [] }, 404) },
      },
    },
    async (request) => ({ items: await listVotes(ctx, request.params.id), nextCursor: null }),
  );
}
