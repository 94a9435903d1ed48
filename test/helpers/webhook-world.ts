import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Test } from 'tap';
import type { Database } from '../../src/db/client.js';
import { fixedClock } from '../../src/domain/clock.js';
import { createLogger } from '../../src/logger.js';
import { WebhookDispatcher } from '../../src/notifications/dispatcher.js';
import type { Delivery, Subscription } from '../../src/use-cases/webhooks.js';
import { startTestApp, type Client } from './app.js';
import { expectStatus } from './assertions.js';
import { testDatabaseUrl } from './database.js';
import { createCentreMunicipalities, createKey, fundTheRegister } from './factories.js';
import type { Receiver } from './webhook-receiver.js';

/**
 * The webhook route tests (test/http/webhooks/routes/subscriptions.test.ts, deliveries.test.ts,
 * delivery-retries.test.ts, outbox.test.ts) each start an app of their own with this: today
 * pinned to 2026-03-01, webhooks signed and allowed to 127.0.0.1, the three centre municipalities
 * with a college key each, and the fund covering what the tests adopt.
 *
 * Dispatchers are built by the tests and driven with runOnce() in loops bounded in count;
 * receivers are node:http servers on 127.0.0.1 (allow-listed).
 */
export const SIGNING_KEY = `whk-test-signing-key-${randomBytes(10).toString('hex')}`; // 41 characters
export const CLOCK = fixedClock('2026-03-01T12:00:00Z');
export const BOARD_MEETING = '2026-01-20';
export const FUTURE_DUE = '2026-06-30';
export const SMALL = 500_000; // EUR 5,000: adopted at once
export const LARGE = 14_000_000; // EUR 140,000: needs the three colleges
export const ALL_TYPES = [
  'decision.adopted',
  'decision.ratified',
  'decision.rejected',
  'decision.withdrawn',
  'vote.cast',
  'condition.fulfilled',
  'condition.overdue',
];
/** On PostgreSQL a second dispatcher or a concurrent check can use a pool of its own. */
export const onPostgres = testDatabaseUrl() !== undefined;

/** The service's own shapes; `secret` appears only in the answer to a subscription. */
export type SubscriptionJson = Subscription & { secret?: string };
export type DeliveryJson = Delivery;

export interface DecisionJson {
  id: string;
  status: string;
  conditions: { id: string; dueDate: string; status: string }[];
}

export interface AuditEvent {
  seq: number;
  action: string;
  resourceType: string;
  resourceId: string;
  occurredAt: string;
  actor: { role: string; keyId: string | null };
  data: Record<string, unknown>;
}

