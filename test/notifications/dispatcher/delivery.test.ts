import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { queryRows } from '../../../src/db/client.js';
import { createLogger } from '../../../src/logger.js';
import { WebhookDispatcher, type DispatcherOptions } from '../../../src/notifications/dispatcher.js';
import { subscriptionSecret } from '../../../src/notifications/signing.js';
import { createTestDatabase } from '../../helpers/database.js';
import { Receiver, signedWith } from '../../helpers/webhook-receiver.js';

/**
 * The webhook dispatcher on its own: outbox events fanned out to the subscriptions that match
 * them, delivered signed to a real receiver on 127.0.0.1, every attempt logged, failures retried
 * after a back-off (with the jitter pinned, so the delays are exact), in outbox order per
 * ordering key, failed once the retry window has passed. Outbox rows and subscriptions are
 * written here directly; the time a retry waits is skipped by making the delivery due.
 */
const SIGNING_KEY = 'dispatcher-test-signing-key-0123456789';
const owner = await createTestDatabase();
t.teardown(() => owner.close());
const database = owner.database;
const rows = <T>(query: ReturnType<typeof sql>) => queryRows<T>(database.db, query);

function dispatcher(options: Partial<DispatcherOptions> = {}): WebhookDispatcher {
  return new WebhookDispatcher({
    database,
    signingKey: SIGNING_KEY,
    allowedHosts: ['127.0.0.1'],
    logger: createLogger('silent'),
    retryWindowMs: 60_000,
    backoffBaseMs: 1_000,
    backoffMaxMs: 3_000,
    timeoutMs: 2_000,
    random: () => 0.5,
    ...options,
  });
}

const [heerlen, maastricht] = await Promise.all(
  ['Gemeente Heerlen', 'Gemeente Maastricht'].map(async (name) => (await rows<{ id: string }>(sql`insert into organisations (name, kind) values (${name}, 'municipality') returning id`))[0]!.id),
);
const [wtmr, amkb] = await Promise.all(
  ['WTMR', 'AMKB'].map(async (code) => (await rows<{ id: string }>(sql`insert into programmes (code, name) values (${code}, ${code}) returning id`))[0]!.id),
);

interface SubscriptionSpec {
  url: string;
  eventTypes?: string[];
  programmeId?: string;
  municipalityId?: string;
  active?: boolean;
}
async function subscribe(spec: SubscriptionSpec): Promise<string> {
  const [row] = await rows<{ id: string }>(sql`
    insert into webhook_subscriptions (callback_url, event_types, programme_id, municipality_id, active)
    values (${spec.url}, ${`{${(spec.eventTypes ?? ['decision.adopted', 'vote.cast']).join(',')}}`}::text[], ${spec.programmeId ?? null}, ${spec.municipalityId ?? null}, ${spec.active ?? true})
    returning id`);
  return row!.id;
}

let auditSeq = 0;
interface Published {
  seq: number;
  eventId: string;
}
async function publish(type: string, orderingKey: string, options: { programmeIds?: string[]; municipalityIds?: string[] } = {}): Promise<Published> {
  const eventId = randomUUID();
  const payload = { id: eventId, type, decisionId: orderingKey, data: { n: ++auditSeq } };
  const [row] = await rows<{ seq: string | number }>(sql`
    insert into outbox_events (event_id, event_type, decision_id, resource_id, ordering_key, audit_seq, programme_ids, municipality_ids, payload)
    values (${eventId}, ${type}, ${orderingKey}, ${orderingKey}, ${orderingKey}, ${auditSeq},
            ${`{${(options.programmeIds ?? [wtmr]).join(',')}}`}::uuid[], ${`{${(options.municipalityIds ?? [heerlen]).join(',')}}`}::uuid[], ${JSON.stringify(payload)}::jsonb)
    returning seq`);
  return { seq: Number(row!.seq), eventId };
}

interface DeliveryRow {
  event_id: string;
  state: string;
  attempts: number;
}
const deliveries = (subscriptionId: string) =>
  rows<DeliveryRow>(sql`
    select o.event_id, d.state, d.attempts from webhook_deliveries d join outbox_events o on o.seq = d.outbox_seq
     where d.subscription_id = ${subscriptionId} order by d.outbox_seq`);
const attemptLog = (subscriptionId: string) =>
  rows<{ status_code: number | null; error: string | null }>(sql`
    select a.status_code, a.error from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
     where d.subscription_id = ${subscriptionId} order by a.attempted_at, a.id`);
/** Skips the back-off: every pending delivery is due now. */
const makeDue = () => database.db.execute(sql`update webhook_deliveries set next_attempt_at = now() where state = 'pending'`);
const isFailing = async (id: string) => (await rows<{ failing: boolean }>(sql`select failing_since is not null as failing from webhook_subscriptions where id = ${id}`))[0]!.failing;

t.beforeEach(async () => {
  await database.db.execute(sql`delete from webhook_attempts`);
  await database.db.execute(sql`delete from webhook_deliveries`);
  await database.db.execute(sql`delete from webhook_subscriptions`);
  await database.db.execute(sql`delete from outbox_events`);
});

