import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { createAmendment } from '../../use-cases/amendments.js';
import { addCondition } from '../../use-cases/conditions.js';
import { listDecisionDisbursementsPage, recordDisbursement } from '../../use-cases/disbursements.js';
import { settleDecision } from '../../use-cases/settlement.js';
import { sendWithEtag } from '../etag.js';
import { IdempotencyHeaders, IdempotentIfMatchHeaders, IdParams, jsonResponse, problems, Ref } from '../schemas.js';
import { Disbursement, DisbursementBody, DisbursementPage, PageOnlyQuery, SettleBody } from './after-adoption-schemas.js';
import { Condition, CreateDecisionBody, Decision, NewConditionBody } from './schemas.js';

export const afterAdoptionComponents = [Disbursement, DisbursementPage];

/**
 * After adoption (Awb title 4.2: verlening, voorschot, vaststelling): new conditions, payments,
 * amendments and settlement of a decision.
 */
export async function afterAdoptionRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const manage = { roles: ACCESS.manageRegister };
  const read = { roles: ACCESS.readRegister };

  r.post(
    '/decisions/:id/conditions',
    {
      config: { access: manage },
      schema: {
        operationId: 'addCondition',
        summary: 'Add a condition to a decision after its adoption',
        description:
          'Allowed while the decision is pending_ratification, adopted or ratified (else 409). A condition with ' +
          'blocksDisbursement: true blocks every payment of the decision until it is fulfilled.',
        tags: ['decisions'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: NewConditionBody,
        response: { 201: jsonResponse(Ref(Condition), 'The new condition', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'DECISION_TRANSITION_NOT_ALLOWED'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await addCondition(ctx, request.caller, request.params.id, request.body)),
  );

  r.post(
    '/decisions/:id/disbursements',
    {
      config: { access: manage },
      schema: {
        operationId: 'recordDisbursement',
        summary: 'Record a payment on a commitment of a binding decision',
        description:
          'Checks in order: 404; 409 when the decision does not bind (adopted, ratified, settled); 400 ' +
          '(REFERENCED_RESOURCE_NOT_FOUND) for a commitment of another decision; 400 (DISBURSEMENT_DATE_OUT_OF_RANGE) ' +
          'for paidOn before the day the decision began to bind or after today; 409 CONDITION_BLOCKS_DISBURSEMENT while a ' +
          'blocking condition is open; 409 DISBURSEMENT_EXCEEDS_COMMITMENT when the amount exceeds what remains of the ' +
          'commitment (its final amount once settled, minus what was paid, also under the decisions it amends; while an ' +
          'amendment awaits ratification, no more than the amendment leaves room for), naming the remaining amount in detail.',
        tags: ['disbursements'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: DisbursementBody,
        response: { 201: jsonResponse(Ref(Disbursement), 'The recorded payment', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'REFERENCED_RESOURCE_NOT_FOUND', 'DISBURSEMENT_DATE_OUT_OF_RANGE', 'DECISION_TRANSITION_NOT_ALLOWED', 'CONDITION_BLOCKS_DISBURSEMENT', 'DISBURSEMENT_EXCEEDS_COMMITMENT'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await recordDisbursement(ctx, request.caller, request.params.id, request.body)),
  );

  r.get(
    '/decisions/:id/disbursements',
    {
      config: { access: read },
      schema: {
        operationId: 'listDecisionDisbursements',
        summary: 'List the payments of a decision',
        description: 'Its own payments and those made under the decisions it amends, which its commitments\' disbursedCents include.',
        tags: ['disbursements'],
        params: IdParams,
        querystring: PageOnlyQuery,
        response: { 200: jsonResponse(Ref(DisbursementPage), 'A page of payments'), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request) => {
      const { cursor, limit = 50 } = request.query;
      return listDecisionDisbursementsPage(ctx, request.params.id, cursor, limit);
    },
  );

  r.post(
    '/decisions/:id/amendments',
    {
      config: { access: manage },
      schema: {
        operationId: 'createAmendment',
        summary: 'Start an amendment (wijzigingsbesluit) of a binding decision',
        description:
          'Takes the body of a new decision with the full new set of commitments and answers a new draft with amends set. ' +
          'Allowed while the amended decision is adopted or ratified and has no other amendment in draft or ' +
          'pending_ratification (else 409). Adopting the amendment needs ratification when its total reaches the threshold ' +
          'and is higher than the amended decision\'s total; when it binds, the amended decision becomes superseded, and ' +
          'what was paid under it counts against the amendment\'s commitments of the same programme and year (an amendment ' +
          'that would commit less there than was paid answers 409 AMOUNT_BELOW_DISBURSED at adoption).',
        tags: ['decisions'],
        params: IdParams,
        headers: IdempotencyHeaders,
        body: CreateDecisionBody,
        response: { 201: jsonResponse(Ref(Decision), 'The amendment, a draft', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'REFERENCED_RESOURCE_NOT_FOUND', 'AMOUNT_OUT_OF_RANGE', 'DECISION_REFERENCE_TAKEN', 'DECISION_TRANSITION_NOT_ALLOWED', 'AMENDMENT_IN_PROGRESS'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createAmendment(ctx, request.caller, request.params.id, request.body)),
  );

  r.post(
    '/decisions/:id/settle',
    {
      config: { access: manage },
      schema: {
        operationId: 'settleDecision',
        summary: 'Settle a decision (vaststelling): fix the final amounts',
        description:
          'On an adopted or ratified decision without a live amendment (else 409). finalAmounts names every commitment ' +
          'exactly once; a final amount above the committed amount, or a settledOn before the day the decision began to ' +
          'bind or after today, is 400 (every problem at once); a final amount below what was already paid is 409 ' +
          'AMOUNT_BELOW_DISBURSED. The final amounts bind from then on, the rest is released. Honours If-Match.',
        tags: ['decisions'],
        params: IdParams,
        headers: IdempotentIfMatchHeaders,
        body: SettleBody,
        response: { 200: jsonResponse(Ref(Decision), 'The settled decision', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'REFERENCED_RESOURCE_NOT_FOUND', 'AMOUNT_OUT_OF_RANGE', 'SETTLEMENT_DATE_OUT_OF_RANGE', 'DECISION_TRANSITION_NOT_ALLOWED', 'AMENDMENT_IN_PROGRESS', 'AMOUNT_BELOW_DISBURSED'], idempotent: true }, 404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) =>
      sendWithEtag(request, reply, await settleDecision(ctx, request.caller, request.params.id, request.body, request.headers['if-match'])),
  );
}
