import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import t from 'tap';
import { readOperationsSnapshot } from '../../src/db/operations-metrics-repository.js';
import { insertSubscription } from '../../src/db/webhooks-repository.js';
import { appendEvents } from '../helpers/audit-events.js';
import { decision, repositoryDatabase, rowsOf } from '../helpers/register-rows.js';

/** What the operators' gauges read in one statement: an empty register reads as zeros, a busy one as its rows. */
const TODAY = '2026-02-01';
const database = await repositoryDatabase(t);

t.test('an empty register: zeros, no checkpoint, no statuses', async (t) => {
  t.same(await readOperationsSnapshot(database.db, TODAY), {
    webhookDeliveriesPending: 0,
    webhookOldestPendingSeconds: 0,
    webhookDeliveryFailures: 0,
    auditHeadSeq: 0,
    checkpoint: undefined,
    decisionsByStatus: {},
    ratificationsOverdue: 0,
  });
});

t.test('a register with deliveries, failures, events, a checkpoint and decisions', async (t) => {
  const db = database.db;
  const subscription = await insertSubscription(db, { callbackUrl: 'https://hooks.example.org/eszl', eventTypes: ['decision.adopted'] });
  let auditSeq = 0;
  const delivery = async (state: string, age: string) => {
    const id = randomUUID();
    const [event] = await rowsOf<{ seq: number }>(db, sql`
      insert into outbox_events (event_id, event_type, decision_id, resource_id, ordering_key, audit_seq, programme_ids, municipality_ids, payload)
      values (${randomUUID()}, 'decision.adopted', ${id}, ${id}, ${id}, ${++auditSeq}, '{}', '{}', '{}') returning seq`);
    const [row] = await rowsOf<{ id: string }>(db, sql`
      insert into webhook_deliveries (subscription_id, outbox_seq, ordering_key, state, created_at)
      values (${subscription.id}, ${event!.seq}, ${id}, ${state}, now() - ${age}::interval) returning id`);
    return row!.id;
  };
  const oldest = await delivery('pending', '2 hours');
  await delivery('pending', '1 minute');
  const delivered = await delivery('delivered', '5 hours');
  await delivery('failed', '6 hours');
  for (const [deliveryId, error] of [[oldest, 'timeout'], [oldest, 'HTTP 500'], [delivered, null]] as const) {
    await db.execute(sql`insert into webhook_attempts (delivery_id, status_code, latency_ms, error) values (${deliveryId}, ${error === null ? 200 : null}, 12, ${error})`);
  }

  await appendEvents(database, 4);
  await db.execute(sql`insert into audit_checkpoints (seq, head_hash, issued_at, origin, key_name, note)
    values (2, ${'0'.repeat(64)}, now() - interval '10 minutes', 'o', 'k', 'n'), (3, ${'1'.repeat(64)}, now() - interval '5 minutes', 'o', 'k', 'n')`);

  await decision(db, { status: 'pending_ratification', ratificationDueDate: '2026-01-31' });
  await decision(db, { status: 'pending_ratification', ratificationDueDate: TODAY });
  await decision(db, { status: 'pending_ratification', ratificationDueDate: '2026-03-01' });
  await decision(db, { status: 'draft' });
  await decision(db, { status: 'draft' });

  const snapshot = await readOperationsSnapshot(db, TODAY);
  t.equal(snapshot.webhookDeliveriesPending, 2, 'pending only');
  t.ok(snapshot.webhookOldestPendingSeconds >= 7_200 && snapshot.webhookOldestPendingSeconds < 7_200 + 3_600, `the oldest pending is two hours old (${snapshot.webhookOldestPendingSeconds})`);
  t.equal(snapshot.webhookDeliveryFailures, 2, 'attempts with an error');
  t.equal(snapshot.auditHeadSeq, 4);
  t.equal(snapshot.checkpoint?.seq, 3, 'the latest checkpoint');
  t.ok(snapshot.checkpoint!.ageSeconds >= 300 && snapshot.checkpoint!.ageSeconds < 300 + 3_600, `issued five minutes ago (${snapshot.checkpoint!.ageSeconds})`);
  t.same(snapshot.decisionsByStatus, { pending_ratification: 3, draft: 2 });
  t.equal(snapshot.ratificationsOverdue, 1, 'due before today; due today is not overdue yet');

  await db.execute(sql`update webhook_deliveries set created_at = now() + interval '1 hour' where id = ${oldest}`);
  await db.execute(sql`update webhook_deliveries set state = 'delivered' where state = 'pending' and id <> ${oldest}`);
  t.equal((await readOperationsSnapshot(db, TODAY)).webhookOldestPendingSeconds, 0, 'a clock behind a row never gives a negative age');
});
