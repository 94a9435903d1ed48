import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { readAuditEvents } from '../../src/db/audit-repository.js';
import { findSubscription, insertSubscription } from '../../src/db/webhooks-repository.js';
import { systemClock } from '../../src/domain/clock.js';
import { endSubscription } from '../../src/use-cases/webhook-endings.js';
import { POSTGRES_ONLY, repositoryDatabase, rowsOf } from '../helpers/register-rows.js';

/**
 * A receiver's 410 Gone ends its subscription: inactive with its reason and time, its pending
 * deliveries cancelled (delivered ones stay), `webhook_subscription.ended` audited, all at once;
 * a second 410, however it races, changes nothing.
 */
let auditSeq = 0;
async function subscriptionWithDeliveries() {
  const db = database.db;
  const subscription = await insertSubscription(db, { callbackUrl: 'https://hooks.example.org/gone', eventTypes: ['decision.adopted'] });
  const deliveries: Record<string, string> = {};
  for (const state of ['pending', 'pending', 'delivered']) {
    const id = randomUUID();
    const [event] = await rowsOf<{ seq: number }>(db, sql`
      insert into outbox_events (event_id, event_type, decision_id, resource_id, ordering_key, audit_seq, programme_ids, municipality_ids, payload)
      values (${randomUUID()}, 'decision.adopted', ${id}, ${id}, ${id}, ${++auditSeq}, '{}', '{}', '{}') returning seq`);
    const [row] = await rowsOf<{ id: string }>(db, sql`
      insert into webhook_deliveries (subscription_id, outbox_seq, ordering_key, state) values (${subscription.id}, ${event!.seq}, ${id}, ${state}) returning id`);
    deliveries[row!.id] = state;
  }
  return { subscription, deliveries };
}

const database = await repositoryDatabase(t);
const ctx = { database, clock: systemClock };

const endedEvents = async (subscriptionId: string) =>
  (await readAuditEvents(database.db, 0, 100, { resourceType: 'webhook-subscription', resourceId: subscriptionId })).filter((e) => e.action === 'webhook_subscription.ended');

t.test('a 410 ends the subscription, cancels what is pending and is audited; a second changes nothing', async (t) => {
  const { subscription } = await subscriptionWithDeliveries();
  const other = await subscriptionWithDeliveries();

  t.equal(await endSubscription(ctx, subscription.id, 'gone'), true, 'this call ended it');
  t.match(await findSubscription(database.db, subscription.id), { active: false, endedReason: 'gone' });
  t.ok((await findSubscription(database.db, subscription.id))!.endedAt instanceof Date);
  const states = await rowsOf<{ state: string; n: number }>(database.db, sql`
    select state, count(*)::int as n from webhook_deliveries where subscription_id = ${subscription.id} group by state order by state`);
  t.same(states, [{ state: 'delivered', n: 1 }, { state: 'failed', n: 2 }], 'pending ones cancelled, the delivered one kept');
  const otherStates = await rowsOf<{ state: string }>(database.db, sql`select state from webhook_deliveries where subscription_id = ${other.subscription.id} and state = 'pending'`);
  t.equal(otherStates.length, 2, 'another subscription\'s deliveries are untouched');
  t.match(await findSubscription(database.db, other.subscription.id), { active: true, endedReason: null });

  const events = await endedEvents(subscription.id);
  t.equal(events.length, 1, 'audited once');
  t.match(events[0]!.data, { subscription: { id: subscription.id, active: false }, endedReason: 'gone' });

  t.equal(await endSubscription(ctx, subscription.id, 'gone'), false, 'already ended');
  t.equal((await endedEvents(subscription.id)).length, 1, 'not audited again');
  t.equal(await endSubscription(ctx, randomUUID(), 'gone'), false, 'an unknown subscription');
});

t.test('of many 410s at once, exactly one ends the subscription', { skip: POSTGRES_ONLY }, async (t) => {
  const { subscription } = await subscriptionWithDeliveries();
  const results = await Promise.all(Array.from({ length: 6 }, () => endSubscription(ctx, subscription.id, 'gone')));
  t.equal(results.filter(Boolean).length, 1);
  t.equal((await endedEvents(subscription.id)).length, 1);
});
