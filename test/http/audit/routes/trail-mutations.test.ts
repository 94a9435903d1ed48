import { randomUUID } from 'node:crypto';
import t from 'tap';
import { Value } from 'typebox/value';
import { fixedClock } from '../../../../src/domain/clock.js';
import { EVENT_TYPES, PUBLISHED_EVENT_TYPES, type EventType } from '../../../../src/domain/events.js';
import { componentsByName } from '../../../../src/http/components.js';
import { deliveryBody } from '../../../../src/http/events/payloads.js';
import { raiseOverdueConditions } from '../../../../src/use-cases/overdue-conditions.js';
import { raiseOverdueRatifications } from '../../../../src/use-cases/overdue-ratifications.js';
import { raiseRatificationReminders } from '../../../../src/use-cases/ratification-reminders.js';
import { endSubscription } from '../../../../src/use-cases/webhook-endings.js';
import { startTestApp } from '../../../helpers/app.js';
import { mutationCases } from '../../../helpers/audit-mutations.js';
import {
  expectCatalogueEvents,
  expectStatus,
  expectTrailWhole,
  mutatingOperations,
  startAuditTrail,
  type AuditEvent,
  type KeyHolder,
} from '../../../helpers/audit-trail.js';
import { LARGE, playWtmrStory, SMALL, worldTools, type DecisionJson } from '../../../helpers/audit-world.js';

