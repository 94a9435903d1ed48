import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import {
  addDocuments,
  adoptDecision,
  createDecision,
  getDecisionRendered,
  listDecisionsPage,
  patchDecision,
  withdrawDecision,
} from '../../use-cases/decisions.js';
import { castVote, listVotes } from '../../use-cases/votes.js';
import { getDecisionAsOf } from '../../use-cases/decision-history.js';
import { fulfilCondition } from '../../use-cases/conditions.js';
import { renderWithEtag, sendRenderedWithEtag, sendWithEtag } from '../etag.js';
import {
  IdempotencyHeaders,
  IdempotentIfMatchHeaders,
  IdParams,
  IfMatchHeaders,
  IfNoneMatchHeaders,
  jsonResponse,
  notModifiedResponse,
  problems,
  Ref,
} from '../schemas.js';
import {
  AddDocumentsBody,
  Commitment,
  Condition,
  ConditionParams,
  CreateDecisionBody,
  Decision,
  DocumentRef,
  RelatedDecision,
  DecisionPage,
  GetDecisionQuery,
  FulfilBody,
  ListDecisionsQuery,
  PatchDecisionBody,
  Vote,
  VoteBody,
  VoteList,
  WithdrawBody,
} from './schemas.js';

export const decisionComponents = [DocumentRef, RelatedDecision, Commitment, Condition, Vote, Decision, DecisionPage, VoteList];