t.test('an event reaches each subscription whose type, programme and municipality match, signed and logged', async (t) => {
  const receiver = await Receiver.start(t);
  const all = await subscribe({ url: receiver.url });
  const ofWtmr = await subscribe({ url: receiver.url, programmeId: wtmr });
  const ofHeerlen = await subscribe({ url: receiver.url, municipalityId: heerlen });
  await subscribe({ url: receiver.url, eventTypes: ['vote.cast'] });
  await subscribe({ url: receiver.url, programmeId: amkb });
  await subscribe({ url: receiver.url, municipalityId: maastricht });
  await subscribe({ url: receiver.url, active: false });
  const decisionId = randomUUID();
  const event = await publish('decision.adopted', decisionId);
  await subscribe({ url: receiver.url }); // created after the event: it sees only later ones

  t.same(await dispatcher().runOnce(), { fannedOut: 1, attempted: 3, delivered: 3 });
  const secrets = new Map([all, ofWtmr, ofHeerlen].map((id) => [id, subscriptionSecret(SIGNING_KEY, id)]));
  const receivedBy = receiver.hits.map((hit) => [...secrets].filter(([, secret]) => signedWith(secret, hit)).map(([id]) => id));
  t.same(receivedBy.flat().sort(), [all, ofWtmr, ofHeerlen].sort(), 'one request for each matching subscription, signed with its own secret');
  for (const hit of receiver.hits) {
    t.match(hit.headers, { 'content-type': 'application/json', 'user-agent': 'eszl-decisions-webhooks/1', 'eszl-event-id': event.eventId, 'eszl-event-type': 'decision.adopted' });
    t.same(JSON.parse(hit.body), { id: event.eventId, type: 'decision.adopted', decisionId, data: { n: auditSeq } }, 'the outbox payload as it stands');
  }
  for (const id of [all, ofWtmr, ofHeerlen]) {
    t.same(await deliveries(id), [{ event_id: event.eventId, state: 'delivered', attempts: 1 }]);
    t.same(await attemptLog(id), [{ status_code: 200, error: null }], 'one attempt in the log');
  }
  t.same(await dispatcher().runOnce(), { fannedOut: 0, attempted: 0, delivered: 0 }, 'nothing is fanned out or sent twice');
  t.equal(receiver.hits.length, 3);
});

t.test('a failed delivery waits a back-off that doubles up to its cap, then is sent again until it is delivered', async (t) => {
  const receiver = await Receiver.start(t);
  receiver.answer = (n) => (n <= 3 ? 500 : 200);
  const id = await subscribe({ url: receiver.url });
  await publish('decision.adopted', randomUUID());
  const d = dispatcher();
  const waits: number[] = [];
  for (let round = 1; round <= 4; round++) {
    const { attempted, delivered } = await d.runOnce();
    t.same({ attempted, delivered }, { attempted: 1, delivered: round === 4 ? 1 : 0 }, `round ${round}`);
    if (round === 4) break;
    t.same(await d.runOnce(), { fannedOut: 0, attempted: 0, delivered: 0 }, `round ${round}: not sent again before its next attempt`);
    const [gap] = await rows<{ ms: number }>(sql`
      select (extract(epoch from d.next_attempt_at - (select max(attempted_at) from webhook_attempts a where a.delivery_id = d.id)) * 1000)::int as ms
        from webhook_deliveries d`);
    waits.push(gap!.ms);
    await makeDue();
  }
  // Full jitter pinned at one half: half of 1 s, 2 s, then the 3 s cap.
  t.same(waits, [500, 1_000, 1_500], 'the waits between attempts');
  t.same(await attemptLog(id), [
    { status_code: 500, error: 'receiver answered 500' },
    { status_code: 500, error: 'receiver answered 500' },
    { status_code: 500, error: 'receiver answered 500' },
    { status_code: 200, error: null },
  ]);
  t.match(await deliveries(id), [{ state: 'delivered', attempts: 4 }]);
  t.equal(receiver.ids().size, 1, 'the same event each time');
});

t.test('per ordering key, a subscriber gets events in outbox order: a waiting delivery holds back later ones of its key only', async (t) => {
  const receiver = await Receiver.start(t);
  receiver.answer = (n) => (n === 1 ? 503 : 200);
  await subscribe({ url: receiver.url });
  const first = randomUUID();
  const second = randomUUID();
  const [a1, a2, a3] = [await publish('decision.adopted', first), await publish('vote.cast', first), await publish('vote.cast', first)];
  const b1 = await publish('decision.adopted', second);
  // One delivery per round, so the order of the rounds is the order of claims.
  const d = dispatcher({ batchSize: 1 });
  const round = async () => (await d.runOnce()).attempted;
  t.equal(await round(), 1, 'round 1: the first event of the first key, refused');
  t.equal(await round(), 1, 'round 2: the other key goes ahead while the first key waits');
  t.equal(await round(), 0, 'round 3: nothing else of the first key overtakes its waiting event');
  await makeDue();
  for (let r = 4; r <= 6; r++) t.equal(await round(), 1, `round ${r}`);
  t.equal(await round(), 0, 'then nothing is left');
  t.same(
    receiver.hits.map((hit) => [hit.payload.id, hit.status]),
    [[a1.eventId, 503], [b1.eventId, 200], [a1.eventId, 200], [a2.eventId, 200], [a3.eventId, 200]],
  );
});

