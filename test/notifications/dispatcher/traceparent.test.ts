import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { Webhook } from 'standardwebhooks';
import { startTracing } from '../../../src/observability/tracing.js';
import { createLogger } from '../../../src/logger.js';
import { WebhookDispatcher } from '../../../src/notifications/dispatcher.js';
import { startTestApp } from '../../helpers/app.js';
import { expectStatus } from '../../helpers/assertions.js';
import { createCentreMunicipalities, createProgramme, fundTheRegister } from '../../helpers/factories.js';
import { OtlpReceiver } from '../../helpers/otlp-receiver.js';
import { Receiver } from '../../helpers/webhook-receiver.js';

/**
 * With tracing on, a delivery continues the trace of the request that caused its event: the
 * `traceparent` header in both formats and the CloudEvents `traceparent` attribute carry the
 * trace id of the request's incoming traceparent; the event feed's CloudEvents carry it too.
 * (Without tracing, no delivery has the header: the eszl-v1 header list in formats.test.ts.)
 */
const collector = await OtlpReceiver.start();
t.teardown(() => collector.stop());
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = collector.endpoint;
// Before any Fastify instance is created: the instrumentation patches the ones created after it.
const tracing = startTracing({ serviceName: 'eszl-decisions-test', protocol: 'http/json', warn: () => undefined });
t.teardown(() => tracing.shutdown());

const SIGNING_KEY = `whk-test-signing-key-${randomBytes(10).toString('hex')}`;
const ctx = await startTestApp(t, { env: { WEBHOOK_SIGNING_KEY: SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' } });
const { admin } = ctx;
const database = ctx.db.database;
const { heerlen } = await createCentreMunicipalities(admin);
await fundTheRegister(admin, heerlen.id);

const dispatcher = new WebhookDispatcher({
  database,
  signingKey: SIGNING_KEY,
  allowedHosts: ['127.0.0.1'],
  logger: createLogger('silent'),
  retryWindowMs: 60_000,
  backoffBaseMs: 20,
  backoffMaxMs: 100,
  timeoutMs: 2_000,
});

t.test('a delivery carries the traceparent of the request that caused its event, as a header and as the CloudEvents attribute', async (t) => {
  const cloud = await Receiver.start(t);
  const plain = await Receiver.start(t);
  const programme = await createProgramme(admin);
  const subscribed = await admin.post('/api/v1/webhook-subscriptions', {
    callbackUrl: cloud.url,
    eventTypes: ['decision.adopted'],
    programmeId: programme.id,
    format: 'cloudevents',
  });
  expectStatus(subscribed, 201, 'subscribe cloudevents');
  expectStatus(
    await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: plain.url, eventTypes: ['decision.adopted'], programmeId: programme.id }),
    201,
    'subscribe eszl-v1',
  );
  const draft = await admin.post('/api/v1/decisions', {
    reference: `TRC-${randomUUID().slice(0, 8)}`,
    title: 'Traced decision',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 500_000 }],
  });
  expectStatus(draft, 201, 'create decision');
  const decisionId = draft.json<{ id: string }>().id;
  const traceId = randomBytes(16).toString('hex');
  const incoming = `00-${traceId}-${randomBytes(8).toString('hex')}-01`;
  expectStatus(await admin.post(`/api/v1/decisions/${decisionId}/adopt`, undefined, { traceparent: incoming }), 200, 'adopt');

  const [row] = ((await database.db.execute(sql`select traceparent from outbox_events where decision_id = ${decisionId} and event_type = 'decision.adopted'`)) as unknown as {
    rows: { traceparent: string | null }[];
  }).rows;
  const stored = row?.traceparent ?? '';
  t.match(stored, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`), 'the outbox row keeps the trace of the adopting request');

  for (let round = 0; round < 100 && (cloud.accepted.length < 1 || plain.accepted.length < 1); round++) {
    await dispatcher.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const cloudHit = cloud.accepted[0]!;
  const plainHit = plain.accepted[0]!;
  t.equal(cloudHit.headers.traceparent, stored, 'the cloudevents delivery carries it as a header');
  const event = new Webhook(subscribed.json<{ secret: string }>().secret).verify(cloudHit.body, cloudHit.headers as Record<string, string>) as Record<string, unknown>;
  t.equal(event.traceparent, stored, 'and as the CloudEvents traceparent attribute, signed with the rest');
  t.equal(plainHit.headers.traceparent, stored, 'the eszl-v1 delivery carries the header');
  t.notOk(plainHit.body.includes('traceparent'), 'its body is as before');

  const feed = await admin.get(`/api/v1/events?afterSeq=0&types=decision.adopted&programmeId=${programme.id}&format=cloudevents`);
  t.same(feed.json<{ items: { traceparent?: string }[] }>().items.map((item) => item.traceparent), [stored], 'the feed\'s CloudEvent has it too');

  // A request without a traceparent starts a trace of its own: its events carry that one.
  const other = await admin.post('/api/v1/decisions', {
    reference: `TRC-${randomUUID().slice(0, 8)}`,
    title: 'Second traced decision',
    boardMeetingDate: '2026-01-20',
    commitments: [{ programmeId: programme.id, year: 2026, amountCents: 500_000 }],
  });
  const otherId = other.json<{ id: string }>().id;
  expectStatus(await admin.post(`/api/v1/decisions/${otherId}/adopt`), 200, 'adopt');
  const [second] = ((await database.db.execute(sql`select traceparent from outbox_events where decision_id = ${otherId} and event_type = 'decision.adopted'`)) as unknown as {
    rows: { traceparent: string | null }[];
  }).rows;
  t.match(second?.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  t.not(second?.traceparent?.slice(3, 35), traceId, 'a trace of its own');
});
