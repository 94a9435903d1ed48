import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import { MAX_COLLEGE_DECISION_VOTES } from '../../domain/college-decisions.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { getCollegeDecision, listCollegeDecisionsPage, recordCollegeDecision } from '../../use-cases/college-decisions.js';
import { sendWithEtag } from '../etag.js';
import {
  CalendarDate,
  IdempotencyHeaders,
  IdParams,
  IfNoneMatchHeaders,
  jsonResponse,
  notModifiedResponse,
  Nullable,
  Page,
  PageQuery,
  problems,
  Ref,
  StringEnum,
  Text,
  Timestamp,
  Uuid,
} from '../schemas.js';
import { Documents } from '../decisions/schemas.js';

export const CollegeDecision = Type.Object(
  {
    id: Uuid,
    municipalityId: Uuid,
    decidedOn: CalendarDate,
    reference: Type.String(),
    documents: Type.Array(Type.Ref('DocumentRef')),
    votes: Type.Array(Type.Ref('Vote'), { description: 'The votes it recorded, in the order of the request' }),
    createdAt: Timestamp,
  },
  { $id: 'CollegeDecision', additionalProperties: false },
);
const CollegeDecisionPage = Page(CollegeDecision, 'CollegeDecisionPage');

export const collegeDecisionComponents = [CollegeDecision, CollegeDecisionPage];

const RecordBody = Type.Object(
  {
    municipalityId: Type.Optional(Type.Unsafe<string>({ ...Uuid, description: 'The deciding municipality; a college key may leave it out (its own)' })),
    decidedOn: Type.Unsafe<string>({ ...CalendarDate, description: 'The day the college decided: the decidedOn of every vote' }),
    reference: Text(200, { description: 'The college decision\'s reference (registration number); the reference of every vote' }),
    documents: Type.Optional(Documents),
    votes: Type.Array(
      Type.Object(
        {
          decisionId: Uuid,
          outcome: StringEnum(['approve', 'reject'] as const, { description: 'The college\'s decision on this principle decision' }),
          note: Type.Optional(Nullable(Text(4000))),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: MAX_COLLEGE_DECISION_VOTES, description: 'One vote per principle decision, each decision at most once' },
    ),
  },
  { additionalProperties: false },
);

const ListQuery = Type.Object({ municipalityId: Type.Optional(Uuid), ...PageQuery }, { additionalProperties: false });

export async function collegeDecisionRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['college-decisions'];
  const read = { roles: ACCESS.readRegister };

  r.post(
    '/college-decisions',
    {
      config: {
        access: {
          roles: ACCESS.castVote,
          municipalityOf: (request) => (request.body as { municipalityId?: unknown } | undefined)?.municipalityId,
        },
      },
      schema: {
        operationId: 'recordCollegeDecision',
        summary: 'Record a college decision: one municipality\'s votes on several decisions, all or none',
        description:
          'Each vote is checked as a single vote would be, in the same order (403, 400 schema, then per vote in array order: 404, ' +
          '409 not pending_ratification, 400 municipality not required, 400 decidedOn out of range, 409 already voted). The first ' +
          'failing vote answers with its status, named in errors[].path as /votes/<index>/decisionId, and nothing is recorded. ' +
          'A decision named twice is 400. Events: vote.cast per vote (with decision.ratified or decision.rejected when it settles ' +
          'one), then college_decision.recorded.',
        tags,
        headers: IdempotencyHeaders,
        body: RecordBody,
        response: { 201: jsonResponse(Ref(CollegeDecision), 'The college decision with its votes', 'idempotent'), ...problems({ raises: ['RESOURCE_NOT_FOUND', 'DECISION_TRANSITION_NOT_ALLOWED', 'VOTE_MUNICIPALITY_NOT_REQUIRED', 'VOTE_DATE_OUT_OF_RANGE', 'VOTE_ALREADY_CAST'], idempotent: true }, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await recordCollegeDecision(ctx, request.caller, request.body)),
  );

  r.get(
    '/college-decisions',
    {
      config: { access: read },
      schema: {
        operationId: 'listCollegeDecisions',
        summary: 'List college decisions, optionally of one municipality',
        tags,
        querystring: ListQuery,
        response: { 200: jsonResponse(Ref(CollegeDecisionPage), 'A page of college decisions'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { municipalityId, cursor, limit = 50 } = request.query;
      return listCollegeDecisionsPage(ctx, { municipalityId }, cursor, limit);
    },
  );

  r.get(
    '/college-decisions/:id',
    {
      config: { access: read },
      schema: {
        operationId: 'getCollegeDecision',
        summary: 'Get one college decision with its votes',
        tags,
        params: IdParams,
        headers: IfNoneMatchHeaders,
        response: { 200: jsonResponse(Ref(CollegeDecision), 'The college decision', 'etag'), 304: notModifiedResponse(), ...problems({ raises: ['RESOURCE_NOT_FOUND'] }, 404) },
      },
    },
    async (request, reply) => sendWithEtag(request, reply, await getCollegeDecision(ctx, request.params.id)),
  );
}
