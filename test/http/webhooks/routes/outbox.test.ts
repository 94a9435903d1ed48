import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { openDatabase, type Database } from '../../../../src/db/client.js';
import type { WebhookDispatcher } from '../../../../src/notifications/dispatcher.js';
import { raiseOverdueConditions } from '../../../../src/use-cases/overdue-conditions.js';
import { expectStatus } from '../../../helpers/assertions.js';
import { createProgramme } from '../../../helpers/factories.js';
import { Receiver, signedWith } from '../../../helpers/webhook-receiver.js';
import {
  acceptedOrder,
  ALL_TYPES,
  CLOCK,
  drive,
  duplicates,
  LARGE,
  onPostgres,
  pause,
  SMALL,
  startWebhookWorld,
  type DecisionJson,
} from '../../../helpers/webhook-world.js';

/**
 * Each event once: two dispatchers on one database deliver every event exactly once and in
 * order, condition.overdue is raised once per overdue condition also by concurrent checks, and
 * the outbox is written with the change and only with it.
 *
 * On PostgreSQL (DATABASE_URL) the second dispatcher and the concurrent overdue check use a pool
 * of their own.
 */
const world = await startWebhookWorld(t);
const { ctx, admin, database, heerlen, sittardGeleen, maastricht, dispatcher, flushFanOut, rows, count, subscribe, unsubscribe } = world;
const { draft, adopt, vote, approve, ratifiedDecision, outboxOrder, auditOf } = world;

t.test('two dispatchers on one database deliver 50 events exactly once, in order per decision', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ALL_TYPES, programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const decisions: DecisionJson[] = [];
  for (let i = 0; i < 10; i++) decisions.push(await ratifiedDecision(programme.id)); // 10 x 5 events
  t.equal(await count(sql`select count(*) as n from outbox_events where fanned_out_at is null`), 50, '50 events wait in the outbox');

  let other: Database = database;
  if (onPostgres) {
    other = await openDatabase({ databaseUrl: ctx.db.url!, dataDir: 'unused', poolSize: 10 });
    t.teardown(() => other.close());
  }
  const a = dispatcher({ batchSize: 5 });
  const b = dispatcher({ database: other, batchSize: 5 });
  const unique = () => new Set(receiver.accepted.map((hit) => hit.payload.id)).size;
  const work = { a: 0, b: 0 };
  const loop = async (d: WebhookDispatcher, name: 'a' | 'b') => {
    for (let round = 0; round < 300 && unique() < 50; round++) {
      work[name] += (await d.runOnce()).attempted;
      await pause(2);
    }
  };
  await Promise.all([loop(a, 'a'), loop(b, 'b')]);
  await Promise.all([a.runOnce(), b.runOnce()]);

  const order = await outboxOrder(decisions.map((decision) => decision.id));
  const attempts = await count(
    sql`select count(*) as n from webhook_attempts wa join webhook_deliveries wd on wd.id = wa.delivery_id where wd.subscription_id = ${subscription.id}`,
  );
  const dupes = duplicates(receiver);
  t.comment(
    `two dispatchers (${onPostgres ? 'two pools on PostgreSQL' : 'one PGlite'}): sent 50, received ${unique()}, duplicates ${dupes}, ` +
      `requests ${receiver.hits.length}, attempts logged ${attempts}, delivered by A ${work.a}, by B ${work.b}`,
  );
  t.equal(unique(), 50, 'every event is delivered');
  t.equal(dupes, 0, 'none twice (0 duplicates)');
  t.equal(receiver.hits.length, 50, 'the receiver got exactly 50 requests');
  t.equal(attempts, 50, 'the log holds exactly 50 attempts');
  t.same(acceptedOrder(receiver), order, 'in outbox order per decision');
  if (onPostgres) t.ok(work.a > 0 && work.b > 0, `both instances shared the work (A ${work.a}, B ${work.b})`);
});

