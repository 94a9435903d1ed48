import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { inTransaction } from '../../src/db/transaction.js';
import {
  cancelPendingDeliveries,
  deactivateSubscription,
  findDelivery,
  findSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  recentAttempts,
  scheduleRedelivery,
} from '../../src/db/webhooks-repository.js';
import { checkKeysetPages, lockedElsewhere, organisation, POSTGRES_ONLY, repositoryDatabase, rowsOf, statementsSent } from '../helpers/register-rows.js';

/** Subscriptions, their deliveries and attempts as the API shows and changes them (the dispatcher's own SQL is tested with it). */
const database = await repositoryDatabase(t);
const db = database.db;
const heerlen = await organisation(db, { kind: 'municipality', centreMunicipality: true });
const URL_ = 'https://hooks.example.org/eszl';
const all = await insertSubscription(db, { callbackUrl: URL_, eventTypes: ['decision.adopted'] });
const ofHeerlen = await insertSubscription(db, { callbackUrl: URL_, eventTypes: ['vote.cast'], municipalityId: heerlen });
const other = await insertSubscription(db, { callbackUrl: URL_, eventTypes: ['vote.cast'] });

let auditSeq = 0;
/** An outbox event and a delivery of it to `subscriptionId`, in `state`. */
async function delivery(subscriptionId: string, state = 'pending'): Promise<{ id: string; eventId: string; decisionId: string }> {
  const eventId = randomUUID();
  const decisionId = randomUUID();
  const [event] = await rowsOf<{ seq: number }>(db, sql`
    insert into outbox_events (event_id, event_type, decision_id, resource_id, ordering_key, audit_seq, programme_ids, municipality_ids, payload)
    values (${eventId}, 'decision.adopted', ${decisionId}, ${decisionId}, ${decisionId}, ${++auditSeq}, '{}', '{}', '{}') returning seq`);
  const [row] = await rowsOf<{ id: string }>(db, sql`
    insert into webhook_deliveries (subscription_id, outbox_seq, ordering_key, state, attempts, first_attempt_at, lease_until, delivered_at)
    values (${subscriptionId}, ${event!.seq}, ${decisionId}, ${state}, 1, now() - interval '1 hour', now() + interval '1 minute',
            ${state === 'delivered' ? sql`now()` : null})
    returning id`);
  return { id: row!.id, eventId, decisionId };
}
const stateOf = async (id: string) =>
  (await rowsOf<{ state: string; leased: boolean; first: boolean; delivered: boolean; due: boolean }>(db, sql`
    select state, lease_until is not null as leased, first_attempt_at is not null as first, delivered_at is not null as delivered,
           next_attempt_at <= now() as due
      from webhook_deliveries where id = ${id}`))[0];

t.test('a subscription is found by id, locked when asked; an unknown one finds nothing', async (t) => {
  t.same(await findSubscription(db, all.id), all);
  t.equal(await findSubscription(db, randomUUID()), undefined);
});

t.test('found for update, the subscription stays locked until the transaction ends', { skip: POSTGRES_ONLY }, async (t) => {
  await inTransaction(database, async (tx) => {
    await findSubscription(tx, all.id, true);
    t.equal(await lockedElsewhere(database, 'webhook_subscriptions', all.id), true);
  });
  await inTransaction(database, async (tx) => {
    await findSubscription(tx, all.id);
    t.equal(await lockedElsewhere(database, 'webhook_subscriptions', all.id), false);
  });
});

t.test('subscriptions are paged, all of them or those filtered on one municipality', async (t) => {
  const expected = [all, ofHeerlen, other].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)).map((s) => s.id);
  await checkKeysetPages(t, expected, (after, limit) => listSubscriptions(db, after, limit));
  t.same((await listSubscriptions(db, undefined, 10, heerlen)).map((s) => s.id), [ofHeerlen.id]);
  t.same(await listSubscriptions(db, undefined, 10, randomUUID()), []);
});

t.test('deliveries are listed and found with their event, only under their own subscription', async (t) => {
  const first = await delivery(other.id, 'delivered');
  const second = await delivery(other.id, 'failed');
  await delivery(all.id);
  const listed = await listDeliveries(db, other.id, undefined, 10);
  t.same(listed.map((d) => [d.id, d.eventId, d.eventType, d.decisionId, d.state]), [
    [first.id, first.eventId, 'decision.adopted', first.decisionId, 'delivered'],
    [second.id, second.eventId, 'decision.adopted', second.decisionId, 'failed'],
  ]);
  t.notOk('leaseUntil' in listed[0]!, 'the lease is the dispatcher’s business');
  await checkKeysetPages(t, [first.id, second.id], (after, limit) => listDeliveries(db, other.id, after, limit));
  t.equal((await findDelivery(db, other.id, first.id))?.eventId, first.eventId);
  t.equal(await findDelivery(db, all.id, first.id), undefined, 'not under another subscription');
});

t.test('a redelivery starts a new retry window now; cancelling ends only the pending deliveries', async (t) => {
  const failed = await delivery(ofHeerlen.id, 'failed');
  await scheduleRedelivery(db, failed.id);
  t.same(await stateOf(failed.id), { state: 'pending', leased: false, first: false, delivered: false, due: true });

  const delivered = await delivery(ofHeerlen.id, 'delivered');
  const pending = await delivery(ofHeerlen.id, 'pending');
  const elsewhere = await delivery(all.id, 'pending');
  await cancelPendingDeliveries(db, ofHeerlen.id);
  t.match(await stateOf(failed.id), { state: 'failed', leased: false }, 'the redelivery, still pending, is cancelled too');
  t.match(await stateOf(pending.id), { state: 'failed', leased: false });
  t.match(await stateOf(delivered.id), { state: 'delivered' }, 'a delivered one stays delivered');
  t.match(await stateOf(elsewhere.id), { state: 'pending' }, 'another subscription’s stay pending');
  const deactivated = await deactivateSubscription(db, ofHeerlen.id);
  t.match(deactivated, { id: ofHeerlen.id, active: false });
});

t.test('the attempts of each delivery, newest first, at most so many per delivery; none asked, none read', async (t) => {
  const one = await delivery(all.id);
  const two = await delivery(all.id);
  for (const [id, status, ago] of [[one.id, 500, 3], [one.id, 502, 2], [one.id, 200, 1], [two.id, 503, 1]] as const) {
    await db.execute(sql`insert into webhook_attempts (delivery_id, status_code, latency_ms, attempted_at) values (${id}, ${status}, 5, now() - make_interval(mins => ${ago}))`);
  }
  const attempts = await recentAttempts(db, [one.id, two.id]);
  t.same([...attempts.keys()].sort(), [one.id, two.id].sort());
  t.same(attempts.get(one.id)!.map((a) => a.statusCode), [200, 502, 500]);
  t.same(attempts.get(two.id)!.map((a) => a.statusCode), [503]);
  t.same((await recentAttempts(db, [one.id], 2)).get(one.id)!.map((a) => a.statusCode), [200, 502], 'the newest two');
  t.same(await recentAttempts(db, []), new Map());
  if (database.pool) t.equal(await statementsSent(database, () => recentAttempts(db, [])), 0, 'without asking the database');
});