export async function decisionRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['decisions'];
  const manage = { roles: ACCESS.manageRegister };
  const read = { roles: ACCESS.readRegister };

  r.post(
    '/decisions',
    {
      config: { access: manage },
      schema: {
        operationId: 'createDecision',
        summary: 'Register a principle decision as a draft',
        tags,
        headers: IdempotencyHeaders,
        body: CreateDecisionBody,
        response: { 201: jsonResponse(Ref(Decision), 'The draft decision', 'idempotent'), ...problems({ raises: ['DECISION_REFERENCE_TAKEN', 'REFERENCED_RESOURCE_NOT_FOUND', 'AMOUNT_OUT_OF_RANGE'], idempotent: true }, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createDecision(ctx, request.caller, request.body)),
  );

  r.get(
    '/decisions',
    {
      config: { access: read },
      schema: {
        operationId: 'listDecisions',
        summary: 'List decisions, whole',
        description:
          'Filters combine (all must hold). awaitingVoteOf=<municipality> lists the pending decisions that require it and that it has ' +
          'not voted on yet: what a college still has to decide. An id that matches nothing gives an empty page.',
        tags,
        querystring: ListDecisionsQuery,
        response: { 200: jsonResponse(Ref(DecisionPage), 'A page of decisions'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { cursor, limit = 50, ...filter } = request.query;
      return listDecisionsPage(ctx, filter, cursor, limit);
    },
  );

  r.get(
    '/decisions/:id',
    {
      config: { access: read },
      schema: {
        operationId: 'getDecision',
        summary: 'Get one decision with its commitments, conditions and votes, now or as it stood at a past moment',
        description:
          'With asOf, the decision as it stood at that moment, rebuilt from the audit trail (the last of its events recorded ' +
          'by then carries the whole decision); open/overdue conditions and ratification.overdue are shown as of that ' +
          "moment's day. 404 when the decision did not exist yet then.",
        tags,
        params: IdParams,
        querystring: GetDecisionQuery,
        headers: IfNoneMatchHeaders,
        response: { 200: jsonResponse(Ref(Decision), 'The decision', 'etag'), 304: notModifiedResponse(), ...problems({ raises: [] }, 404) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { asOf } = request.query;
      if (asOf !== undefined) return sendWithEtag(request, reply, await getDecisionAsOf(ctx, id, asOf));
      return sendRenderedWithEtag(request, reply, await getDecisionRendered(ctx, id, (decision) => renderWithEtag(reply, decision)));
    },
  );

  r.patch(
    '/decisions/:id',
    {
      config: { access: manage },
      schema: {
        operationId: 'updateDecision',
        summary: 'Edit a draft decision',
        description: 'Only a decision in status draft can be edited (else 409). Commitments and conditions, when sent, replace the current ones.',
        tags,
        params: IdParams,
        headers: IfMatchHeaders,
        body: PatchDecisionBody,
        response: { 200: jsonResponse(Ref(Decision), 'The decision after the edit', 'etag'), ...problems({ raises: ['DECISION_TRANSITION_NOT_ALLOWED', 'DECISION_REFERENCE_TAKEN', 'REFERENCED_RESOURCE_NOT_FOUND', 'AMOUNT_OUT_OF_RANGE'] }, 404, 412, 413, 415) },
      },
    },
    async (request, reply) =>
      sendWithEtag(request, reply, await patchDecision(ctx, request.caller, request.params.id, request.body, request.headers['if-match'])),
  );

  r.post(
    '/decisions/:id/adopt',
    {
      config: { access: manage },
      schema: {
        operationId: 'adoptDecision',
        summary: 'Adopt a draft decision',
        description:
          'Below the threshold the decision binds at once (adopted); at or above it, it awaits ratification by every centre municipality (pending_ratification). ' +
          'Takes no body: send none, or an empty one (also with Content-Type: application/json).',
        tags,
        params: IdParams,
        headers: IdempotentIfMatchHeaders,
        response: { 200: jsonResponse(Ref(Decision), 'The adopted decision', 'idempotent'), ...problems({ raises: ['DECISION_TRANSITION_NOT_ALLOWED', 'NO_CENTRE_MUNICIPALITIES', 'INSUFFICIENT_FUNDS', 'AMOUNT_BELOW_DISBURSED'], idempotent: true }, 404, 412, 413, 415) },
      },
    },
    async (request, reply) =>
      sendWithEtag(request, reply, await adoptDecision(ctx, request.caller, request.params.id, request.headers['if-match'])),
  );

  r.post(
    '/decisions/:id/withdraw',
    {
      config: { access: manage },
      schema: {
        operationId: 'withdrawDecision',
        summary: 'Withdraw a draft or pending decision',
        tags,
        params: IdParams,
        headers: IdempotentIfMatchHeaders,
        body: WithdrawBody,
        response: { 200: jsonResponse(Ref(Decision), 'The withdrawn decision', 'idempotent'), ...problems({ raises: ['DECISION_TRANSITION_NOT_ALLOWED'], idempotent: true }, 404, 412, 413, 415) },
      },
    },
    async (request, reply) =>
      sendWithEtag(
        request,
        reply,
        await withdrawDecision(ctx, request.caller, request.params.id, request.body.reason, request.headers['if-match']),
      ),
  );

  r.post(
    '/decisions/:id/documents',
    {
      config: { access: manage },
      schema: {
        operationId: 'addDecisionDocuments',
        summary: 'Add documents to a decision (any state but withdrawn)',
        description: 'Appends to the decision\'s documents; a decision holds at most 20 (400 when the sum would exceed that).',
        tags,
        params: IdParams,
        headers: IdempotencyHeaders,
        body: AddDocumentsBody,
        response: { 200: jsonResponse(Ref(Decision), 'The decision with its documents', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'DECISION_TRANSITION_NOT_ALLOWED'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => sendWithEtag(request, reply, await addDocuments(ctx, request.caller, request.params.id, request.body.documents)),
  );

  r.post(
    '/decisions/:id/conditions/:conditionId/fulfil',
    {
      config: { access: manage },
      schema: {
        operationId: 'fulfilCondition',
        summary: 'Record that a condition of the decision is fulfilled',
        description: 'fulfilledOn lies between the board meeting and today (else 400); after the due date the condition shows fulfilledLate.',
        tags,
        params: ConditionParams,
        headers: IdempotencyHeaders,
        body: FulfilBody,
        response: { 200: jsonResponse(Ref(Condition), 'The fulfilled condition', 'idempotent'), ...problems({ raises: ['DECISION_TRANSITION_NOT_ALLOWED', 'CONDITION_NOT_FULFILLABLE', 'CONDITION_FULFILMENT_DATE_OUT_OF_RANGE', 'REFERENCED_RESOURCE_NOT_FOUND'], idempotent: true }, 404, 413, 415) },
      },
    },
    async (request) => fulfilCondition(ctx, request.caller, request.params.id, request.params.conditionId, request.body),
  );

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