t.test('past the retry window a delivery ends failed and its subscription failing; the next success clears that', async (t) => {
  const receiver = await Receiver.start(t);
  receiver.answer = (n) => (n <= 2 ? 500 : 200);
  const id = await subscribe({ url: receiver.url });
  await publish('decision.adopted', randomUUID());
  const d = dispatcher();
  await d.runOnce();
  t.match(await deliveries(id), [{ state: 'pending', attempts: 1 }], 'within the window it waits for a retry');
  t.equal(await isFailing(id), false);
  // As if the window had passed since the first attempt.
  await database.db.execute(sql`update webhook_deliveries set first_attempt_at = now() - interval '61 seconds', next_attempt_at = now()`);
  await d.runOnce();
  t.match(await deliveries(id), [{ state: 'failed', attempts: 2 }], 'the attempt after the window is the last');
  t.equal(await isFailing(id), true, 'the subscription is marked failing');
  await makeDue();
  t.same(await d.runOnce(), { fannedOut: 0, attempted: 0, delivered: 0 }, 'a failed delivery is not sent again');

  await publish('decision.adopted', randomUUID());
  await d.runOnce();
  t.equal(await isFailing(id), false, 'a delivery that succeeds clears the mark');
});

t.test('what went wrong is logged with each failed attempt: a refused address, a closed port, a redirect, a timeout', async (t) => {
  const receiver = await Receiver.start(t);
  const slow = await Receiver.start(t);
  slow.delayMs = () => 3_000;
  const closed = await Receiver.start(t);
  const closedUrl = closed.url;
  await closed.stop();
  const redirecting = await Receiver.start(t);
  redirecting.answer = () => 302;
  redirecting.location = 'http://127.0.0.1:1/elsewhere';

  const subscriptions = {
    // The allow-list names 127.0.0.1, not localhost: the name resolves to a loopback address, which is refused.
    refused: await subscribe({ url: receiver.url.replace('127.0.0.1', 'localhost') }),
    closed: await subscribe({ url: closedUrl }),
    redirect: await subscribe({ url: redirecting.url }),
    timeout: await subscribe({ url: slow.url }),
  };
  await publish('decision.adopted', randomUUID());
  t.same(await dispatcher({ timeoutMs: 500 }).runOnce(), { fannedOut: 1, attempted: 4, delivered: 0 });
  const logged = async (id: string) => (await attemptLog(id))[0];
  t.same(await logged(subscriptions.refused), { status_code: null, error: 'The callback URL points to a loopback, link-local or private address.' });
  t.equal(receiver.hits.length, 0, 'a refused address is never called');
  t.match(await logged(subscriptions.closed), { status_code: null, error: /fetch failed|ECONNREFUSED/ });
  t.same(await logged(subscriptions.redirect), { status_code: 302, error: 'receiver answered 302' }, 'a redirect is not followed');
  t.match(await logged(subscriptions.timeout), { status_code: null, error: /timeout|abort/i });
  for (const id of Object.values(subscriptions)) t.match(await deliveries(id), [{ state: 'pending', attempts: 1 }], 'each waits for a retry');
});

t.test('a delivery being sent is leased: a second dispatcher neither fans it out again nor sends it', async (t) => {
  const receiver = await Receiver.start(t);
  receiver.delayMs = () => 1_000;
  await subscribe({ url: receiver.url });
  await publish('decision.adopted', randomUUID());
  const sending = dispatcher().runOnce();
  for (let i = 0; i < 200 && receiver.hits.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.equal(receiver.hits.length, 1, 'the first dispatcher is sending');
  t.same(await dispatcher().runOnce(), { fannedOut: 0, attempted: 0, delivered: 0 }, 'the second finds nothing to do');
  t.same(await sending, { fannedOut: 1, attempted: 1, delivered: 1 });
  t.equal(receiver.hits.length, 1, 'sent once');
});

t.test('a subscription deactivated after the fan-out gets nothing more', async (t) => {
  const receiver = await Receiver.start(t);
  receiver.answer = () => 500;
  const id = await subscribe({ url: receiver.url });
  await publish('decision.adopted', randomUUID());
  const d = dispatcher();
  await d.runOnce();
  await database.db.execute(sql`update webhook_subscriptions set active = false where id = ${id}`);
  await makeDue();
  t.same(await d.runOnce(), { fannedOut: 0, attempted: 0, delivered: 0 });
  t.equal(receiver.hits.length, 1);
});
