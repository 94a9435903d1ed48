import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS, actingMunicipality } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import {
  adoptDecision,
  createDecision,
  getDecisionRendered,
  listDecisionsRendered,
  patchDecision,
  withdrawDecision,
} from '../../use-cases/decisions.js';
import { getDecisionAsOf } from '../../use-cases/decision-history.js';
import { OPTIONAL_BODY } from '../plugins/openapi.js';
import { expectedVersion, renderWithEtag, sendRenderedPage, sendRenderedWithEtag, sendWithEtag } from '../etag.js';
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
  AdoptBody,
  Commitment,
  Condition,
  CreateDecisionBody,
  Decision,
  DocumentRef,
  RelatedDecision,
  DecisionPage,
  GetDecisionQuery,
  ListDecisionsQuery,
  PatchDecisionBody,
  Vote,
  WithdrawBody,
} from './schemas.js';

/** A decision of a page, serialised as its own representation is (GET /decisions/{id}). */
const DECISION_REF = Ref(Decision) as unknown as Record<string, unknown>;

export const decisionComponents = [DocumentRef, RelatedDecision, Commitment, Condition, Vote, Decision, DecisionPage];

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
          'not voted on yet and whose board meeting is not after today: what a college can decide now. An id that matches nothing gives an empty page.',
        tags,
        querystring: ListDecisionsQuery,
        response: { 200: jsonResponse(Ref(DecisionPage), 'A page of decisions'), ...problems({ raises: [] }) },
      },
    },
    async (request, reply) => {
      const { cursor, limit = 50, awaitingVoteOf, ...filter } = request.query;
      const awaiting = awaitingVoteOf === undefined ? {} : { awaitingVoteOf: actingMunicipality(request.caller.principal, awaitingVoteOf, 'query.awaitingVoteOf') };
      const serialise = reply.compileSerializationSchema(DECISION_REF) as (decision: unknown) => string;
      return sendRenderedPage(reply, await listDecisionsRendered(ctx, { ...filter, ...awaiting }, cursor, limit, serialise));
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
      sendWithEtag(request, reply, await patchDecision(ctx, request.caller, request.params.id, request.body, expectedVersion(request))),
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
          'The body is optional (none, or an empty one, also with Content-Type: application/json, means today): adoptedOn records an adoption the board ' +
          'took earlier, between the board meeting and today (else 400 ADOPTION_DATE_OUT_OF_RANGE). That day, not the moment of recording, starts the ' +
          'ratification period, dates the fund coverage and is the award date of a decision that binds at once.',
        tags,
        params: IdParams,
        headers: IdempotentIfMatchHeaders,
        body: AdoptBody,
        [OPTIONAL_BODY]: true,
        response: { 200: jsonResponse(Ref(Decision), 'The adopted decision', 'idempotent-etag'), ...problems({ raises: ['ADOPTION_DATE_OUT_OF_RANGE', 'DECISION_TRANSITION_NOT_ALLOWED', 'NO_CENTRE_MUNICIPALITIES', 'INSUFFICIENT_FUNDS', 'AMOUNT_BELOW_DISBURSED'], idempotent: true }, 400, 404, 412, 413, 415) },
      },
      // No body is an empty one: every member of the body is optional.
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
    },
    async (request, reply) =>
      sendWithEtag(request, reply, await adoptDecision(ctx, request.caller, request.params.id, expectedVersion(request), request.body)),
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
        response: { 200: jsonResponse(Ref(Decision), 'The withdrawn decision', 'idempotent-etag'), ...problems({ raises: ['DECISION_TRANSITION_NOT_ALLOWED'], idempotent: true }, 404, 412, 413, 415) },
      },
    },
    async (request, reply) =>
      sendWithEtag(
        request,
        reply,
        await withdrawDecision(ctx, request.caller, request.params.id, request.body.reason, expectedVersion(request)),
      ),
  );
}