t.test('condition.overdue is raised once per open condition of a binding decision past its due date, also with concurrent checks', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['condition.overdue'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));

  const adopted = await adopt(
    (
      await draft(programme.id, SMALL, [
        { description: 'Due on 15 February', dueDate: '2026-02-15' },
        { description: 'Due yesterday', dueDate: '2026-02-28' },
        { description: 'Due today', dueDate: '2026-03-01' },
        { description: 'Fulfilled in time', dueDate: '2026-02-10' },
      ])
    ).id,
  );
  const fulfilled = await admin.post(`/api/v1/decisions/${adopted.id}/conditions/${adopted.conditions[3]!.id}/fulfil`, {
    fulfilledOn: '2026-02-09',
    evidence: 'Delivered',
  });
  expectStatus(fulfilled, 200, 'fulfil');
  const pending = await adopt((await draft(programme.id, LARGE, [{ description: 'Pending decision condition', dueDate: '2026-01-31' }])).id);
  t.equal(pending.status, 'pending_ratification');
  const stillDraft = await draft(programme.id, SMALL, [{ description: 'Draft condition', dueDate: '2026-02-15' }]);
  const withdrawn = await adopt((await draft(programme.id, LARGE, [{ description: 'Withdrawn condition', dueDate: '2026-02-01' }])).id);
  expectStatus(await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Applicant withdrew' }), 200, 'withdraw');

  const expected = [adopted.conditions[0]!.id, adopted.conditions[1]!.id];
  let other: Database = database;
  if (onPostgres) {
    other = await openDatabase({ databaseUrl: ctx.db.url!, dataDir: 'unused', poolSize: 4 });
    t.teardown(() => other.close());
  }
  const concurrent = await Promise.all([
    raiseOverdueConditions({ database, clock: CLOCK }),
    raiseOverdueConditions({ database: other, clock: CLOCK }),
    raiseOverdueConditions({ database, clock: CLOCK }),
  ]);
  t.equal(concurrent.reduce((a, b) => a + b, 0), 2, `three concurrent checks raise the two overdue conditions once between them (${concurrent.join(' + ')})`);
  t.equal(await raiseOverdueConditions({ database, clock: CLOCK }), 0, 'a later check raises nothing more');
  t.same(
    await Promise.all([raiseOverdueConditions({ database, clock: CLOCK }), raiseOverdueConditions({ database: other, clock: CLOCK })]),
    [0, 0],
    'nor do two more concurrent checks',
  );

  const overdueEvents = (await auditOf(adopted.id)).concat(await auditOf(pending.id)).filter((e) => e.action === 'condition.overdue');
  t.same(
    overdueEvents.map((e) => (e.data as { condition: { id: string } }).condition.id).sort(),
    [...expected].sort(),
    'one condition.overdue audit event per overdue condition',
  );
  t.ok(overdueEvents.every((e) => e.actor.role === 'system' && e.resourceType === 'decision'), 'recorded by the system on the decision');
  t.same((await auditOf(stillDraft.id)).map((e) => e.action), ['decision.created'], 'the draft decision got none');
  t.notOk((await auditOf(pending.id)).some((e) => e.action === 'condition.overdue'), 'the decision awaiting the colleges does not bind: none');
  t.notOk((await auditOf(withdrawn.id)).some((e) => e.action === 'condition.overdue'), 'the withdrawn decision got none');
  const verify = await admin.get('/api/v1/audit-events/verify');
  t.equal(verify.json<{ valid: boolean }>().valid, true, 'the audit chain stays valid');

  await drive(dispatcher(), () => receiver.hits.length >= 2, 50);
  await drive(dispatcher(), () => false, 3, 10);
  t.same(receiver.hits.map((hit) => hit.payload.type), ['condition.overdue', 'condition.overdue'], 'the subscriber receives two condition.overdue');
  t.same(
    receiver.hits.map((hit) => (hit.payload.data as { condition: { id: string } }).condition.id).sort(),
    [...expected].sort(),
    'one per overdue condition',
  );
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'signed');
  const view = (await admin.get(`/api/v1/decisions/${adopted.id}`)).json<DecisionJson>();
  t.same(view.conditions.map((c) => c.status), ['overdue', 'overdue', 'open', 'fulfilled'], 'the decision shows which conditions are overdue');
});

t.test('the outbox is written with the change and only with it', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const outbox = () => count(sql`select count(*) as n from outbox_events`);
  const decision = await adopt((await draft(programme.id, LARGE)).id);
  await approve(decision.id, heerlen.id);

  const before = await outbox();
  const failures: [string, () => Promise<LightMyRequestResponse>, number][] = [
    ['a second vote of Heerlen', () => vote(decision.id, heerlen.id), 409],
    ['adopting an adopted decision', () => admin.post(`/api/v1/decisions/${decision.id}/adopt`), 409],
    ['a vote on an unknown decision', () => vote(randomUUID(), sittardGeleen.id), 404],
    ['a vote with a bad outcome', () => vote(decision.id, sittardGeleen.id, 'abstain'), 400],
    ['withdrawing without a reason', () => admin.post(`/api/v1/decisions/${decision.id}/withdraw`, {}), 400],
  ];
  for (const [name, request, status] of failures) {
    const res = await request();
    t.equal(res.statusCode, status, `${name}: ${status}`);
    t.equal(await outbox(), before, `${name} writes no outbox row`);
  }
  await approve(decision.id, sittardGeleen.id);
  t.equal(await outbox(), before + 1, 'a vote that settles nothing writes one row (vote.cast)');
  await approve(decision.id, maastricht.id);
  t.equal(await outbox(), before + 3, 'the ratifying vote writes two (vote.cast, decision.ratified)');
  await admin.post('/api/v1/organisations', { name: 'Not a decision event', kind: 'other' });
  t.equal(await outbox(), before + 3, 'a change that is no decision event writes none');

  const [mismatch] = await rows<{ n: string | number }>(sql`
    select count(*) as n
      from audit_events a
      full join outbox_events o on (o.payload->>'auditSeq')::bigint = a.seq
     where (a.seq is null or o.seq is null)
       and (o.seq is not null or (a.resource_type = 'decision' and a.action in (${sql.join(ALL_TYPES.map((type) => sql`${type}`), sql`, `)})))`);
  t.equal(Number(mismatch?.n), 0, 'over the whole file every decision event of a webhook type has exactly one outbox row, and every outbox row its audit event');
  const [{ n: dupes } = { n: 0 }] = await rows<{ n: string | number }>(
    sql`select count(*) as n from (select payload->>'auditSeq' from outbox_events group by 1 having count(*) > 1) x`,
  );
  t.equal(Number(dupes), 0, 'no audit event has two outbox rows');
});
