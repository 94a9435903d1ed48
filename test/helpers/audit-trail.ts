import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { Test } from 'tap';
import { Value } from 'typebox/value';
import type { AuditActor, AuditEvent as ChainEvent, ChainVerdict } from '../../src/audit/chain.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { EventType } from '../../src/domain/events.js';
import { componentsByName } from '../../src/http/components.js';
import { EVENT_PAYLOAD_SCHEMAS } from '../../src/http/events/payloads.js';
import { BOOTSTRAP_KEY_ID } from '../../src/use-cases/api-keys.js';
import { generateOpenapiText } from '../../scripts/openapi-document.js';
import { startTestApp, type Client, type TestApp } from './app.js';
import { createKey } from './factories.js';

/**
 * The audit trail tests (test/http/audit/routes/trail-*.test.ts) each start an app of their own
 * with this: today (Europe/Amsterdam) pinned to 2026-03-01, webhooks signed and allowed to
 * 127.0.0.1, an auditor key to read the trail and a reader key to read the rest.
 */
export const BOARD_MEETING = '2026-02-10';
export const TODAY = '2026-03-01';
export const WEBHOOK_SIGNING_KEY = 'audit-webhook-signing-key-0123456789abcdef';

export type Actor = AuditActor;
/** An event as the API answers it; `data` is always an object in these tests. */
export type AuditEvent = ChainEvent & { data: Record<string, unknown> };
export type Verdict = ChainVerdict;

export interface KeyHolder {
  client: Client;
  actor: Actor;
  secret: string;
}

export const ADMIN_ACTOR: Actor = { keyId: BOOTSTRAP_KEY_ID, role: 'admin', organisationId: null };

export const unique = () => randomBytes(4).toString('hex').toUpperCase();

export function expectStatus(res: LightMyRequestResponse, status: number, what: string): void {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
}

/** A POST, PATCH, PUT or DELETE of the OpenAPI document, with the statuses it declares. */
export interface Operation {
  operationId: string;
  method: string;
  path: string;
  statuses: number[];
}

/**
 * Every mutating operation of the OpenAPI document. Call it before startAuditTrail: generating
 * the document builds a second app, which blocks the event loop long enough to make a running
 * app's load shedding (under-pressure) answer 503 to the next requests.
 */
export async function mutatingOperations(): Promise<Operation[]> {
  const openapi = JSON.parse(await generateOpenapiText()) as {
    paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
  };
  const mutating = new Set(['post', 'patch', 'put', 'delete']);
  return Object.entries(openapi.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => mutating.has(method))
      .map(([method, op]) => ({
        operationId: op.operationId ?? `${method.toUpperCase()} ${path} (no operationId)`,
        method,
        path,
        statuses: Object.keys(op.responses ?? {}).map(Number),
      })),
  );
}

export type AuditTrail = Awaited<ReturnType<typeof startAuditTrail>>;

/** Starts the app on a fresh database and returns its keys and the ways these tests read the trail. */
export async function startAuditTrail(t: Test) {
  const ctx: TestApp = await startTestApp(t, {
    clock: fixedClock(`${TODAY}T12:00:00Z`),
    env: { WEBHOOK_SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
  });
  const { admin } = ctx;
  const adminHolder: KeyHolder = { client: admin, actor: ADMIN_ACTOR, secret: '' };

  async function issueKey(role: string, organisationId?: string): Promise<KeyHolder> {
    const created = await createKey(admin, role, organisationId);
    return { client: ctx.as(created.key), actor: { keyId: created.id, role, organisationId: organisationId ?? null }, secret: created.key };
  }
  const auditor = await issueKey('auditor');
  const reader = await issueKey('reader');

  async function verifyTrail(): Promise<Verdict> {
    const res = await auditor.client.get('/api/v1/audit-events/verify');
    expectStatus(res, 200, 'verify');
    return res.json<Verdict>();
  }

  /** The head seq, from verify (which must be valid here: nothing in these files tampers). */
  async function headSeq(): Promise<number> {
    const verdict = await verifyTrail();
    if (!verdict.valid) throw new Error(`the trail is not valid: ${JSON.stringify(verdict)}`);
    return verdict.count;
  }

  /** Every event with seq > afterSeq, following nextCursor. */
  async function eventsAfter(afterSeq: number, query = ''): Promise<AuditEvent[]> {
    const events: AuditEvent[] = [];
    let url = `/api/v1/audit-events?afterSeq=${afterSeq}&limit=200${query}`;
    for (;;) {
      const res = await auditor.client.get(url);
      expectStatus(res, 200, `GET ${url}`);
      const page = res.json<{ items: AuditEvent[]; nextCursor: string | null }>();
      events.push(...page.items);
      if (page.nextCursor === null) return events;
      url = `/api/v1/audit-events?limit=200${query}&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
  }

  /** Performs one request and returns it with the events it wrote. */
  async function measured(request: () => Promise<LightMyRequestResponse>) {
    const before = await headSeq();
    const res = await request();
    const events = await eventsAfter(before);
    return { before, res, events };
  }

  async function getJson<T>(client: Client, url: string): Promise<T> {
    const res = await client.get(url);
    expectStatus(res, 200, `GET ${url}`);
    return res.json<T>();
  }

  /** Every item of a list, as the reader key pages through it. */
  async function listAll<T>(url: string): Promise<T[]> {
    const items: T[] = [];
    let next: string | null = null;
    do {
      const page: { items: T[]; nextCursor: string | null } = await getJson(
        reader.client,
        `${url}?limit=200${next === null ? '' : `&cursor=${encodeURIComponent(next)}`}`,
      );
      items.push(...page.items);
      next = page.nextCursor;
    } while (next !== null);
    return items;
  }

  return { ctx, admin, adminHolder, auditor, reader, issueKey, verifyTrail, headSeq, eventsAfter, measured, getJson, listAll };
}

/**
 * Each event is of a catalogue type and its data matches that type's payload schema (one assert
 * per event; a mismatch fails with the first errors). Returns how often each type occurred.
 */
export function expectCatalogueEvents(t: Test, events: AuditEvent[]): Map<EventType, number> {
  const schemas = componentsByName();
  const seen = new Map<EventType, number>();
  for (const event of events) {
    const type = event.action as EventType;
    t.ok(type in EVENT_PAYLOAD_SCHEMAS, `${event.action} (seq ${event.seq}) is a catalogue type`);
    if (!(type in EVENT_PAYLOAD_SCHEMAS)) continue;
    seen.set(type, (seen.get(type) ?? 0) + 1);
    const errors = [...Value.Errors(schemas, EVENT_PAYLOAD_SCHEMAS[type], event.data)].slice(0, 3);
    if (errors.length > 0) t.fail(`${type} (seq ${event.seq}) data matches its schema: ${JSON.stringify(errors)}`);
  }
  return seen;
}

/** The closing check of each trail file: whatever the file did, the chain is whole and valid. */
export async function expectTrailWhole(t: Test, trail: AuditTrail): Promise<AuditEvent[]> {
  const verdict = await trail.verifyTrail();
  t.equal(verdict.valid, true);
  t.equal(verdict.firstInvalidSeq, null);
  const all = await trail.eventsAfter(0);
  t.equal(verdict.count, all.length);
  return all;
}
