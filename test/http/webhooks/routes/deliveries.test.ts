import { randomUUID } from 'node:crypto';
import t from 'tap';
import { subscriptionSecret } from '../../../../src/notifications/signing.js';
import { expectStatus } from '../../../helpers/assertions.js';
import { createOrganisation, createProgramme } from '../../../helpers/factories.js';
import { Receiver, signedWith } from '../../../helpers/webhook-receiver.js';
import {
  ALL_TYPES,
  BOARD_MEETING,
  drive,
  FUTURE_DUE,
  LARGE,
  SIGNING_KEY,
  SMALL,
  startWebhookWorld,
  type DecisionJson,
} from '../../../helpers/webhook-world.js';

/**
 * Who receives what: the WTMR story delivered signed and in order to one subscriber, the
 * programme, municipality and event-type filters, nothing after DELETE (not even a pending
 * retry), and a subscription that sees only the events after it was created.
 */
const world = await startWebhookWorld(t);
const { admin, heerlen, maastricht, municipalities, dispatcher, flushFanOut, subscribe, unsubscribe, deliveries, serial } = world;
const { draft, adopt, vote, approve, ratifiedDecision, auditOf } = world;

t.test('the WTMR story: one subscriber receives decision.adopted, three vote.cast and decision.ratified, signed, in order', async (t) => {
  await flushFanOut();
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ALL_TYPES });
  const wtmr = await createProgramme(admin, { code: `WTMR${serial()}`, name: 'Welcome to Maastricht Region' });
  const create = await admin.post('/api/v1/decisions', {
    reference: 'ESZL-2026-007',
    title: 'Bijdrage Welcome to Maastricht Region 2026-2027',
    boardMeetingDate: BOARD_MEETING,
    commitments: [
      { programmeId: wtmr.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: wtmr.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions: [{ description: 'Submit measurable result criteria', dueDate: FUTURE_DUE }],
  });
  expectStatus(create, 201, 'create WTMR');
  const decision = create.json<DecisionJson>();
  t.equal((await adopt(decision.id)).status, 'pending_ratification');
  for (const m of municipalities) await approve(decision.id, m.id);

  const d = dispatcher();
  const run = await drive(d, () => receiver.hits.length >= 5, 50);
  await d.runOnce();
  t.comment(`WTMR story: ${receiver.hits.length} requests in ${run.rounds} rounds`);
  t.same(
    receiver.hits.map((hit) => hit.payload.type),
    ['decision.adopted', 'vote.cast', 'vote.cast', 'vote.cast', 'decision.ratified'],
    'the receiver gets decision.adopted, three vote.cast and decision.ratified, in that order, once each',
  );
  t.ok(receiver.hits.every((hit) => hit.status === 200), 'each answered 200 by the receiver');
  t.ok(receiver.hits.every((hit) => signedWith(subscription.secret, hit)), 'each is signed with the subscription secret (fresh t, v1 = HMAC-SHA256 of "t.body")');
  t.notOk(receiver.hits.some((hit) => signedWith(subscriptionSecret(SIGNING_KEY, randomUUID()), hit)), 'and does not verify with another secret');
  t.ok(receiver.hits.every((hit) => hit.headers['eszl-event-id'] === hit.payload.id), 'ESZL-Event-Id equals payload.id');
  t.ok(receiver.hits.every((hit) => hit.headers['eszl-event-type'] === hit.payload.type), 'ESZL-Event-Type equals payload.type');
  t.ok(receiver.hits.every((hit) => /^application\/json/.test(String(hit.headers['content-type']))), 'the body is JSON');
  t.ok(receiver.hits.every((hit) => hit.headers['user-agent'] === 'eszl-decisions-webhooks/1'), 'with the service user agent');
  t.equal(new Set(receiver.hits.map((hit) => hit.payload.id)).size, 5, 'five distinct event ids');
  t.ok(receiver.hits.every((hit) => /^[0-9a-f-]{36}$/.test(hit.payload.id)), 'each a UUID');
  t.ok(receiver.hits.every((hit) => hit.payload.decisionId === decision.id), 'each names the WTMR decision');

  const audit = (await auditOf(decision.id)).filter((e) => ALL_TYPES.includes(e.action));
  t.same(
    receiver.hits.map((hit) => [hit.payload.type, hit.payload.auditSeq, hit.payload.occurredAt, hit.payload.data]),
    audit.map((e) => [e.action, e.seq, e.occurredAt, e.data]),
    'each payload carries its audit event: action, seq, time and data',
  );
  t.ok(receiver.hits.every((hit) => !Number.isNaN(Date.parse(hit.payload.occurredAt))), 'occurredAt is a timestamp');
  t.equal((receiver.hits[4]!.payload.data as { decision: { status: string } }).decision.status, 'ratified', 'decision.ratified carries the ratified decision');

  const log = await deliveries(subscription.id);
  t.equal(log.length, 5, 'the delivery log holds five deliveries');
  t.ok(log.every((entry) => entry.state === 'delivered' && entry.attempts === 1 && entry.attemptLog.length === 1), 'each delivered at the first attempt');
  t.ok(log.every((entry) => entry.attemptLog[0]!.statusCode === 200 && entry.attemptLog[0]!.error === null), 'logged with status 200 and no error');
  t.ok(log.every((entry) => Number.isInteger(entry.attemptLog[0]!.latencyMs) && entry.attemptLog[0]!.latencyMs >= 0), 'and a latency');
  t.ok(log.every((entry) => entry.deliveredAt !== null && entry.nextAttemptAt === null), 'with deliveredAt and no next attempt');
  t.same(
    log.map((entry) => entry.eventId).sort(),
    receiver.hits.map((hit) => hit.payload.id).sort(),
    'the log names the event ids the receiver got',
  );

  // Unsubscribed, it receives nothing more.
  await unsubscribe(subscription.id);
  await adopt((await draft(wtmr.id, SMALL)).id);
  await drive(d, () => false, 5, 10);
  t.equal(receiver.hits.length, 5, 'after DELETE nothing more is delivered');
});