export interface DispatcherSettings {
  database?: Database;
  retryWindowMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  timeoutMs?: number;
  batchSize?: number;
  allowedHosts?: string[];
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `d` until `done()` holds, at most `rounds` times; returns the rounds used. */
export async function drive(d: WebhookDispatcher, done: () => boolean | Promise<boolean>, rounds = 200, pauseMs = 20) {
  let attempted = 0;
  for (let round = 1; round <= rounds; round++) {
    attempted += (await d.runOnce()).attempted;
    if (await done()) return { rounds: round, attempted };
    await pause(pauseMs);
  }
  return { rounds, attempted };
}

/** Per decision, the event ids in the order the receiver first accepted them. */
export function acceptedOrder(receiver: Receiver): Map<string, string[]> {
  const order = new Map<string, string[]>();
  const seen = new Set<string>();
  for (const hit of receiver.accepted) {
    if (seen.has(hit.payload.id)) continue;
    seen.add(hit.payload.id);
    const list = order.get(hit.payload.decisionId) ?? [];
    list.push(hit.payload.id);
    order.set(hit.payload.decisionId, list);
  }
  return order;
}

export function duplicates(receiver: Receiver): number {
  const ids = receiver.accepted.map((hit) => hit.payload.id);
  return ids.length - new Set(ids).size;
}

export type WebhookWorld = Awaited<ReturnType<typeof startWebhookWorld>>;

/** Starts the app on a fresh database and returns the register and the ways these tests use it. */
export async function startWebhookWorld(t: Test) {
  const ctx = await startTestApp(t, {
    clock: CLOCK,
    env: { WEBHOOK_SIGNING_KEY: SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
  });
  const { admin } = ctx;
  const database = ctx.db.database;
  const { heerlen, sittardGeleen, maastricht } = await createCentreMunicipalities(admin);
  const municipalities = [heerlen, sittardGeleen, maastricht];
  const college = new Map<string, Client>();
  for (const m of municipalities) college.set(m.id, ctx.as((await createKey(admin, 'college', m.id)).key));
  await fundTheRegister(admin, heerlen.id);

  function dispatcher(settings: DispatcherSettings = {}): WebhookDispatcher {
    return new WebhookDispatcher({
      database: settings.database ?? database,
      signingKey: SIGNING_KEY,
      allowedHosts: settings.allowedHosts ?? ['127.0.0.1'],
      logger: createLogger('silent'),
      retryWindowMs: settings.retryWindowMs ?? 60_000,
      backoffBaseMs: settings.backoffBaseMs ?? 20,
      backoffMaxMs: settings.backoffMaxMs ?? 200,
      timeoutMs: settings.timeoutMs ?? 2_000,
      ...(settings.batchSize !== undefined && { batchSize: settings.batchSize }),
    });
  }

  /** Fans out whatever the outbox holds, so a new subscription only sees what happens after it. */
  async function flushFanOut(): Promise<void> {
    await dispatcher().runOnce();
  }

  async function rows<T>(query: ReturnType<typeof sql>, on: Database = database): Promise<T[]> {
    return ((await on.db.execute(query)) as unknown as { rows: T[] }).rows;
  }

  async function count(query: ReturnType<typeof sql>): Promise<number> {
    const [row] = await rows<{ n: string | number }>(query);
    return Number(row?.n);
  }

  async function subscribe(body: Record<string, unknown>): Promise<SubscriptionJson & { secret: string }> {
    const res = await admin.post('/api/v1/webhook-subscriptions', body);
    expectStatus(res, 201, 'subscribe');
    return res.json();
  }

  async function unsubscribe(id: string): Promise<void> {
    expectStatus(await admin.delete(`/api/v1/webhook-subscriptions/${id}`), 204, 'unsubscribe');
  }

  async function deliveries(subscriptionId: string): Promise<DeliveryJson[]> {
    const res = await admin.get(`/api/v1/webhook-subscriptions/${subscriptionId}/deliveries?limit=200`);
    expectStatus(res, 200, 'deliveries');
    const page = res.json<{ items: DeliveryJson[]; nextCursor: string | null }>();
    if (page.nextCursor !== null) throw new Error('more than 200 deliveries');
    return page.items;
  }

  let references = 0;
  /** A number not used before in this file's register, for unique references, codes and names. */
  const serial = () => ++references;

  async function draft(programmeId: string, amountCents: number, conditions: { description: string; dueDate: string }[] = []): Promise<DecisionJson> {
    const n = serial();
    const res = await admin.post('/api/v1/decisions', {
      reference: `WH-${process.pid}-${n}`,
      title: `Webhook test decision ${n}`,
      boardMeetingDate: BOARD_MEETING,
      commitments: [{ programmeId, year: 2026, amountCents }],
      conditions,
    });
    expectStatus(res, 201, 'create decision');
    return res.json();
  }

  async function adopt(id: string): Promise<DecisionJson> {
    const res = await admin.post(`/api/v1/decisions/${id}/adopt`);
    expectStatus(res, 200, 'adopt');
    return res.json();
  }

  function vote(decisionId: string, municipalityId: string, outcome = 'approve') {
    return college.get(municipalityId)!.post(`/api/v1/decisions/${decisionId}/votes`, { municipalityId, outcome, decidedOn: '2026-02-24' });
  }

  async function approve(decisionId: string, municipalityId: string): Promise<void> {
    expectStatus(await vote(decisionId, municipalityId), 201, 'vote');
  }

  /** Adopted, three approvals, ratified: five events. */
  async function ratifiedDecision(programmeId: string): Promise<DecisionJson> {
    const decision = await adopt((await draft(programmeId, LARGE)).id);
    for (const m of municipalities) await approve(decision.id, m.id);
    return decision;
  }

  /** The event ids of these decisions in outbox order, per decision. */
  async function outboxOrder(decisionIds: string[]): Promise<Map<string, string[]>> {
    const list = sql.join(decisionIds.map((id) => sql`${id}::uuid`), sql`, `);
    const found = await rows<{ event_id: string; decision_id: string }>(
      sql`select event_id, decision_id from outbox_events where decision_id in (${list}) order by seq`,
    );
    const order = new Map<string, string[]>(decisionIds.map((id) => [id, []]));
    for (const row of found) order.get(row.decision_id)!.push(row.event_id);
    return order;
  }

  async function auditOf(resourceId: string): Promise<AuditEvent[]> {
    const res = await admin.get(`/api/v1/audit-events?resourceId=${resourceId}&limit=200`);
    expectStatus(res, 200, 'audit events');
    return res.json<{ items: AuditEvent[] }>().items;
  }

  return {
    ctx,
    admin,
    database,
    heerlen,
    sittardGeleen,
    maastricht,
    municipalities,
    college,
    dispatcher,
    flushFanOut,
    rows,
    count,
    subscribe,
    unsubscribe,
    deliveries,
    serial,
    draft,
    adopt,
    vote,
    approve,
    ratifiedDecision,
    outboxOrder,
    auditOf,
  };
}
