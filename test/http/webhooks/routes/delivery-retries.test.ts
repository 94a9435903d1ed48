import t from 'tap';
import { expectStatus } from '../../../helpers/assertions.js';
import { createProgramme } from '../../../helpers/factories.js';
import { Receiver, signedWith } from '../../../helpers/webhook-receiver.js';
import {
  acceptedOrder,
  ALL_TYPES,
  drive,
  duplicates,
  FUTURE_DUE,
  LARGE,
  pause,
  SMALL,
  startWebhookWorld,
  type DecisionJson,
  type DeliveryJson,
  type SubscriptionJson,
} from '../../../helpers/webhook-world.js';

/**
 * Deliveries that do not succeed at once: a receiver answering 500 is retried with back-off and
 * the log shows every attempt, a receiver that is down during a burst gets everything when it
 * comes back, the retry window ends a delivery failed and redeliver starts it again, the callback
 * URL is checked before every attempt, a timeout is retried and a redirect is not followed.
 */
const { admin, municipalities, dispatcher, flushFanOut, subscribe, unsubscribe, deliveries, draft, adopt, approve, outboxOrder, auditOf } =
  await startWebhookWorld(t);

t.test('a receiver answering 500 to its first three requests is retried; the log shows every attempt', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = (n) => (n <= 3 ? 500 : 200);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const decision = await adopt((await draft(programme.id, SMALL)).id);

  const run = await drive(dispatcher({ backoffBaseMs: 20, backoffMaxMs: 100 }), () => receiver.accepted.length >= 1, 100);
  t.comment(`500 x3 then 200: ${receiver.hits.length} requests in ${run.rounds} rounds`);
  t.same(receiver.hits.map((hit) => hit.status), [500, 500, 500, 200], 'three 500s, then accepted at the fourth attempt');
  t.equal(new Set(receiver.hits.map((hit) => hit.payload.id)).size, 1, 'every attempt carries the same event id');
  t.ok(receiver.hits.every((hit) => hit.body === receiver.hits[0]!.body), 'and the same body');
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'each attempt is signed');

  const [delivery, ...rest] = await deliveries(subscription.id);
  t.equal(rest.length, 0, 'one delivery');
  t.match(delivery, { eventType: 'decision.adopted', decisionId: decision.id, state: 'delivered', attempts: 4, nextAttemptAt: null });
  t.equal(delivery!.eventId, receiver.hits[0]!.payload.id, 'for the event the receiver got');
  t.same(delivery!.attemptLog.map((a) => a.statusCode), [200, 500, 500, 500], 'the log shows the attempts, newest first: 200 after three 500s');
  t.same(delivery!.attemptLog.map((a) => a.error), [null, 'receiver answered 500', 'receiver answered 500', 'receiver answered 500'], 'with the error of each failed attempt');
  t.ok(delivery!.attemptLog.every((a) => Number.isInteger(a.latencyMs) && a.latencyMs >= 0), 'and the latency of each');
  const times = delivery!.attemptLog.map((a) => Date.parse(a.attemptedAt));
  t.ok(times.every((time, i) => i === 0 || time <= times[i - 1]!), 'attempt times run newest first');
  t.ok(delivery!.firstAttemptAt !== null && delivery!.deliveredAt !== null, 'firstAttemptAt and deliveredAt are set');
  const sub = (await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>();
  t.equal(sub.failingSince, null, 'a subscription that recovered within the window is not failing');
});

