import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ACCESS } from '../../domain/access.js';
import type { ServiceContext } from '../../use-cases/context.js';
import {
  exportSnapshot,
  SNAPSHOT_LISTS,
  type Snapshot as SnapshotBody,
  type SnapshotList,
  type SnapshotLists,
  type SnapshotSink,
} from '../../use-cases/snapshot.js';
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
    data: Type.Object({}, { additionalProperties: true, description: 'The change: the new state, and the previous one for updates' }),
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

/** The component each list of the snapshot holds, in the order of `SNAPSHOT_LISTS`. */
const SNAPSHOT_ITEMS: Record<SnapshotList, { component: string; description?: string }> = {
  organisations: { component: 'Organisation' },
  programmes: { component: 'Programme' },
  decisions: { component: 'Decision', description: 'Every decision, whole: commitments, conditions, votes' },
  statuteRules: { component: 'StatuteRule', description: 'Every version of the statute rules, oldest first' },
  fundContributions: { component: 'FundContribution', description: 'Every contribution to the ESZL fund' },
  coFinancing: { component: 'CoFinancing', description: "Every programme's co-financing" },
  collegeDecisions: { component: 'CollegeDecision', description: 'Every college decision with the votes it recorded' },
  indicators: { component: 'Indicator', description: 'Every monitoring indicator of every decision, with its reports' },
  disbursements: { component: 'Disbursement', description: 'Every payment, also listed per decision in `decisions`' },
  webhookSubscriptions: {
    component: 'WebhookSubscription',
    description: "Every webhook subscription, ended ones too; never a signing secret or a receiver's Authorization value",
  },
  apiKeys: { component: 'ApiKey', description: 'Every API key, revoked ones too; never a key or its hash' },
};

const snapshotList = (name: SnapshotList) => {
  const { component, description } = SNAPSHOT_ITEMS[name];
  return Type.Array(Type.Ref(component), description === undefined ? {} : { description });
};

/** Each list's schema once, so that its compiled serializer is cached across requests. */
const LIST_SCHEMAS = Object.fromEntries(SNAPSHOT_LISTS.map((name) => [name, snapshotList(name)])) as unknown as Record<SnapshotList, Record<string, unknown>>;

const Snapshot = Type.Object(
  {
    generatedAt: Timestamp,
    auditHeadSeq: Type.Integer(),
    auditHeadHash: Hash,
    ...(Object.fromEntries(SNAPSHOT_LISTS.map((name) => [name, snapshotList(name)])) as Record<SnapshotList, ReturnType<typeof snapshotList>>),
    fund: Type.Ref('FundPosition', {
      description: 'The fund as GET /fund answered it at the same moment: reconcile it offline with `npm run audit:verify -- snapshot <file>`',
    }),
  },
  {
    $id: 'Snapshot',
    additionalProperties: false,
    description: 'Every resource of the register as of one moment (one consistent read), each as its own list, with the audit head it corresponds to',
  },
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

/**
 * The snapshot as the route's own serializer writes it, in pieces: the frame is serialized with
 * every list empty and cut where each empty list opens (a string value cannot contain the marker
 * `"<name>":[]`: its quotes would be escaped), and each list's batches go in its slot, written by
 * the serializer of the same item schema. The bytes are those of serializing the whole snapshot
 * at once.
 */
function snapshotText(
  serialize: (snapshot: SnapshotBody) => string,
  listText: (name: SnapshotList, items: unknown[]) => string,
  write: (text: string) => Promise<void>,
): SnapshotSink {
  let pieces: string[] = [];
  let written = 0;
  let separator = '';
  const writeUpTo = async (piece: number) => {
    while (written <= piece) await write(pieces[written++]!);
  };
  return {
    async frame(frame) {
      const empty = Object.fromEntries(SNAPSHOT_LISTS.map((name) => [name, []])) as unknown as SnapshotLists;
      const whole = serialize({ ...frame, ...empty });
      let from = 0;
      pieces = [];
      for (const name of SNAPSHOT_LISTS) {
        const marker = `"${name}":[`;
        const slot = whole.indexOf(`${marker}]`, from);
        if (slot === -1) throw new Error(`the snapshot serializer no longer writes the list ${name} in its place`);
        pieces.push(whole.slice(from, slot + marker.length));
        from = slot + marker.length;
      }
      pieces.push(whole.slice(from));
      await writeUpTo(0);
    },
    async list(name, batch) {
      if (batch.length === 0) return;
      const piece = SNAPSHOT_LISTS.indexOf(name);
      if (written <= piece) {
        await writeUpTo(piece);
        separator = '';
      }
      await write(separator + listText(name, batch).slice(1, -1));
      separator = ',';
    },
    async end() {
      await writeUpTo(pieces.length - 1);
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
      // The chunks go to the socket as the strings they are (a byte stream would copy each into
      // a Buffer first, which with a 96 MiB heap made the export about 15 % slower); at
      // most two chunks (about 128 KB) and one batch wait for a slow client.
      return reply.type('application/x-ndjson').send(Readable.from(chunks, { highWaterMark: 2 }) as never);
    },
  );

  r.get(
    '/exports/snapshot',
    {
      config: { access },
      schema: {
        operationId: 'exportSnapshot',
        summary: 'Export every resource of the register as of one moment',
        tags,
        response: { 200: jsonResponse(Ref(Snapshot), 'The snapshot and the audit head it corresponds to'), ...problems({ raises: [] }) },
      },
    },
    async (_request, reply) => {
      const serialize = reply.getSerializationFunction('200', 'application/json') as unknown as (snapshot: SnapshotBody) => string;
      const listText = (name: SnapshotList, items: unknown[]) =>
        (reply.compileSerializationSchema(LIST_SCHEMAS[name]) as unknown as (items: unknown[]) => string)(items);
      const body = producerStream((write) => exportSnapshot(ctx, snapshotText(serialize, listText, write)));
      return reply.type('application/json; charset=utf-8').send(body as never);
    },
  );
}