/**
 * The audit trail over HTTP, one change at a time: every successful mutating operation of the
 * OpenAPI document writes exactly its event, with the actor of the key used and the change as the
 * API answered it, and a replay writes none; a vote that settles a decision writes its vote and
 * the verdict as two chained events; and every event type of the catalogue occurs with its
 * payload. Today (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const operations = await mutatingOperations(); // before the app starts: see there
const trail = await startAuditTrail(t);
const { ctx, admin, reader, eventsAfter, measured, getJson } = trail;
const { world } = await playWtmrStory(trail);
const tools = worldTools(trail, world);
const { adopted, decisionBody, subscribeWebhook } = tools;
const MUTATIONS = mutationCases(trail, world, tools);

t.test('every mutating operation writes exactly one event with its action, resource and actor', async (t) => {
  t.ok(operations.length >= 12, `the OpenAPI document lists ${operations.length} mutating operations`);
  const documented = operations.map((op) => op.operationId).sort();
  t.same(
    documented.filter((id) => !(id in MUTATIONS)),
    [],
    'every POST/PATCH/PUT/DELETE operation of the OpenAPI document has a case in this table (add one for a new operation)',
  );
  t.same(
    Object.keys(MUTATIONS).filter((id) => !documented.includes(id)).sort(),
    [],
    'every case of the table is still an operation of the document',
  );

  for (const op of operations) {
    const mutation = MUTATIONS[op.operationId];
    if (mutation === undefined) continue;
    await t.test(`${op.operationId} writes one ${mutation.action} event`, async (t) => {
      const { request, expect } = await mutation.prepare();
      // POSTs carry an Idempotency-Key, so the retry below is a replay of this very request.
      const headers = op.method === 'post' ? { 'idempotency-key': `audit-${randomUUID()}` } : undefined;
      const { before, res, events } = await measured(() => request(headers));
      const expected = await expect(res);
      t.equal(res.statusCode, expected.status, `answers ${expected.status} (body: ${res.body.slice(0, 300)})`);
      const causes = mutation.causes ?? [];
      t.equal(events.length, causes.length + 1, causes.length === 0 ? 'exactly one new event' : `its own event after ${causes.join(', ')}`);
      t.same(events.slice(0, -1).map((e) => e.action), causes, 'the events it causes first');
      const event = events.at(-1);
      if (event === undefined) return;
      t.equal(event.seq, before + causes.length + 1, 'the event follows the previous head');
      t.equal(event.action, mutation.action, `action is ${mutation.action}`);
      t.equal(event.resourceType, expected.resourceType, `resourceType is ${expected.resourceType}`);
      t.equal(event.resourceId, expected.resourceId, 'resourceId is the changed resource');
      t.same(event.actor, expected.actor, `actor is the ${expected.actor.role} key used`);
      if (op.operationId === 'revokeApiKey') {
        const { revokedAt, ...rest } = (event.data as { apiKey: { revokedAt: unknown } }).apiKey;
        const { revokedAt: _placeholder, ...expectedRest } = (expected.data as { apiKey: { revokedAt: unknown } }).apiKey;
        t.same(rest, expectedRest, 'data holds the revoked key as it was listed');
        t.match(revokedAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, 'with its revokedAt');
      } else {
        t.same(event.data, expected.data, 'data holds the change exactly as the API answered it');
      }
      t.notOk(JSON.stringify(event.data).includes('eszl_'), 'no key secret is recorded');

      if (headers !== undefined) {
        const again = await measured(() => request(headers));
        t.equal(again.res.headers['idempotent-replayed'], 'true', 'a retry with the same Idempotency-Key is a replay');
        if (op.operationId === 'createApiKey' || op.operationId === 'createWebhookSubscription') {
          t.equal(again.res.statusCode, 409, 'whose stored response holds a secret, so it answers 409 instead');
        } else {
          t.equal(again.res.statusCode, res.statusCode, 'with the same status');
          t.equal(again.res.body, res.body, 'and the same body');
        }
        t.same(again.events, [], 'the replay writes no second event');
      }
    });
  }
});

t.test('a vote that settles a decision writes vote.cast then decision.ratified with consecutive seq', async (t) => {
  const { college, heerlen, sittardGeleen, maastricht } = world;
  const pending = await adopted(LARGE);
  const vote = (key: KeyHolder, municipalityId: string) =>
    key.client.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId, outcome: 'approve', decidedOn: '2026-02-26' });

  for (const [key, municipality] of [[college.heerlen, heerlen], [college.sittardGeleen, sittardGeleen]] as const) {
    const m = await measured(() => vote(key, municipality.id));
    t.equal(m.res.statusCode, 201);
    t.same(m.events.map((e) => e.action), ['vote.cast'], `the approval of ${municipality.name} alone settles nothing`);
  }
  const last = await measured(() => vote(college.maastricht, maastricht.id));
  t.equal(last.res.statusCode, 201, 'the third approval is accepted');
  t.same(last.events.map((e) => e.action), ['vote.cast', 'decision.ratified'], 'vote.cast comes first, then decision.ratified');
  t.same(last.events.map((e) => e.seq), [last.before + 1, last.before + 2], 'with consecutive seq');
  const [cast, ratified] = last.events as [AuditEvent, AuditEvent];
  t.same(cast.actor, college.maastricht.actor, 'vote.cast is by the Maastricht college key');
  t.same(ratified.actor, college.maastricht.actor, 'so is decision.ratified: the vote caused it');
  t.equal(ratified.prevHash, cast.hash, 'the two events are chained');
  t.equal(ratified.occurredAt, cast.occurredAt, 'both were written in one transaction');
  const after = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${pending.id}`);
  t.same(cast.data, { vote: last.res.json(), decision: after }, 'vote.cast carries the vote and the decision after it');
  t.equal(after.status, 'ratified');
  t.same(ratified.data, { decision: after }, 'decision.ratified carries the ratified decision');
  t.same([ratified.resourceType, ratified.resourceId], ['decision', pending.id]);
});

t.test('a rejecting vote writes vote.cast then decision.rejected with consecutive seq', async (t) => {
  const { college, sittardGeleen } = world;
  const pending = await adopted(LARGE);
  const m = await measured(() =>
    college.sittardGeleen.client.post(`/api/v1/decisions/${pending.id}/votes`, {
      municipalityId: sittardGeleen.id,
      outcome: 'reject',
      decidedOn: '2026-02-26',
      note: 'Not within the regional priorities',
    }),
  );
  t.equal(m.res.statusCode, 201);
  t.same(m.events.map((e) => e.action), ['vote.cast', 'decision.rejected'], 'one rejection settles the decision');
  t.same(m.events.map((e) => e.seq), [m.before + 1, m.before + 2], 'with consecutive seq');
  t.same(m.events.map((e) => e.actor), [college.sittardGeleen.actor, college.sittardGeleen.actor]);
  t.same(m.events.map((e) => [e.resourceType, e.resourceId]), [['decision', pending.id], ['decision', pending.id]]);
  const after = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${pending.id}`);
  t.equal(after.status, 'rejected');
  t.same(m.events[1]!.data, { decision: after });
});

t.test('every event in the trail carries the payload its catalogue type defines; every type occurs', async (t) => {
  // What the mutations above do not cause: the events of adoption's checks, of an amendment
  // that binds, and of the daily jobs.
  const s = world.secretariat.client;
  const adopt = async (id: string) => expectStatus(await s.post(`/api/v1/decisions/${id}/adopt`), 200, 'adopt');
  await adopted([6_000_000]);
  await adopted([6_000_000]); // with the first, EUR 120,000 for one applicant and year: splitting is suspected
  await adopted([90_000_000_000]); // more than the fund holds
  const amended = await adopted(SMALL);
  const amendment = await s.post(`/api/v1/decisions/${amended.id}/amendments`, decisionBody(SMALL));
  expectStatus(amendment, 201, 'amend');
  await adopt(amendment.json<DecisionJson>().id);
  await adopted(SMALL, [{ description: 'Report the placements', dueDate: '2026-02-15' }]);
  const nextYear = { database: ctx.db.database, clock: fixedClock('2027-01-01T12:00:00Z') };
  t.ok((await raiseOverdueConditions(nextYear, 1000)) > 0, 'the condition job raised overdue conditions');
  // The rules in force have no ratification period: a later version has one, and a decision
  // adopted under it (by an instance whose today is then) is overdue after that period.
  const period = { effectiveFrom: '2060-01-01', thresholdCents: 10_000_000, splitting: { scope: 'applicant_year', action: 'flag' } };
  expectStatus(await admin.post('/api/v1/statute-rules', { ...period, ratificationPeriodDays: 10, reference: 'Statuten 2060' }), 201, 'rule');
  const in2060 = await startTestApp(t, { clock: fixedClock('2060-01-02T12:00:00Z'), database: ctx.db });
  const large = { ...decisionBody(LARGE), boardMeetingDate: '2060-01-02', commitments: [{ programmeId: world.programme.id, year: 2060, amountCents: LARGE[0] }] };
  const draft = await in2060.admin.post('/api/v1/decisions', large);
  expectStatus(draft, 201, 'create in 2060');
  expectStatus(await in2060.admin.post(`/api/v1/decisions/${draft.json<DecisionJson>().id}/adopt`), 200, 'adopt in 2060');
  const soon = { database: ctx.db.database, clock: fixedClock('2060-01-03T12:00:00Z') };
  t.ok((await raiseRatificationReminders(soon, [14, 3])) > 0, 'the reminder job reminded the colleges');
  const later = { database: ctx.db.database, clock: fixedClock('2060-02-01T12:00:00Z') };
  t.ok((await raiseOverdueRatifications(later, 1000)) > 0, 'the ratification job raised overdue ratifications');
  // A receiver that answered 410 Gone: the dispatcher ends its subscription through this use case.
  t.ok(await endSubscription(nextYear, (await subscribeWebhook()).id, 'gone'), 'a subscription ended');

  const schemas = componentsByName();
  const seen = expectCatalogueEvents(t, await eventsAfter(0));
  t.same([...EVENT_TYPES].filter((type) => !seen.has(type)), [], 'every event type of the catalogue was emitted');
  t.comment(`payloads checked: ${[...seen].map(([type, n]) => `${type} ${n}`).join(', ')}`);

  // The event feed's items are the webhook bodies of the OpenAPI webhooks section, plus seq.
  const published = new Set<string>();
  for (let afterSeq = 0; ; ) {
    const page = await getJson<{ items: ({ seq: number; type: EventType } & Record<string, unknown>)[]; lastSeq: number }>(
      admin,
      `/api/v1/events?afterSeq=${afterSeq}&limit=200`,
    );
    for (const { seq, ...body } of page.items) {
      published.add(body.type);
      const errors = [...Value.Errors(schemas, deliveryBody(body.type), body)].slice(0, 3);
      if (errors.length > 0) t.fail(`the feed's ${body.type} (seq ${seq}) is its webhook body: ${JSON.stringify(errors)}`);
    }
    if (page.items.length === 0) break;
    afterSeq = page.lastSeq;
  }
  t.same([...published].sort(), [...PUBLISHED_EVENT_TYPES].sort(), 'the feed carried every published type, and only those');
});

t.test('the trail is still whole and valid at the end of the file', async (t) => {
  await expectTrailWhole(t, trail);
});
