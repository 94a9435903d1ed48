import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import { exportSnapshot, type Snapshot as SnapshotBody, type SnapshotSink } from '../../use-cases/snapshot.js';
import type { Decision } from '../../domain/records.js';
import { producerStream } from '../producer-stream.js';
import { exportAuditEvents, listAuditEventsPage, verifyStoredChain } from '../../use-cases/audit-trail.js';
import { jsonResponse, Nullable, Page, PageQuery, problems, Ref, Text, Timestamp, Uuid } from '../schemas.js';

const Hash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'SHA-256, lower-case hex' });

export const AuditEvent = Type.Object(
  {
    seq: Type.Integer({ minimum: 1 }),
    occurredAt: Timestamp,
    actor: Type.Object(
      { keyId: Nullable(Uuid), role: Type.String(), organisationId: Nullable(Uuid) },
      { additionalProperties: false },
    ),
    action: Type.String({ description: 'e.g. decision.adopted, vote.cast' }),
    resourceType: Type.String(),
    resourceId: Uuid,
    data: Type.Unknown({ description: 'The change: the new state, and the previous one for updates' }),
    prevHash: Hash,
    hash: Hash,
  },
  { $id: 'AuditEvent', additionalProperties: false },
);
const AuditEventPage = Page(AuditEvent, 'AuditEventPage');

const ChainVerdict = Type.Object(
  { valid: Type.Boolean(), count: Type.Integer(), headHash: Hash, firstInvalidSeq: Nullable(Type.Integer()) },
  { $id: 'ChainVerdict', additionalProperties: false },
);

const Snapshot = Type.Object(
  {
    generatedAt: Timestamp,
    auditHeadSeq: Type.Integer(),
    auditHeadHash: Hash,
    organisations: Type.Array(Type.Ref('Organisation')),
    programmes: Type.Array(Type.Ref('Programme')),
    decisions: Type.Array(Type.Ref('Decision')),
    statuteRules: Type.Array(Type.Ref('StatuteRule'), { description: 'Every version of the statute rules, oldest first' }),
  },
  { $id: 'Snapshot', additionalProperties: false },
);

const AfterSeq = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Only events with a greater seq' });

const ListQuery = Type.Object(
  {
    afterSeq: Type.Optional(AfterSeq),
    resourceType: Type.Optional(Text(50)),
    resourceId: Type.Optional(Uuid),
    ...PageQuery,
  },
  { additionalProperties: false },
);

const ExportQuery = Type.Object(
  {
    afterSeq: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description: 'Only events with a greater seq: an incremental export continuing one that ended at this seq (default 0: all)',
      }),
    ),
  },
  { additionalProperties: false },
);

const DecisionList = Type.Array(Type.Ref('Decision')) as unknown as Record<string, unknown>;

const DECISIONS_SLOT = ',"decisions":[';

/**
 * The snapshot as the route's own serializer writes it, in pieces: the frame serialized with no
 * decisions is cut where its empty decisions array opens (a string value cannot contain the
 * marker: its quotes would be escaped), and each batch of decisions goes in between, written by
 * the serializer of the same schema. The bytes are those of serializing the whole snapshot at once.
 */
function snapshotText(
  serialize: (snapshot: SnapshotBody) => string,
  decisionsText: (decisions: Decision[]) => string,
  write: (text: string) => Promise<void>,
): SnapshotSink {
  let rest = '';
  let separator = '';
  return {
    async frame(frame) {
      const whole = serialize({ ...frame, decisions: [] });
      const slot = whole.indexOf(`${DECISIONS_SLOT}],"statuteRules":`);
      if (slot === -1) throw new Error('the snapshot serializer no longer writes decisions before statuteRules');
      const at = slot + DECISIONS_SLOT.length;
      rest = whole.slice(at);
      await write(whole.slice(0, at));
    },
    async decisions(batch) {
      if (batch.length === 0) return;
      await write(separator + decisionsText(batch).slice(1, -1));
      separator = ',';
    },
    async end() {
      await write(rest);
    },
  };
}

export const auditComponents = [AuditEvent, AuditEventPage, ChainVerdict, Snapshot];

export async function auditRoutes(app: FastifyInstance, { ctx }: { ctx: ServiceContext }): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const access = { roles: ACCESS.audit };
  const tags = ['audit'];

  r.get(
    '/audit-events',
    {
      config: { access },
      schema: {
        operationId: 'listAuditEvents',
        summary: 'Read the audit trail in seq order',
        tags,
        querystring: ListQuery,
        response: { 200: jsonResponse(Ref(AuditEventPage), 'A page of events'), ...problems({ raises: [] }) },
      },
    },
    async (request) => {
      const { afterSeq = 0, resourceType, resourceId, cursor, limit = 50 } = request.query;
      return listAuditEventsPage(ctx, afterSeq, { resourceType, resourceId }, cursor, limit);
    },
  );

  r.get(
    '/audit-events/verify',
    {
      config: { access },
      schema: {
        operationId: 'verifyAuditTrail',
        summary: 'Verify the whole hash chain',
        tags,
        response: { 200: jsonResponse(Ref(ChainVerdict), 'The verdict'), ...problems({ raises: [] }) },
      },
    },
    async () => verifyStoredChain(ctx),
  );

  r.get(
    '/exports/audit-events',
    {
      config: { access },
      schema: {
        operationId: 'exportAuditEvents',
        summary: 'Export the audit trail as NDJSON, one event a line, in seq order',
        description:
          'Streamed up to the head at the moment of the request; verify offline with `npm run audit:verify -- <file>`. ' +
          'With afterSeq, only the events after it: a continuation of an earlier export, verified with ' +
          '`npm run audit:verify -- <file> --after-seq <its last seq> --prev-hash <its last hash>`.',
        tags,
        querystring: ExportQuery,
        response: {
          200: {
            description: 'One JSON event per line',
            headers: { 'API-Version': { type: 'string' }, 'X-Request-Id': { type: 'string' } },
            content: { 'application/x-ndjson': { schema: { type: 'string' } } },
          },
          ...problems({ raises: [] }),
        },
      },
    },
    async (request, reply) => {
      // Any JSON form of an event verifies (the verifier canonicalises); lines go out in chunks.
      const chunks = await exportAuditEvents(ctx, request.query.afterSeq ?? 0);
      reply.header('Content-Disposition', 'attachment; filename="audit-events.ndjson"');
      // A byte stream with a small high-water mark: at most about one batch waits for a slow client.
      return reply.type('application/x-ndjson').send(Readable.from(chunks, { objectMode: false, highWaterMark: 64 * 1024 }) as never);
    },
  );

  r.get(
    '/exports/snapshot',
    {
      config: { access },
      schema: {
        operationId: 'exportSnapshot',
        summary: 'Export every organisation, programme and whole decision as of one moment',
        tags,
        response: { 200: jsonResponse(Ref(Snapshot), 'The snapshot and the audit head it corresponds to'), ...problems({ raises: [] }) },
      },
    },
    async (_request, reply) => {
      const serialize = reply.getSerializationFunction('200', 'application/json') as unknown as (snapshot: SnapshotBody) => string;
      const decisionsText = reply.compileSerializationSchema(DecisionList) as unknown as (decisions: Decision[]) => string;
      const body = producerStream((write) => exportSnapshot(ctx, snapshotText(serialize, decisionsText, write)));
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );
}