t.test('a receiver that is down during a burst of 30 events gets all of them when it comes back, in order per decision', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ALL_TYPES, programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const d = dispatcher({ backoffBaseMs: 20, backoffMaxMs: 200 });

  // Five decisions, six events each: adopted, three vote.cast, ratified, condition.fulfilled.
  const decisions: DecisionJson[] = [];
  for (let i = 0; i < 5; i++) decisions.push(await draft(programme.id, LARGE, [{ description: `Condition ${i}`, dueDate: FUTURE_DUE }]));
  for (const decision of decisions) await adopt(decision.id);
  await drive(d, () => receiver.accepted.length >= 5, 50);
  const beforeOutage = receiver.accepted.length;

  await receiver.stop(); // down during the burst
  let roundsWhileDown = 0;
  for (const m of municipalities) {
    for (const decision of decisions) {
      await approve(decision.id, m.id);
      await d.runOnce();
      roundsWhileDown++;
    }
  }
  for (const decision of decisions) {
    const res = await admin.post(`/api/v1/decisions/${decision.id}/conditions/${decision.conditions[0]!.id}/fulfil`, {
      fulfilledOn: '2026-02-27',
      evidence: 'Criteria received',
    });
    expectStatus(res, 200, 'fulfil');
    await d.runOnce();
    roundsWhileDown++;
  }
  for (let i = 0; i < 10; i++) {
    await d.runOnce();
    await pause(20);
    roundsWhileDown++;
  }
  const whileDown = await deliveries(subscription.id);
  const failedAttemptsWhileDown = whileDown.reduce((sum, entry) => sum + entry.attemptLog.filter((a) => a.statusCode === null).length, 0);
  t.equal(receiver.hits.length, beforeOutage, 'nothing reached the receiver while it was down');
  t.ok(failedAttemptsWhileDown > 0, `the dispatcher kept trying while it was down (${failedAttemptsWhileDown} refused connections logged)`);
  t.ok(whileDown.every((entry) => entry.state !== 'failed'), 'no delivery gave up within the retry window');

  await receiver.restart(); // back on the same port
  const run = await drive(d, () => new Set(receiver.accepted.map((hit) => hit.payload.id)).size >= 30, 300);
  await drive(d, () => false, 3, 20);

  const order = await outboxOrder(decisions.map((decision) => decision.id));
  const expectedIds = [...order.values()].flat();
  t.equal(expectedIds.length, 30, 'the burst wrote 30 outbox events');
  const receivedIds = new Set(receiver.accepted.map((hit) => hit.payload.id));
  const missing = expectedIds.filter((id) => !receivedIds.has(id));
  const dupes = duplicates(receiver);
  const log = await deliveries(subscription.id);
  const attempts = log.reduce((sum, entry) => sum + entry.attempts, 0);
  t.comment(
    `outage: sent 30, received ${receivedIds.size}, duplicates ${dupes}, missing ${missing.length}, attempts ${attempts}, ` +
      `rounds while down ${roundsWhileDown}, rounds to recover ${run.rounds}`,
  );
  t.same(missing, [], 'the receiver got 100 % of the events');
  t.equal(dupes, 0, 'each exactly once by event id');
  t.same(acceptedOrder(receiver), order, 'in outbox order per decision');
  t.ok(receiver.accepted.every((hit) => signedWith(subscription.secret, hit)), 'all signed');
  t.ok(log.length === 30 && log.every((entry) => entry.state === 'delivered'), 'the log shows 30 deliveries, all delivered');
  t.ok(attempts > 30, `with retries logged (${attempts} attempts for 30 deliveries)`);
  t.equal((await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>().failingSince, null, 'the subscription is not failing');
});

t.test('the retry window: a receiver that always fails ends failed and its subscription failing; redeliver after recovery delivers', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = () => 503;
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted', 'decision.withdrawn'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const decision = await adopt((await draft(programme.id, SMALL)).id);
  const d = dispatcher({ retryWindowMs: 300, backoffBaseMs: 20, backoffMaxMs: 60 });

  const failed = async () => (await deliveries(subscription.id)).every((entry) => entry.state === 'failed');
  const run = await drive(d, failed, 100, 30);
  const [delivery] = await deliveries(subscription.id);
  t.comment(`retry window 300 ms: ${delivery?.attempts} attempts in ${run.rounds} rounds before giving up`);
  t.equal(delivery?.state, 'failed', 'after the retry window the delivery is failed');
  t.ok(delivery!.attempts >= 2, `after ${delivery!.attempts} attempts`);
  t.equal(delivery!.nextAttemptAt, null, 'with no next attempt');
  t.equal(delivery!.deliveredAt, null);
  t.ok(delivery!.attemptLog.every((a) => a.statusCode === 503 && a.error === 'receiver answered 503'), 'every attempt logged with 503');
  const failing = (await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>();
  t.match(failing.failingSince, /^\d{4}-\d{2}-\d{2}T/, 'the subscription shows failingSince');
  const listed = (await admin.get('/api/v1/webhook-subscriptions?limit=200')).json<{ items: SubscriptionJson[] }>().items;
  t.equal(listed.find((s) => s.id === subscription.id)?.failingSince, failing.failingSince, 'also in the list');

  const hitsWhenFailed = receiver.hits.length;
  await drive(d, () => false, 5, 20);
  t.equal(receiver.hits.length, hitsWhenFailed, 'a failed delivery is not tried again by itself');

  receiver.answer = () => 204;
  const redeliver = await admin.post(`/api/v1/webhook-subscriptions/${subscription.id}/deliveries/${delivery!.id}/redeliver`);
  t.equal(redeliver.statusCode, 200, 'redeliver answers 200');
  t.match(redeliver.json<DeliveryJson>(), { id: delivery!.id, eventId: delivery!.eventId, state: 'pending', firstAttemptAt: null }, 'the delivery is pending again, with a new window');
  const [rescheduled] = await deliveries(subscription.id);
  t.same(rescheduled?.attemptLog, delivery!.attemptLog, 'the attempts so far stay in the log');
  t.same(
    redeliver.json<DeliveryJson>().attemptLog,
    rescheduled?.attemptLog,
    `the redeliver response shows the same attempt log as GET (it holds attempts: ${redeliver.json<DeliveryJson>().attempts})`,
  );
  t.same(
    (await auditOf(subscription.id)).map((e) => e.action),
    ['webhook.subscribed', 'webhook.redelivered'],
    'the redelivery is audited',
  );
  await drive(d, () => receiver.accepted.length >= 1, 50);
  const [after] = await deliveries(subscription.id);
  t.equal(after?.state, 'delivered', 'the redelivered event is delivered once the receiver recovered');
  t.equal(after?.attemptLog[0]?.statusCode, 204, 'the latest attempt shows 204');
  t.equal(receiver.accepted.length, 1, 'exactly once');
  t.equal(receiver.accepted[0]!.payload.id, delivery!.eventId, 'with the same event id as before');
  t.ok(signedWith(subscription.secret, receiver.accepted[0]!), 'signed');
  t.equal((await admin.get(`/api/v1/webhook-subscriptions/${subscription.id}`)).json<SubscriptionJson>().failingSince, null, 'failingSince is cleared by the success');
  t.equal(decision.status, 'adopted');

  // Redelivery checks what it is given.
  const stranger = await subscribe({ callbackUrl: receiver.url, eventTypes: ['condition.fulfilled'], programmeId: programme.id });
  t.equal(
    (await admin.post(`/api/v1/webhook-subscriptions/${stranger.id}/deliveries/${delivery!.id}/redeliver`)).statusCode,
    404,
    'the delivery of another subscription: 404',
  );
  await unsubscribe(stranger.id);
  const cancelled = await admin.post(`/api/v1/webhook-subscriptions/${stranger.id}/deliveries/${delivery!.id}/redeliver`);
  t.equal(cancelled.statusCode, 409, 'a cancelled subscription: 409');
});