t.test('filters: programme, municipality and event type', async (t) => {
  await flushFanOut();
  const programmeA = await createProgramme(admin);
  const programmeB = await createProgramme(admin);
  const other = await createOrganisation(admin, { name: `Gemeente Vaals ${serial()}`, kind: 'municipality' });
  const [forA, forB, forHeerlen, forVaals, votesOnly] = await Promise.all([1, 2, 3, 4, 5].map(() => Receiver.start(t)));
  const subs = [
    await subscribe({ callbackUrl: forA!.url, eventTypes: ALL_TYPES, programmeId: programmeA.id }),
    await subscribe({ callbackUrl: forB!.url, eventTypes: ALL_TYPES, programmeId: programmeB.id }),
    await subscribe({ callbackUrl: forHeerlen!.url, eventTypes: ALL_TYPES, municipalityId: heerlen.id }),
    await subscribe({ callbackUrl: forVaals!.url, eventTypes: ALL_TYPES, municipalityId: other.id }),
    await subscribe({ callbackUrl: votesOnly!.url, eventTypes: ['vote.cast'], programmeId: programmeA.id }),
  ];
  t.teardown(async () => {
    for (const s of subs) await unsubscribe(s.id);
  });

  const large = await ratifiedDecision(programmeA.id); // adopted, 3 votes, ratified: Heerlen must ratify
  const small = await adopt((await draft(programmeA.id, SMALL)).id); // adopted at once: nobody ratifies
  const withdrawn = await adopt((await draft(programmeA.id, LARGE)).id);
  expectStatus(await admin.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Applicant withdrew' }), 200, 'withdraw');
  const rejected = await adopt((await draft(programmeA.id, LARGE)).id);
  expectStatus(await vote(rejected.id, maastricht.id, 'reject'), 201, 'reject');
  const d = dispatcher();
  await drive(d, () => forA!.hits.length >= 11 && votesOnly!.hits.length >= 4 && forHeerlen!.hits.length >= 10, 50);
  await drive(d, () => false, 3, 10);

  const ofDecision = (receiver: Receiver, id: string) => receiver.hits.filter((hit) => hit.payload.decisionId === id).map((hit) => hit.payload.type);
  const story = ['decision.adopted', 'vote.cast', 'vote.cast', 'vote.cast', 'decision.ratified'];
  t.equal(forA!.hits.length, 11, 'the programme A subscriber gets every event of programme A');
  t.same(ofDecision(forA!, large.id), story, 'those of the ratified decision in order');
  t.same(ofDecision(forA!, small.id), ['decision.adopted'], 'the adoption of the small one');
  t.same(ofDecision(forA!, withdrawn.id), ['decision.adopted', 'decision.withdrawn'], 'adoption and withdrawal of the withdrawn one');
  t.same(ofDecision(forA!, rejected.id), ['decision.adopted', 'vote.cast', 'decision.rejected'], 'adoption, the rejecting vote and the rejection');
  t.equal(forB!.hits.length, 0, 'a subscription for another programme gets nothing');
  t.same(
    [large, withdrawn, rejected].map((decision) => ofDecision(forHeerlen!, decision.id)),
    [story, ['decision.adopted', 'decision.withdrawn'], ['decision.adopted', 'vote.cast', 'decision.rejected']],
    'a Heerlen filter gets the events of the decisions Heerlen must ratify',
  );
  t.equal(forHeerlen!.hits.length, 10, 'and not the one nobody ratifies');
  t.equal(forVaals!.hits.length, 0, 'a filter on a municipality that ratifies nothing gets nothing');
  t.same(votesOnly!.hits.map((hit) => hit.payload.type), ['vote.cast', 'vote.cast', 'vote.cast', 'vote.cast'], 'a vote.cast subscriber gets only the votes');
  t.ok(
    forA!.hits.every((hit) => signedWith(subs[0]!.secret, hit)) && forHeerlen!.hits.every((hit) => signedWith(subs[2]!.secret, hit)),
    'each subscriber gets messages signed with its own secret',
  );
  t.notOk(forA!.hits.some((hit) => signedWith(subs[2]!.secret, hit)), 'not with the secret of another subscription');
  t.same(
    new Set(forA!.hits.map((hit) => hit.payload.id)),
    new Set([...forHeerlen!.hits, ...forA!.hits.filter((hit) => hit.payload.decisionId === small.id)].map((hit) => hit.payload.id)),
    'the same event has the same id at every subscriber',
  );
});

t.test('deliveries stop after DELETE, also those waiting for a retry', async (t) => {
  await flushFanOut();
  const programme = await createProgramme(admin);
  const receiver = await Receiver.start(t);
  receiver.answer = () => 500;
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  await adopt((await draft(programme.id, SMALL)).id);
  const d = dispatcher({ backoffBaseMs: 20, backoffMaxMs: 40 });
  await drive(d, () => receiver.hits.length >= 1, 20);
  t.equal(receiver.hits.length, 1, 'the first attempt failed with 500');
  receiver.answer = () => 200;
  await unsubscribe(subscription.id);
  await adopt((await draft(programme.id, SMALL)).id);
  await drive(d, () => false, 10, 20);
  t.equal(receiver.hits.length, 1, 'after DELETE neither the pending retry nor a new event is delivered');
  const [delivery, ...others] = await deliveries(subscription.id);
  t.equal(others.length, 0, 'no delivery was even created for the event after DELETE');
  t.equal(delivery?.state, 'failed', 'the log still shows the undelivered event, ended as failed');
});

t.test('a subscription sees only events after it was created', async (t) => {
  // Subscriptions are matched when the dispatcher fans an event out, not when the event is written:
  // an event still waiting in the outbox when a subscription is created reaches it too.
  const programme = await createProgramme(admin);
  await adopt((await draft(programme.id, SMALL)).id); // before the subscription, not yet fanned out
  const receiver = await Receiver.start(t);
  const subscription = await subscribe({ callbackUrl: receiver.url, eventTypes: ['decision.adopted'], programmeId: programme.id });
  t.teardown(() => unsubscribe(subscription.id));
  const after = await adopt((await draft(programme.id, SMALL)).id);
  await drive(dispatcher(), () => false, 4, 10);
  t.comment(`events of before the subscription delivered to it: ${receiver.hits.filter((hit) => hit.payload.decisionId !== after.id).length}`);
  t.same(
    receiver.hits.map((hit) => hit.payload.decisionId),
    [after.id],
    'only the event after the subscription is delivered',
  );
});