t.test('the callback URL is checked again before every delivery; a receiver that times out is retried', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  await adopt((await draft(programme.id, SMALL)).id);

  // An instance whose allow-list no longer names 127.0.0.1 refuses to send.
  await drive(dispatcher({ allowedHosts: [] }), () => false, 2, 10);
  t.equal(receiver.hits.length, 0, 'a dispatcher without 127.0.0.1 on its allow-list sends nothing there');
  const [refused] = await deliveries(subscription.id);
  t.equal(refused?.state, 'pending', 'the delivery stays pending');
  t.ok(refused!.attemptLog.length >= 1, 'the refused attempt is logged');
  t.match(refused!.attemptLog[0], { statusCode: null, error: /loopback, link-local or private/ }, 'with no status code and the reason');

  // A receiver that answers too late: the attempt is logged as a timeout and tried again.
  const first = receiver.hits.length + 1;
  receiver.delayMs = (n) => (n === first ? 600 : 0);
  const d = dispatcher({ timeoutMs: 150, backoffBaseMs: 20, backoffMaxMs: 40 });
  const run = await drive(d, async () => (await deliveries(subscription.id))[0]?.state === 'delivered', 50, 30);
  await pause(600);
  const [delivery] = await deliveries(subscription.id);
  const timeouts = delivery!.attemptLog.filter((a) => a.statusCode === null && /timeout|abort/i.test(a.error ?? ''));
  t.comment(`slow receiver: ${receiver.hits.length} requests reached it, ${delivery!.attempts} attempts, ${run.rounds} rounds`);
  t.equal(delivery?.state, 'delivered', 'delivered after the receiver answered too late once');
  t.equal(timeouts.length, 1, 'the late answer is logged as a timeout');
  t.ok(timeouts[0]!.latencyMs >= 100, `with its latency (${timeouts[0]!.latencyMs} ms)`);
  t.equal(new Set(receiver.hits.map((hit) => hit.payload.id)).size, 1, 'every request carried the same event id, for the receiver to deduplicate');
  t.comment(`requests the receiver processed for that one event: ${receiver.hits.filter((hit) => hit.status === 200).length} (the timed-out one counts: at least once)`);
});

t.test('redirects are not followed, and the log keeps the attempts of a long retry', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const elsewhere = await Receiver.start(t);
  receiver.location = elsewhere.url;
  receiver.answer = (n) => (n <= 12 ? 307 : 200);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  await adopt((await draft(programme.id, SMALL)).id);
  const run = await drive(dispatcher({ backoffBaseMs: 2, backoffMaxMs: 10 }), () => receiver.accepted.length >= 1, 100, 10);
  t.comment(`redirecting receiver: ${receiver.hits.length} requests in ${run.rounds} rounds`);
  t.equal(elsewhere.hits.length, 0, 'a 307 is not followed to the Location it names');
  t.same(receiver.hits.map((hit) => hit.status), [...Array<number>(12).fill(307), 200], 'it counts as a failed attempt and is retried');
  const [delivery] = await deliveries(subscription.id);
  t.match(delivery, { state: 'delivered', attempts: 13 });
  t.match(delivery!.attemptLog[1], { statusCode: 307, error: 'receiver answered 307' }, 'the redirect is logged as an error');
  t.equal(delivery!.attemptLog.length, delivery!.attempts, `the log shows every attempt (${delivery!.attemptLog.length} of ${delivery!.attempts} shown)`);
});
