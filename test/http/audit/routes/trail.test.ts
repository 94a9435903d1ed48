import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import canonicalize from 'canonicalize';
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import type { AuditActor, AuditEvent as ChainEvent, ChainVerdict as Verdict } from '../../../../src/audit/chain.js';
import { fixedClock } from '../../../../src/domain/clock.js';
import { createLogger } from '../../../../src/logger.js';
import { WebhookDispatcher } from '../../../../src/notifications/dispatcher.js';
import { endSubscription } from '../../../../src/use-cases/webhook-endings.js';
import { BOOTSTRAP_KEY_ID } from '../../../../src/use-cases/api-keys.js';
import { idempotencyKeys } from '../../../../src/db/schema.js';
import { eq } from 'drizzle-orm';
import { Value } from 'typebox/value';
import { EVENT_TYPES, PUBLISHED_EVENT_TYPES, type EventType } from '../../../../src/domain/events.js';
import { deliveryBody, EVENT_PAYLOAD_SCHEMAS } from '../../../../src/http/events/payloads.js';
import { componentsByName } from '../../../../src/http/components.js';
import { raiseOverdueConditions } from '../../../../src/use-cases/overdue-conditions.js';
import { raiseOverdueRatifications } from '../../../../src/use-cases/overdue-ratifications.js';
import { raiseRatificationReminders } from '../../../../src/use-cases/ratification-reminders.js';
import { generateOpenapiText } from '../../../../scripts/openapi-document.js';
import { startTestApp, type Client } from '../../../helpers/app.js';
import { runOfflineVerifier } from '../../../helpers/audit-verifier.js';
import { createCentreMunicipality, createKey, createOrganisation, type OrganisationJson, type ProgrammeJson } from '../../../helpers/factories.js';

/**
 * The audit trail over HTTP: every successful change writes exactly its events (with the actor
 * of the key used), a failed change writes none, seq is gap-free from 1, the list filters and
 * pages, verify/export/snapshot agree with each other and with the offline verifier, and only
 * auditors and admins may read any of it. Today (Europe/Amsterdam) is pinned to 2026-03-01.
 */
const GENESIS = '0000000000000000000000000000000000000000000000000000000000000000';
const BOARD_MEETING = '2026-02-10';
const TODAY = '2026-03-01';

// Generated before the app starts: building a second app blocks the event loop long enough to
// make the app's load shedding (under-pressure) answer 503 to the next requests.
const openapi = JSON.parse(await generateOpenapiText()) as {
  paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>>;
};
const WEBHOOK_SIGNING_KEY = 'audit-webhook-signing-key-0123456789abcdef';
const ctx = await startTestApp(t, {
  clock: fixedClock('2026-03-01T12:00:00Z'),
  env: { WEBHOOK_SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' },
});
const { admin } = ctx;

type Actor = AuditActor;
/** An event as the API answers it; `data` is always an object in these tests. */
type AuditEvent = ChainEvent & { data: Record<string, unknown> };

interface DecisionJson {
  id: string;
  reference: string;
  status: string;
  commitments: { id: string; programmeId: string; year: number; amountCents: number }[];
  conditions: { id: string; status: string; fulfilledOn: string | null }[];
  ratification: { required: boolean; requiredMunicipalityIds: string[]; votes: { id: string; municipalityId: string }[] };
}

interface KeyHolder {
  client: Client;
  actor: Actor;
  secret: string;
}

const ADMIN_ACTOR: Actor = { keyId: BOOTSTRAP_KEY_ID, role: 'admin', organisationId: null };
const adminHolder: KeyHolder = { client: admin, actor: ADMIN_ACTOR, secret: '' };

async function issueKey(role: string, organisationId?: string): Promise<KeyHolder> {
  const created = await createKey(admin, role, organisationId);
  return { client: ctx.as(created.key), actor: { keyId: created.id, role, organisationId: organisationId ?? null }, secret: created.key };
}

const unique = () => randomBytes(4).toString('hex').toUpperCase();

function expectStatus(res: LightMyRequestResponse, status: number, what: string): void {
  if (res.statusCode !== status) throw new Error(`${what}: expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
}

const auditor = await issueKey('auditor');
const reader = await issueKey('reader');

async function verifyTrail(): Promise<Verdict> {
  const res = await auditor.client.get('/api/v1/audit-events/verify');
  expectStatus(res, 200, 'verify');
  return res.json<Verdict>();
}

/** The head seq, from verify (which must be valid here: nothing in this file tampers). */
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


const tempDir = mkdtempSync(join(tmpdir(), 'eszl-audit-'));
t.teardown(() => rmSync(tempDir, { recursive: true, force: true }));

/** Filled by the WTMR story, the first test; every later test builds on its municipalities and keys. */
interface World {
  secretariat: KeyHolder;
  heerlen: OrganisationJson;
  sittardGeleen: OrganisationJson;
  maastricht: OrganisationJson;
  applicant: OrganisationJson;
  programme: ProgrammeJson;
  college: { heerlen: KeyHolder; sittardGeleen: KeyHolder; maastricht: KeyHolder };
  wtmr: DecisionJson;
}
let world: World | undefined;
function w(): World {
  if (world === undefined) throw new Error('the WTMR story did not complete');
  return world;
}

function decisionBody(amounts: number[], conditions: { description: string; dueDate: string }[] = []) {
  return {
    reference: `AUD-${unique()}`,
    title: 'Audit test decision',
    boardMeetingDate: BOARD_MEETING,
    applicantOrganisationId: w().applicant.id,
    commitments: amounts.map((amountCents, i) => ({ programmeId: w().programme.id, year: 2026 + i, amountCents })),
    conditions,
  };
}

async function newDecision(amounts: number[], conditions: { description: string; dueDate: string }[] = []): Promise<DecisionJson> {
  const res = await w().secretariat.client.post('/api/v1/decisions', decisionBody(amounts, conditions));
  expectStatus(res, 201, 'create decision');
  return res.json<DecisionJson>();
}

async function adopted(amounts: number[], conditions: { description: string; dueDate: string }[] = []): Promise<DecisionJson> {
  const draft = await newDecision(amounts, conditions);
  const res = await w().secretariat.client.post(`/api/v1/decisions/${draft.id}/adopt`);
  expectStatus(res, 200, 'adopt decision');
  return res.json<DecisionJson>();
}

const SMALL = [500_000]; // EUR 5,000: binds at adoption
const LARGE = [14_000_000]; // EUR 140,000: needs the three colleges
const CONDITION = { description: 'Submit measurable result criteria', dueDate: '2026-06-30' };

async function getJson<T>(client: Client, url: string): Promise<T> {
  const res = await client.get(url);
  expectStatus(res, 200, `GET ${url}`);
  return res.json<T>();
}

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

t.test('the WTMR story played over HTTP leaves every change in the export with the right actor', async (t) => {
  const start = await headSeq();
  const secretariat = await issueKey('secretariat');
  const s = secretariat.client;
  // Who must ratify is the admin's to decide: the admin registers the centre municipalities.
  const heerlen = await createCentreMunicipality(admin, 'Gemeente Heerlen');
  const sittardGeleen = await createCentreMunicipality(admin, 'Gemeente Sittard-Geleen');
  const maastricht = await createCentreMunicipality(admin, 'Gemeente Maastricht');
  const applicant = await createOrganisation(s, { name: 'Stichting Welcome to Maastricht Region', kind: 'applicant' });
  const programmeRes = await s.post('/api/v1/programmes', { code: 'WTMR', name: 'Welcome to Maastricht Region' });
  t.equal(programmeRes.statusCode, 201, 'the secretariat registers the programme WTMR');
  const programme = programmeRes.json<ProgrammeJson>();
  // The municipalities bring the ESZL fund together, so adoptions find it covering them.
  const contributions: string[] = [];
  for (const municipality of [heerlen, sittardGeleen, maastricht]) {
    const res = await s.post('/api/v1/fund/contributions', {
      organisationId: municipality.id,
      year: 2026,
      amountCents: 500_000_000,
      receivedOn: '2026-01-15',
      reference: `Bijdrage 2026 ${municipality.name}`,
    });
    t.equal(res.statusCode, 201, `${municipality.name} contributes to the fund`);
    contributions.push(res.json<{ id: string }>().id);
  }
  const college = {
    heerlen: await issueKey('college', heerlen.id),
    sittardGeleen: await issueKey('college', sittardGeleen.id),
    maastricht: await issueKey('college', maastricht.id),
  };

  const createRes = await s.post('/api/v1/decisions', {
    reference: 'ESZL-2026-007',
    title: 'Bijdrage Welcome to Maastricht Region 2026-2027',
    boardMeetingDate: BOARD_MEETING,
    applicantOrganisationId: applicant.id,
    commitments: [
      { programmeId: programme.id, year: 2026, amountCents: 14_000_000 },
      { programmeId: programme.id, year: 2027, amountCents: 25_000_000 },
    ],
    conditions: [{ description: 'Submit measurable result criteria, at least the expected number of placements', dueDate: '2026-02-15' }],
  });
  t.equal(createRes.statusCode, 201, 'the secretariat registers the decision as a draft');
  const draft = createRes.json<DecisionJson>();
  const adoptRes = await s.post(`/api/v1/decisions/${draft.id}/adopt`);
  t.equal(adoptRes.statusCode, 200, 'the secretariat adopts it');
  t.equal(adoptRes.json<DecisionJson>().status, 'pending_ratification', 'EUR 390,000 awaits the three colleges');

  const voters = [
    [college.heerlen, heerlen],
    [college.sittardGeleen, sittardGeleen],
    [college.maastricht, maastricht],
  ] as const;
  const voteIds: string[] = [];
  for (const [key, municipality] of voters) {
    const res = await key.client.post(`/api/v1/decisions/${draft.id}/votes`, {
      municipalityId: municipality.id,
      outcome: 'approve',
      decidedOn: '2026-02-24',
      reference: `B&W ${municipality.name}`,
    });
    t.equal(res.statusCode, 201, `the college of ${municipality.name} approves with its own key`);
    voteIds.push(res.json<{ id: string }>().id);
  }
  const wtmr = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${draft.id}`);
  t.equal(wtmr.status, 'ratified', 'the third approval ratifies the decision');

  const exportRes = await auditor.client.get('/api/v1/exports/audit-events');
  t.equal(exportRes.statusCode, 200);
  const exported = exportRes.body
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent);
  const story = exported.filter((event) => event.seq > start);

  const sec = secretariat.actor;
  const expected: [string, string, string, Actor][] = [
    ['apikey.created', 'apikey', secretariat.actor.keyId!, ADMIN_ACTOR],
    ['organisation.created', 'organisation', heerlen.id, ADMIN_ACTOR],
    ['organisation.created', 'organisation', sittardGeleen.id, ADMIN_ACTOR],
    ['organisation.created', 'organisation', maastricht.id, ADMIN_ACTOR],
    ['organisation.created', 'organisation', applicant.id, sec],
    ['programme.created', 'programme', programme.id, sec],
    ...contributions.map((id): [string, string, string, Actor] => ['fund.contribution_recorded', 'fund-contribution', id, sec]),
    ['apikey.created', 'apikey', college.heerlen.actor.keyId!, ADMIN_ACTOR],
    ['apikey.created', 'apikey', college.sittardGeleen.actor.keyId!, ADMIN_ACTOR],
    ['apikey.created', 'apikey', college.maastricht.actor.keyId!, ADMIN_ACTOR],
    ['decision.created', 'decision', draft.id, sec],
    ['decision.adopted', 'decision', draft.id, sec],
    ['vote.cast', 'decision', draft.id, college.heerlen.actor],
    ['vote.cast', 'decision', draft.id, college.sittardGeleen.actor],
    ['vote.cast', 'decision', draft.id, college.maastricht.actor],
    ['decision.ratified', 'decision', draft.id, college.maastricht.actor],
  ];
  t.same(
    story.map((e) => [e.action, e.resourceType, e.resourceId, e.actor]),
    expected,
    'the export holds each change of the story once, in order, with the key that made it',
  );
  t.same(
    story.map((e) => e.seq),
    expected.map((_, i) => start + 1 + i),
    'with consecutive seq numbers',
  );
  t.same(
    story.filter((e) => e.action === 'vote.cast').map((e) => (e.data as { vote: { id: string } }).vote.id),
    voteIds,
    'each vote.cast event carries the vote it records',
  );
  t.same(
    story.filter((e) => e.action === 'vote.cast').map((e) => e.actor.organisationId),
    [heerlen.id, sittardGeleen.id, maastricht.id],
    'each vote is attributed to the college of its own municipality',
  );
  const ratified = story[story.length - 1]!;
  t.same(ratified.data, { decision: wtmr }, 'decision.ratified carries the ratified decision exactly as GET shows it');
  t.equal(
    (story.find((e) => e.action === 'decision.created')!.data as { decision: DecisionJson }).decision.commitments.map((c) => c.amountCents).join('+'),
    '14000000+25000000',
    'decision.created records both commitments in cents',
  );
  const secrets = [secretariat, college.heerlen, college.sittardGeleen, college.maastricht].map((k) => k.secret);
  t.notOk(
    secrets.some((secret) => exportRes.body.includes(secret)),
    'no API key secret appears anywhere in the export',
  );

  world = { secretariat, heerlen, sittardGeleen, maastricht, applicant, programme, college, wtmr };
});

interface Expectation {
  status: number;
  actor: Actor;
  resourceType: string;
  resourceId: string;
  data: unknown;
}

type Headers = Record<string, string> | undefined;

interface Prepared {
  /** Exactly one request of the operation; sent twice with the same headers to test a retry. */
  request(headers: Headers): Promise<LightMyRequestResponse>;
  expect(res: LightMyRequestResponse): Expectation | Promise<Expectation>;
}

interface MutationCase {
  action: string;
  /** The events the operation writes before its own (a college decision's votes), in order. */
  causes?: string[];
  /** Sets up what the request needs; the events written here are not counted. */
  prepare(): Promise<Prepared>;
}

/** Port 9 on 127.0.0.1: allow-listed for subscribing; nothing is ever sent there (see below). */
const WEBHOOK_URL = 'http://127.0.0.1:9/audit-hook';

interface WebhookSubscriptionJson {
  id: string;
  secret?: string;
}

async function subscribeWebhook(body: Record<string, unknown> = {}): Promise<WebhookSubscriptionJson> {
  const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: WEBHOOK_URL, eventTypes: ['decision.adopted'], ...body });
  expectStatus(res, 201, 'subscribe');
  return res.json<WebhookSubscriptionJson>();
}

/**
 * A subscription (on a programme of its own) with one delivery, as redelivery needs. The
 * dispatcher that fans the event out has an empty allow-list, so its attempt is refused before any
 * connection is made: no network, and no audit event either.
 */
async function webhookDelivery(): Promise<{ subscriptionId: string; deliveryId: string }> {
  const { secretariat } = w();
  const programmeRes = await secretariat.client.post('/api/v1/programmes', { code: `WH-${unique()}`, name: 'Webhook programme' });
  expectStatus(programmeRes, 201, 'create programme');
  const programmeId = programmeRes.json<ProgrammeJson>().id;
  const subscription = await subscribeWebhook({ programmeId });
  const draftRes = await secretariat.client.post('/api/v1/decisions', { ...decisionBody(SMALL), commitments: [{ programmeId, year: 2026, amountCents: SMALL[0]! }] });
  expectStatus(draftRes, 201, 'create decision');
  expectStatus(await secretariat.client.post(`/api/v1/decisions/${draftRes.json<DecisionJson>().id}/adopt`), 200, 'adopt decision');
  const dispatcher = new WebhookDispatcher({
    database: ctx.db.database,
    signingKey: WEBHOOK_SIGNING_KEY,
    allowedHosts: [],
    logger: createLogger('silent'),
    retryWindowMs: 60_000,
    backoffBaseMs: 60_000,
    backoffMaxMs: 60_000,
    timeoutMs: 1_000,
  });
  await dispatcher.runOnce();
  const page = await getJson<{ items: { id: string }[] }>(admin, `/api/v1/webhook-subscriptions/${subscription.id}/deliveries`);
  if (page.items.length !== 1) throw new Error(`expected one delivery, got ${page.items.length}`);
  return { subscriptionId: subscription.id, deliveryId: page.items[0]!.id };
}

/** A placements indicator with a 2026 target on the decision. */
async function definedIndicator(decisionId: string, code = 'PLACEMENTS'): Promise<{ id: string }> {
  const res = await w().secretariat.client.post(`/api/v1/decisions/${decisionId}/indicators`, {
    code,
    name: 'Placements',
    unit: 'placements',
    targets: [{ period: '2026', value: 60 }],
  });
  expectStatus(res, 201, 'define indicator');
  return res.json<{ id: string }>();
}

const MUTATIONS: Record<string, MutationCase> = {
  createOrganisation: {
    action: 'organisation.created',
    async prepare() {
      const { secretariat } = w();
      const body = { name: `Werkgever ${unique()}`, kind: 'employer' };
      return {
        request: (h) => secretariat.client.post('/api/v1/organisations', body, h),
        expect: (res) => ({ status: 201, actor: secretariat.actor, resourceType: 'organisation', resourceId: res.json<{ id: string }>().id, data: { organisation: res.json() } }),
      };
    },
  },
  updateOrganisation: {
    action: 'organisation.updated',
    async prepare() {
      const { secretariat } = w();
      const before = await createOrganisation(secretariat.client, { kind: 'applicant' });
      return {
        request: (h) => secretariat.client.patch(`/api/v1/organisations/${before.id}`, { name: 'Renamed applicant', kvkNumber: '12345678' }, h),
        expect: (res) => ({ status: 200, actor: secretariat.actor, resourceType: 'organisation', resourceId: before.id, data: { before, organisation: res.json() } }),
      };
    },
  },
  createProgramme: {
    action: 'programme.created',
    async prepare() {
      const { secretariat } = w();
      const body = { code: `AMKB-${unique()}`, name: 'Ambitieus MKB' };
      return {
        request: (h) => secretariat.client.post('/api/v1/programmes', body, h),
        expect: (res) => ({ status: 201, actor: secretariat.actor, resourceType: 'programme', resourceId: res.json<{ id: string }>().id, data: { programme: res.json() } }),
      };
    },
  },
  updateProgramme: {
    action: 'programme.updated',
    async prepare() {
      const { secretariat } = w();
      const created = await secretariat.client.post('/api/v1/programmes', { code: `P-${unique()}`, name: 'Before' });
      expectStatus(created, 201, 'create programme');
      const before = created.json<ProgrammeJson>();
      return {
        request: (h) => secretariat.client.patch(`/api/v1/programmes/${before.id}`, { name: 'After', description: 'Edited' }, h),
        expect: (res) => ({ status: 200, actor: secretariat.actor, resourceType: 'programme', resourceId: before.id, data: { before, programme: res.json() } }),
      };
    },
  },
  createApiKey: {
    action: 'apikey.created',
    async prepare() {
      return {
        request: (h) => admin.post('/api/v1/api-keys', { name: 'Second auditor', role: 'auditor' }, h),
        expect: (res) => {
          const { key: _secret, ...apiKey } = res.json<{ id: string; key: string }>();
          return { status: 201, actor: ADMIN_ACTOR, resourceType: 'apikey', resourceId: apiKey.id, data: { apiKey } };
        },
      };
    },
  },
  revokeApiKey: {
    action: 'apikey.revoked',
    async prepare() {
      // Revoked through a second admin key, so the actor is that key and not the bootstrap key.
      const otherAdmin = await issueKey('admin');
      const victim = await issueKey('reader');
      const listed = await getJson<{ items: { id: string }[] }>(admin, '/api/v1/api-keys?limit=200');
      const before = listed.items.find((key) => key.id === victim.actor.keyId);
      return {
        request: (h) => otherAdmin.client.delete(`/api/v1/api-keys/${victim.actor.keyId}`, h),
        expect: () => ({
          status: 204,
          actor: otherAdmin.actor,
          resourceType: 'apikey',
          resourceId: victim.actor.keyId!,
          // revokedAt is set by the database; checked for its form below.
          data: { apiKey: { ...before, revokedAt: 'a timestamp' } },
        }),
      };
    },
  },
  createDecision: {
    action: 'decision.created',
    async prepare() {
      const { secretariat } = w();
      const body = decisionBody([2_000_000, 3_000_000], [CONDITION]);
      return {
        request: (h) => secretariat.client.post('/api/v1/decisions', body, h),
        expect: (res) => ({ status: 201, actor: secretariat.actor, resourceType: 'decision', resourceId: res.json<{ id: string }>().id, data: { decision: res.json() } }),
      };
    },
  },
  updateDecision: {
    action: 'decision.updated',
    async prepare() {
      const { secretariat } = w();
      const before = await newDecision(SMALL);
      return {
        request: (h) => secretariat.client.patch(`/api/v1/decisions/${before.id}`, { title: 'Edited title', summary: 'Now with a summary' }, h),
        expect: (res) => ({ status: 200, actor: secretariat.actor, resourceType: 'decision', resourceId: before.id, data: { before, decision: res.json() } }),
      };
    },
  },
  adoptDecision: {
    action: 'decision.adopted',
    async prepare() {
      const { secretariat } = w();
      const draft = await newDecision(SMALL);
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, h),
        expect: (res) => ({ status: 200, actor: secretariat.actor, resourceType: 'decision', resourceId: draft.id, data: { decision: res.json() } }),
      };
    },
  },
  withdrawDecision: {
    action: 'decision.withdrawn',
    async prepare() {
      const { secretariat } = w();
      const pending = await adopted(LARGE);
      const reason = 'The applicant withdrew its request';
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${pending.id}/withdraw`, { reason }, h),
        expect: (res) => ({ status: 200, actor: secretariat.actor, resourceType: 'decision', resourceId: pending.id, data: { reason, decision: res.json() } }),
      };
    },
  },
  castVote: {
    action: 'vote.cast',
    async prepare() {
      const { college, heerlen } = w();
      const pending = await adopted(LARGE);
      return {
        request: (h) => college.heerlen.client.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: TODAY }, h),
        // Every event that changes a decision carries the whole decision after the change.
        expect: async (res) => ({
          status: 201,
          actor: college.heerlen.actor,
          resourceType: 'decision',
          resourceId: pending.id,
          data: { vote: res.json(), decision: await getJson(reader.client, `/api/v1/decisions/${pending.id}`) },
        }),
      };
    },
  },
  fulfilCondition: {
    action: 'condition.fulfilled',
    async prepare() {
      const { secretariat } = w();
      const decision = await adopted(SMALL, [CONDITION]);
      const conditionId = decision.conditions[0]!.id;
      return {
        request: (h) =>
          secretariat.client.post(`/api/v1/decisions/${decision.id}/conditions/${conditionId}/fulfil`, { fulfilledOn: '2026-02-27', evidence: 'Criteria received' }, h),
        expect: async (res) => ({
          status: 200,
          actor: secretariat.actor,
          resourceType: 'decision',
          resourceId: decision.id,
          data: { condition: res.json(), decision: await getJson(reader.client, `/api/v1/decisions/${decision.id}`) },
        }),
      };
    },
  },
  createStatuteRule: {
    action: 'statute_rule.created',
    async prepare() {
      // The same threshold as version 1, effective long after every board meeting of this file.
      const body = { effectiveFrom: '2030-01-01', thresholdCents: 10_000_000, splitting: { scope: 'applicant_year', action: 'flag' }, reference: 'Statuten ESZL 2030' };
      return {
        request: (h) => admin.post('/api/v1/statute-rules', body, h),
        expect: (res) => ({ status: 201, actor: ADMIN_ACTOR, resourceType: 'statute-rule', resourceId: res.json<{ id: string }>().id, data: { statuteRule: res.json() } }),
      };
    },
  },
  recordFundContribution: {
    action: 'fund.contribution_recorded',
    async prepare() {
      const { secretariat, maastricht } = w();
      const body = { organisationId: maastricht.id, year: 2027, amountCents: 10_000_000, receivedOn: '2026-02-01', reference: 'Bijdrage 2027' };
      return {
        request: (h) => secretariat.client.post('/api/v1/fund/contributions', body, h),
        expect: (res) => ({ status: 201, actor: secretariat.actor, resourceType: 'fund-contribution', resourceId: res.json<{ id: string }>().id, data: { contribution: res.json() } }),
      };
    },
  },
  recordCoFinancing: {
    action: 'co_financing.recorded',
    async prepare() {
      const { secretariat, programme } = w();
      const body = { funderName: 'Regio Deal Zuid-Limburg', kind: 'regio_deal', year: 2026, amountCents: 15_000_000, reference: '4e tranche' };
      return {
        request: (h) => secretariat.client.post(`/api/v1/programmes/${programme.id}/co-financing`, body, h),
        expect: (res) => ({ status: 201, actor: secretariat.actor, resourceType: 'programme', resourceId: programme.id, data: { coFinancing: res.json() } }),
      };
    },
  },
  defineIndicator: {
    action: 'indicator.defined',
    async prepare() {
      const { secretariat } = w();
      const decision = await adopted(SMALL);
      const body = { code: 'PLACEMENTS', name: 'Placements', unit: 'placements', targets: [{ period: '2026', value: 60 }] };
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${decision.id}/indicators`, body, h),
        expect: async (res) => ({
          status: 201,
          actor: secretariat.actor,
          resourceType: 'decision',
          resourceId: decision.id,
          data: { decision: await getJson(reader.client, `/api/v1/decisions/${decision.id}`), indicator: res.json() },
        }),
      };
    },
  },
  reportIndicator: {
    action: 'indicator.reported',
    async prepare() {
      const { secretariat } = w();
      const decision = await adopted(SMALL);
      const { id } = await definedIndicator(decision.id);
      const body = { period: '2026', value: 40, reportedOn: TODAY };
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${decision.id}/indicators/${id}/reports`, body, h),
        expect: async (res) => ({
          status: 201,
          actor: secretariat.actor,
          resourceType: 'decision',
          resourceId: decision.id,
          data: {
            decision: await getJson(reader.client, `/api/v1/decisions/${decision.id}`),
            indicator: res.json(),
            report: { ...body, documents: [] },
          },
        }),
      };
    },
  },
  addCondition: {
    action: 'condition.added',
    async prepare() {
      const { secretariat } = w();
      const decision = await adopted(SMALL);
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${decision.id}/conditions`, { ...CONDITION, blocksDisbursement: true }, h),
        expect: async (res) => ({
          status: 201,
          actor: secretariat.actor,
          resourceType: 'decision',
          resourceId: decision.id,
          data: { condition: res.json(), decision: await getJson(reader.client, `/api/v1/decisions/${decision.id}`) },
        }),
      };
    },
  },
  recordDisbursement: {
    action: 'disbursement.recorded',
    async prepare() {
      const { secretariat } = w();
      const decision = await adopted(SMALL);
      const body = { commitmentId: decision.commitments[0]!.id, amountCents: 200_000, paidOn: TODAY, reference: 'BET-2026-001' };
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${decision.id}/disbursements`, body, h),
        expect: async (res) => ({
          status: 201,
          actor: secretariat.actor,
          resourceType: 'decision',
          resourceId: decision.id,
          data: { disbursement: res.json(), decision: await getJson(reader.client, `/api/v1/decisions/${decision.id}`) },
        }),
      };
    },
  },
  createAmendment: {
    action: 'decision.created',
    async prepare() {
      const { secretariat } = w();
      const decision = await adopted(SMALL);
      const body = decisionBody([400_000]);
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${decision.id}/amendments`, body, h),
        expect: (res) => ({ status: 201, actor: secretariat.actor, resourceType: 'decision', resourceId: res.json<{ id: string }>().id, data: { decision: res.json() } }),
      };
    },
  },
  settleDecision: {
    action: 'decision.settled',
    async prepare() {
      const { secretariat } = w();
      const decision = await adopted(SMALL);
      const body = { settledOn: TODAY, reference: 'VS-2026-001', finalAmounts: [{ commitmentId: decision.commitments[0]!.id, amountCents: 450_000 }] };
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${decision.id}/settle`, body, h),
        expect: (res) => ({ status: 200, actor: secretariat.actor, resourceType: 'decision', resourceId: decision.id, data: { decision: res.json() } }),
      };
    },
  },
  addDecisionDocuments: {
    action: 'decision.document_added',
    async prepare() {
      const { secretariat } = w();
      const pending = await adopted(LARGE);
      const documents = [{ title: 'Notulen', url: 'https://eszl.example/notulen.pdf', kind: 'board_decision', registrationNumber: null, sha256: null, issuedOn: null }];
      return {
        request: (h) => secretariat.client.post(`/api/v1/decisions/${pending.id}/documents`, { documents }, h),
        expect: (res) => ({ status: 200, actor: secretariat.actor, resourceType: 'decision', resourceId: pending.id, data: { decision: res.json(), documents } }),
      };
    },
  },
  recordCollegeDecision: {
    action: 'college_decision.recorded',
    causes: ['vote.cast', 'vote.cast'],
    async prepare() {
      const { college, heerlen } = w();
      const [a, b] = [await adopted(LARGE), await adopted(LARGE)];
      const body = { municipalityId: heerlen.id, decidedOn: TODAY, reference: `CB ${unique()}`, votes: [a, b].map((d) => ({ decisionId: d.id, outcome: 'approve' })) };
      return {
        request: (h) => college.heerlen.client.post('/api/v1/college-decisions', body, h),
        expect: async (res) => ({
          status: 201,
          actor: college.heerlen.actor,
          resourceType: 'college-decision',
          resourceId: res.json<{ id: string }>().id,
          data: {
            collegeDecision: res.json(),
            decisions: [await getJson(reader.client, `/api/v1/decisions/${a.id}`), await getJson(reader.client, `/api/v1/decisions/${b.id}`)],
          },
        }),
      };
    },
  },
  createWebhookSubscription: {
    action: 'webhook.subscribed',
    async prepare() {
      const body = { callbackUrl: WEBHOOK_URL, eventTypes: ['decision.ratified', 'vote.cast'], programmeId: w().programme.id };
      return {
        request: (h) => admin.post('/api/v1/webhook-subscriptions', body, h),
        expect: (res) => {
          const { secret: _secret, ...subscription } = res.json<WebhookSubscriptionJson>();
          return { status: 201, actor: ADMIN_ACTOR, resourceType: 'webhook-subscription', resourceId: subscription.id, data: { subscription } };
        },
      };
    },
  },
  deleteWebhookSubscription: {
    action: 'webhook.unsubscribed',
    async prepare() {
      const subscription = await subscribeWebhook();
      let after: unknown;
      return {
        request: async (h) => {
          const res = await admin.delete(`/api/v1/webhook-subscriptions/${subscription.id}`, h);
          // The event holds the subscription as it is now (inactive), as GET shows it.
          after = await getJson(admin, `/api/v1/webhook-subscriptions/${subscription.id}`);
          return res;
        },
        expect: () => ({ status: 204, actor: ADMIN_ACTOR, resourceType: 'webhook-subscription', resourceId: subscription.id, data: { subscription: after } }),
      };
    },
  },
  redeliverWebhook: {
    action: 'webhook.redelivered',
    async prepare() {
      const { subscriptionId, deliveryId } = await webhookDelivery();
      return {
        request: (h) => admin.post(`/api/v1/webhook-subscriptions/${subscriptionId}/deliveries/${deliveryId}/redeliver`, undefined, h),
        expect: (res) => ({ status: 200, actor: ADMIN_ACTOR, resourceType: 'webhook-subscription', resourceId: subscriptionId, data: { delivery: res.json() } }),
      };
    },
  },
};

type Operation = { operationId: string; method: string; path: string; statuses: number[] };
const MUTATING = new Set(['post', 'patch', 'put', 'delete']);
const mutatingOperations: Operation[] = Object.entries(openapi.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => MUTATING.has(method))
    .map(([method, op]) => ({
      operationId: op.operationId ?? `${method.toUpperCase()} ${path} (no operationId)`,
      method,
      path,
      statuses: Object.keys(op.responses ?? {}).map(Number),
    })),
);

t.test('every mutating operation writes exactly one event with its action, resource and actor', async (t) => {
  t.ok(mutatingOperations.length >= 12, `the OpenAPI document lists ${mutatingOperations.length} mutating operations`);
  const documented = mutatingOperations.map((op) => op.operationId).sort();
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

  for (const op of mutatingOperations) {
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
  const { college, heerlen, sittardGeleen, maastricht } = w();
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
  const { college, sittardGeleen } = w();
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

interface Failure {
  name: string;
  status: number;
  /** Done before the head is read: e.g. the first use of an Idempotency-Key. */
  prepare?(): Promise<unknown>;
  request(): Promise<LightMyRequestResponse>;
}

const FAILURE_STATUSES = [400, 403, 404, 409, 412, 422];
const STALE = { 'if-match': '"c3RhbGU"' };

/**
 * 422: the Idempotency-Key was first used (by the same API key) for another request, here one
 * that failed harmlessly; the second request would succeed on its own but must be refused.
 */
function reusedKey(what: string, first: (h: Headers) => Promise<LightMyRequestResponse>, second: (h: Headers) => Promise<LightMyRequestResponse>): Failure {
  const headers = { 'idempotency-key': `reused-${randomUUID()}` };
  return { name: `an Idempotency-Key already used for ${what}`, status: 422, prepare: () => first(headers), request: () => second(headers) };
}

/**
 * 409: a retry while the first request with the same Idempotency-Key still runs. The first one is
 * made to look unfinished by setting its record back to `in_progress`, as an earlier release left
 * a claim committed before its change while the change still ran; the retry waits for it, then gives up.
 */
function stillRunning(what: string, send: (h: Headers) => Promise<LightMyRequestResponse>): Failure {
  const key = `running-${randomUUID()}`;
  const headers = { 'idempotency-key': key };
  return {
    name: `a retry while the first ${what} with its Idempotency-Key is still running`,
    status: 409,
    prepare: async () => {
      const first = await send(headers);
      if (first.statusCode >= 300) throw new Error(`${what}: the first request answered ${first.statusCode}`);
      await ctx.db.database.db.update(idempotencyKeys).set({ state: 'in_progress' }).where(eq(idempotencyKeys.key, key));
    },
    request: () => send(headers),
  };
}

t.test('a failed change writes no event', async (t) => {
  const { secretariat, college, heerlen, sittardGeleen, applicant, programme } = w();
  const s = secretariat.client;
  const unknown = randomUUID();
  const otherProgramme = await s.post('/api/v1/programmes', { code: `DUP-${unique()}`, name: 'Taken code' });
  expectStatus(otherProgramme, 201, 'create programme');
  const takenCode = otherProgramme.json<ProgrammeJson>().code;
  const draft = await newDecision(SMALL, [CONDITION]);
  const bound = await adopted(SMALL, [CONDITION, { ...CONDITION, description: 'Second condition' }]);
  const fulfilled = await s.post(`/api/v1/decisions/${bound.id}/conditions/${bound.conditions[1]!.id}/fulfil`, { fulfilledOn: TODAY, evidence: 'Done' });
  expectStatus(fulfilled, 200, 'fulfil');
  const pending = await adopted(LARGE);
  const heerlenVoted = await college.heerlen.client.post(`/api/v1/decisions/${pending.id}/votes`, { municipalityId: heerlen.id, outcome: 'approve', decidedOn: TODAY });
  expectStatus(heerlenVoted, 201, 'vote');
  const revokable = await issueKey('reader');
  const paying = await adopted(SMALL);
  const blocked = await adopted(SMALL, [{ ...CONDITION, blocksDisbursement: true } as typeof CONDITION]);
  const vote = (key: Client, decisionId: string, body: Record<string, unknown>, h?: Headers) => key.post(`/api/v1/decisions/${decisionId}/votes`, body, h);
  const goodVote = { municipalityId: sittardGeleen.id, outcome: 'approve', decidedOn: TODAY };
  const fulfil = (decisionId: string, conditionId: string, body: Record<string, unknown> = { fulfilledOn: TODAY, evidence: 'Evidence' }, key = s, h?: Headers) =>
    key.post(`/api/v1/decisions/${decisionId}/conditions/${conditionId}/fulfil`, body, h);
  const createdKeyHeaders = { 'idempotency-key': `created-${randomUUID()}` };
  const createdSubscriptionHeaders = { 'idempotency-key': `created-${randomUUID()}` };
  const subscription = { callbackUrl: WEBHOOK_URL, eventTypes: ['decision.withdrawn'] };
  const live = await webhookDelivery();
  const cancelled = await webhookDelivery();
  expectStatus(await admin.delete(`/api/v1/webhook-subscriptions/${cancelled.subscriptionId}`), 204, 'unsubscribe');
  const documentRef = { title: 'Notulen', url: 'https://eszl.example/notulen.pdf', kind: 'board_decision' };
  const withdrawn = await newDecision(SMALL);
  expectStatus(await s.post(`/api/v1/decisions/${withdrawn.id}/withdraw`, { reason: 'Withdrawn' }), 200, 'withdraw');
  // Sittard-Geleen's college decisions (Heerlen voted on `pending` already).
  const collegeDecision = (key: Client, decisionIds: string[], h?: Headers) =>
    key.post('/api/v1/college-decisions', { municipalityId: sittardGeleen.id, decidedOn: TODAY, reference: 'CB X', votes: decisionIds.map((decisionId) => ({ decisionId, outcome: 'approve' })) }, h);
  const redeliver = (target: { subscriptionId: string; deliveryId: string }, key: Client = admin, h?: Headers) =>
    key.post(`/api/v1/webhook-subscriptions/${target.subscriptionId}/deliveries/${target.deliveryId}/redeliver`, undefined, h);

  const monitored = await adopted(SMALL);
  const placements = await definedIndicator(monitored.id);
  const draftIndicator = await definedIndicator(draft.id, 'DRAFT-PLACEMENTS');
  const rule = (effectiveFrom: string) => ({ effectiveFrom, thresholdCents: 10_000_000, splitting: { scope: 'applicant_year', action: 'flag' }, reference: 'Statuten' });
  const contribution = (organisationId: string) => ({ organisationId, year: 2026, amountCents: 100, receivedOn: TODAY, reference: 'Bijdrage' });
  const coFinancing = { funderName: 'Regio Deal', kind: 'regio_deal', year: 2026, amountCents: 100, reference: 'Tranche' };
  const indicator = { code: `CODE-${unique()}`, name: 'Indicator', unit: 'count', targets: [{ period: '2026', value: 1 }] };
  const report = { period: '2026', value: 1, reportedOn: TODAY };
  const FAILURES: Record<string, Failure[]> = {
    createStatuteRule: [
      { name: 'an effectiveFrom before today', status: 400, request: () => admin.post('/api/v1/statute-rules', rule('2026-02-28')) },
      { name: 'a secretariat key', status: 403, request: () => s.post('/api/v1/statute-rules', rule('2045-01-01')) },
      {
        name: 'an effectiveFrom before the latest rule',
        status: 409,
        prepare: () => admin.post('/api/v1/statute-rules', rule('2040-01-01')),
        request: () => admin.post('/api/v1/statute-rules', rule('2039-01-01')),
      },
      reusedKey(
        'a rule effective in the past',
        (h) => admin.post('/api/v1/statute-rules', rule('2026-02-28'), h),
        (h) => admin.post('/api/v1/statute-rules', rule('2050-01-01'), h),
      ),
    ],
    recordFundContribution: [
      { name: 'an organisation that is not a municipality', status: 400, request: () => s.post('/api/v1/fund/contributions', contribution(applicant.id)) },
      { name: 'a reader key', status: 403, request: () => reader.client.post('/api/v1/fund/contributions', contribution(heerlen.id)) },
      stillRunning('contribution', (h) => s.post('/api/v1/fund/contributions', contribution(heerlen.id), h)),
      reusedKey(
        'a contribution of an applicant',
        (h) => s.post('/api/v1/fund/contributions', contribution(applicant.id), h),
        (h) => s.post('/api/v1/fund/contributions', contribution(heerlen.id), h),
      ),
    ],
    recordCoFinancing: [
      { name: 'no funder', status: 400, request: () => s.post(`/api/v1/programmes/${programme.id}/co-financing`, { ...coFinancing, funderName: null }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post(`/api/v1/programmes/${programme.id}/co-financing`, coFinancing) },
      { name: 'an unknown programme', status: 404, request: () => s.post(`/api/v1/programmes/${unknown}/co-financing`, coFinancing) },
      stillRunning('co-financing', (h) => s.post(`/api/v1/programmes/${programme.id}/co-financing`, coFinancing, h)),
      reusedKey(
        'co-financing of an unknown programme',
        (h) => s.post(`/api/v1/programmes/${unknown}/co-financing`, coFinancing, h),
        (h) => s.post(`/api/v1/programmes/${programme.id}/co-financing`, coFinancing, h),
      ),
    ],
    defineIndicator: [
      { name: 'a period that is not one', status: 400, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators`, { ...indicator, targets: [{ period: '2026-Q5', value: 1 }] }) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post(`/api/v1/decisions/${monitored.id}/indicators`, indicator) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/indicators`, indicator) },
      { name: 'a code the decision has already', status: 409, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators`, { ...indicator, code: 'PLACEMENTS' }) },
      reusedKey(
        'an indicator of an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/indicators`, indicator, h),
        (h) => s.post(`/api/v1/decisions/${monitored.id}/indicators`, indicator, h),
      ),
    ],
    reportIndicator: [
      { name: 'a period outside the targets\' range', status: 400, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators/${placements.id}/reports`, { ...report, period: '2027' }) },
      { name: 'a reader key', status: 403, request: () => reader.client.post(`/api/v1/decisions/${monitored.id}/indicators/${placements.id}/reports`, report) },
      { name: 'an unknown indicator', status: 404, request: () => s.post(`/api/v1/decisions/${monitored.id}/indicators/${unknown}/reports`, report) },
      { name: 'a draft decision', status: 409, request: () => s.post(`/api/v1/decisions/${draft.id}/indicators/${draftIndicator.id}/reports`, report) },
      reusedKey(
        'a report on an unknown indicator',
        (h) => s.post(`/api/v1/decisions/${monitored.id}/indicators/${unknown}/reports`, report, h),
        (h) => s.post(`/api/v1/decisions/${monitored.id}/indicators/${placements.id}/reports`, report, h),
      ),
    ],
    createOrganisation: [
      { name: 'an unknown kind', status: 400, request: () => s.post('/api/v1/organisations', { name: 'X', kind: 'club' }) },
      ((body) => stillRunning('registration', (h) => s.post('/api/v1/organisations', body, h)))({ name: `Running ${unique()}`, kind: 'applicant' }),
      // centreMunicipality is the admin's: an admin's request reaches the check of the kind.
      { name: 'a centre municipality that is not a municipality', status: 400, request: () => admin.post('/api/v1/organisations', { name: 'X', kind: 'applicant', centreMunicipality: true }) },
      { name: 'a reader key', status: 403, request: () => reader.client.post('/api/v1/organisations', { name: 'X', kind: 'applicant' }) },
      { name: 'no key', status: 401, request: () => ctx.as(undefined).post('/api/v1/organisations', { name: 'X', kind: 'applicant' }) },
      reusedKey(
        'a rejected organisation',
        (h) => s.post('/api/v1/organisations', { name: 'X', kind: 'applicant', centreMunicipality: true }, h),
        (h) => s.post('/api/v1/organisations', { name: 'Valid', kind: 'applicant' }, h),
      ),
    ],
    updateOrganisation: [
      { name: 'an empty body', status: 400, request: () => s.patch(`/api/v1/organisations/${applicant.id}`, {}) },
      { name: 'making an applicant a centre municipality (checked after the row lock)', status: 400, request: () => admin.patch(`/api/v1/organisations/${applicant.id}`, { centreMunicipality: true }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.patch(`/api/v1/organisations/${applicant.id}`, { name: 'Y' }) },
      { name: 'an unknown id', status: 404, request: () => s.patch(`/api/v1/organisations/${unknown}`, { name: 'Y' }) },
      { name: 'a stale If-Match', status: 412, request: () => s.patch(`/api/v1/organisations/${applicant.id}`, { name: 'Y' }, STALE) },
    ],
    createProgramme: [
      { name: 'a lower-case code', status: 400, request: () => s.post('/api/v1/programmes', { code: 'lower', name: 'X' }) },
      { name: 'an owner that does not exist', status: 400, request: () => s.post('/api/v1/programmes', { code: `O-${unique()}`, name: 'X', ownerOrganisationId: unknown }) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post('/api/v1/programmes', { code: `A-${unique()}`, name: 'X' }) },
      { name: 'a code already taken', status: 409, request: () => s.post('/api/v1/programmes', { code: takenCode, name: 'X' }) },
      reusedKey(
        'a taken code',
        (h) => s.post('/api/v1/programmes', { code: takenCode, name: 'X' }, h),
        (h) => s.post('/api/v1/programmes', { code: `V-${unique()}`, name: 'Valid' }, h),
      ),
    ],
    updateProgramme: [
      { name: 'an extra property', status: 400, request: () => s.patch(`/api/v1/programmes/${programme.id}`, { colour: 'blue' }) },
      { name: 'a reader key', status: 403, request: () => reader.client.patch(`/api/v1/programmes/${programme.id}`, { name: 'X' }) },
      { name: 'an unknown id', status: 404, request: () => s.patch(`/api/v1/programmes/${unknown}`, { name: 'X' }) },
      { name: 'a code already taken', status: 409, request: () => s.patch(`/api/v1/programmes/${programme.id}`, { code: takenCode }) },
      { name: 'a stale If-Match', status: 412, request: () => s.patch(`/api/v1/programmes/${programme.id}`, { name: 'X' }, STALE) },
    ],
    createApiKey: [
      { name: 'an unknown role', status: 400, request: () => admin.post('/api/v1/api-keys', { name: 'X', role: 'root' }) },
      { name: 'a college key for an applicant', status: 400, request: () => admin.post('/api/v1/api-keys', { name: 'X', role: 'college', organisationId: applicant.id }) },
      { name: 'a secretariat key', status: 403, request: () => s.post('/api/v1/api-keys', { name: 'X', role: 'reader' }) },
      {
        name: 'a retry of a created key (its response holds the secret, so it is not replayed)',
        status: 409,
        prepare: async () => expectStatus(await admin.post('/api/v1/api-keys', { name: 'Once', role: 'reader' }, createdKeyHeaders), 201, 'create key'),
        request: () => admin.post('/api/v1/api-keys', { name: 'Once', role: 'reader' }, createdKeyHeaders),
      },
      reusedKey(
        'a rejected college key',
        (h) => admin.post('/api/v1/api-keys', { name: 'X', role: 'college', organisationId: applicant.id }, h),
        (h) => admin.post('/api/v1/api-keys', { name: 'Valid', role: 'reader' }, h),
      ),
    ],
    revokeApiKey: [
      { name: 'an id that is not a UUID', status: 400, request: () => admin.delete('/api/v1/api-keys/not-a-uuid') },
      { name: 'a secretariat key', status: 403, request: () => s.delete(`/api/v1/api-keys/${revokable.actor.keyId}`) },
      { name: 'an unknown id', status: 404, request: () => admin.delete(`/api/v1/api-keys/${unknown}`) },
    ],
    createDecision: [
      { name: 'no commitments', status: 400, request: () => s.post('/api/v1/decisions', { ...decisionBody(SMALL), commitments: [] }) },
      { name: 'a programme that does not exist', status: 400, request: () => s.post('/api/v1/decisions', { ...decisionBody(SMALL), commitments: [{ programmeId: unknown, year: 2026, amountCents: 100 }] }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post('/api/v1/decisions', decisionBody(SMALL)) },
      { name: 'a reference already taken', status: 409, request: () => s.post('/api/v1/decisions', { ...decisionBody(SMALL), reference: draft.reference }) },
      reusedKey(
        'a taken reference',
        (h) => s.post('/api/v1/decisions', { ...decisionBody(SMALL), reference: draft.reference }, h),
        (h) => s.post('/api/v1/decisions', decisionBody(SMALL), h),
      ),
    ],
    addDecisionDocuments: [
      { name: 'no documents', status: 400, request: () => s.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [] }) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [documentRef] }) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/documents`, { documents: [documentRef] }) },
      { name: 'a withdrawn decision', status: 409, request: () => s.post(`/api/v1/decisions/${withdrawn.id}/documents`, { documents: [documentRef] }) },
      reusedKey(
        'documents for an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/documents`, { documents: [documentRef] }, h),
        (h) => s.post(`/api/v1/decisions/${draft.id}/documents`, { documents: [documentRef] }, h),
      ),
    ],
    recordCollegeDecision: [
      { name: 'no votes', status: 400, request: () => collegeDecision(admin, []) },
      { name: 'a secretariat key', status: 403, request: () => collegeDecision(s, [pending.id]) },
      { name: 'an unknown decision as its second vote', status: 404, request: () => collegeDecision(admin, [pending.id, unknown]) },
      { name: 'a decision that is not pending as its second vote', status: 409, request: () => collegeDecision(admin, [pending.id, bound.id]) },
      reusedKey(
        'a college decision on an unknown decision',
        (h) => collegeDecision(admin, [unknown], h),
        (h) => collegeDecision(admin, [pending.id], h),
      ),
    ],
    updateDecision: [
      { name: 'a negative amount', status: 400, request: () => s.patch(`/api/v1/decisions/${draft.id}`, { commitments: [{ programmeId: programme.id, year: 2026, amountCents: -5 }] }) },
      { name: 'a reader key', status: 403, request: () => reader.client.patch(`/api/v1/decisions/${draft.id}`, { title: 'X' }) },
      { name: 'an unknown id', status: 404, request: () => s.patch(`/api/v1/decisions/${unknown}`, { title: 'X' }) },
      { name: 'an adopted decision', status: 409, request: () => s.patch(`/api/v1/decisions/${bound.id}`, { title: 'X' }) },
      { name: 'a stale If-Match', status: 412, request: () => s.patch(`/api/v1/decisions/${draft.id}`, { title: 'X' }, STALE) },
    ],
    adoptDecision: [
      { name: 'an id that is not a UUID', status: 400, request: () => s.post('/api/v1/decisions/not-a-uuid/adopt') },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post(`/api/v1/decisions/${draft.id}/adopt`) },
      { name: 'an unknown id', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/adopt`) },
      { name: 'an adopted decision', status: 409, request: () => s.post(`/api/v1/decisions/${bound.id}/adopt`) },
      { name: 'a stale If-Match', status: 412, request: () => s.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, STALE) },
      reusedKey(
        'adopting an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/adopt`, undefined, h),
        (h) => s.post(`/api/v1/decisions/${draft.id}/adopt`, undefined, h),
      ),
    ],
    withdrawDecision: [
      { name: 'no reason', status: 400, request: () => s.post(`/api/v1/decisions/${draft.id}/withdraw`, {}) },
      { name: 'a college key', status: 403, request: () => college.heerlen.client.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'X' }) },
      { name: 'an unknown id', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/withdraw`, { reason: 'X' }) },
      { name: 'an adopted decision', status: 409, request: () => s.post(`/api/v1/decisions/${bound.id}/withdraw`, { reason: 'X' }) },
      { name: 'a stale If-Match', status: 412, request: () => s.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'X' }, STALE) },
      reusedKey(
        'withdrawing an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/withdraw`, { reason: 'X' }, h),
        (h) => s.post(`/api/v1/decisions/${draft.id}/withdraw`, { reason: 'X' }, h),
      ),
    ],
    castVote: [
      { name: 'a secretariat key', status: 403, request: () => vote(s, pending.id, goodVote) },
      { name: 'a college key of another municipality', status: 403, request: () => vote(college.heerlen.client, pending.id, goodVote) },
      { name: 'an unknown outcome', status: 400, request: () => vote(college.sittardGeleen.client, pending.id, { ...goodVote, outcome: 'abstain' }) },
      { name: 'a municipality that is not required', status: 400, request: () => vote(admin, pending.id, { ...goodVote, municipalityId: applicant.id }) },
      { name: 'a decision date after today', status: 400, request: () => vote(college.sittardGeleen.client, pending.id, { ...goodVote, decidedOn: '2026-03-02' }) },
      { name: 'an unknown decision', status: 404, request: () => vote(college.sittardGeleen.client, unknown, goodVote) },
      { name: 'a decision that is not pending', status: 409, request: () => vote(college.sittardGeleen.client, bound.id, goodVote) },
      { name: 'a municipality that already voted', status: 409, request: () => vote(college.heerlen.client, pending.id, { ...goodVote, municipalityId: heerlen.id }) },
      reusedKey(
        'a vote on an unknown decision',
        (h) => vote(college.sittardGeleen.client, unknown, goodVote, h),
        (h) => vote(college.sittardGeleen.client, pending.id, goodVote, h),
      ),
    ],
    fulfilCondition: [
      { name: 'no evidence', status: 400, request: () => fulfil(bound.id, bound.conditions[0]!.id, { fulfilledOn: TODAY }) },
      { name: 'a fulfilment date after today', status: 400, request: () => fulfil(bound.id, bound.conditions[0]!.id, { fulfilledOn: '2026-03-02', evidence: 'E' }) },
      { name: 'a college key', status: 403, request: () => fulfil(bound.id, bound.conditions[0]!.id, undefined, college.heerlen.client) },
      { name: 'an unknown decision', status: 404, request: () => fulfil(unknown, bound.conditions[0]!.id) },
      { name: 'an unknown condition', status: 404, request: () => fulfil(bound.id, unknown) },
      { name: 'a condition already fulfilled', status: 409, request: () => fulfil(bound.id, bound.conditions[1]!.id) },
      { name: 'a draft decision', status: 409, request: () => fulfil(draft.id, draft.conditions[0]!.id) },
      reusedKey(
        'fulfilling an unknown condition',
        (h) => fulfil(bound.id, unknown, undefined, s, h),
        (h) => fulfil(bound.id, bound.conditions[0]!.id, undefined, s, h),
      ),
    ],
    addCondition: [
      { name: 'an empty description', status: 400, request: () => s.post(`/api/v1/decisions/${bound.id}/conditions`, { ...CONDITION, description: '' }) },
      { name: 'a reader key', status: 403, request: () => reader.client.post(`/api/v1/decisions/${bound.id}/conditions`, CONDITION) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/conditions`, CONDITION) },
      { name: 'a draft decision', status: 409, request: () => s.post(`/api/v1/decisions/${draft.id}/conditions`, CONDITION) },
      reusedKey(
        'a condition on an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/conditions`, CONDITION, h),
        (h) => s.post(`/api/v1/decisions/${bound.id}/conditions`, CONDITION, h),
      ),
    ],
    recordDisbursement: (() => {
      const payment = (commitmentId: string, paidOn = TODAY) => ({ commitmentId, amountCents: 1_000, paidOn, reference: 'BET-X' });
      const pay = (id: string, body: Record<string, unknown>, key: Client = s, h?: Headers) => key.post(`/api/v1/decisions/${id}/disbursements`, body, h);
      return [
        { name: 'a payment date after today', status: 400, request: () => pay(paying.id, payment(paying.commitments[0]!.id, '2026-03-02')) },
        { name: 'a commitment of another decision', status: 400, request: () => pay(paying.id, payment(draft.commitments[0]!.id)) },
        { name: 'a college key', status: 403, request: () => pay(paying.id, payment(paying.commitments[0]!.id), college.heerlen.client) },
        { name: 'an unknown decision', status: 404, request: () => pay(unknown, payment(paying.commitments[0]!.id)) },
        { name: 'a draft decision', status: 409, request: () => pay(draft.id, payment(draft.commitments[0]!.id)) },
        { name: 'more than the commitment', status: 409, request: () => pay(paying.id, { ...payment(paying.commitments[0]!.id), amountCents: SMALL[0]! + 1 }) },
        { name: 'an open blocking condition', status: 409, request: () => pay(blocked.id, payment(blocked.commitments[0]!.id)) },
        reusedKey(
          'a payment on an unknown decision',
          (h) => pay(unknown, payment(paying.commitments[0]!.id), s, h),
          (h) => pay(paying.id, payment(paying.commitments[0]!.id), s, h),
        ),
      ];
    })(),
    createAmendment: [
      { name: 'no commitments', status: 400, request: () => s.post(`/api/v1/decisions/${paying.id}/amendments`, { ...decisionBody(SMALL), commitments: [] }) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.post(`/api/v1/decisions/${paying.id}/amendments`, decisionBody(SMALL)) },
      { name: 'an unknown decision', status: 404, request: () => s.post(`/api/v1/decisions/${unknown}/amendments`, decisionBody(SMALL)) },
      { name: 'a draft decision', status: 409, request: () => s.post(`/api/v1/decisions/${draft.id}/amendments`, decisionBody(SMALL)) },
      reusedKey(
        'an amendment of an unknown decision',
        (h) => s.post(`/api/v1/decisions/${unknown}/amendments`, decisionBody(SMALL), h),
        (h) => s.post(`/api/v1/decisions/${paying.id}/amendments`, decisionBody(SMALL), h),
      ),
    ],
    settleDecision: (() => {
      const settlement = (d: DecisionJson, amountCents = 1_000) => ({ settledOn: TODAY, reference: 'VS-X', finalAmounts: [{ commitmentId: d.commitments[0]!.id, amountCents }] });
      const settle = (id: string, body: Record<string, unknown>, key: Client = s, h?: Headers) => key.post(`/api/v1/decisions/${id}/settle`, body, h);
      return [
        { name: 'a final amount above the commitment', status: 400, request: () => settle(paying.id, settlement(paying, SMALL[0]! + 1)) },
        { name: 'a reader key', status: 403, request: () => settle(paying.id, settlement(paying), reader.client) },
        { name: 'an unknown decision', status: 404, request: () => settle(unknown, settlement(paying)) },
        { name: 'a draft decision', status: 409, request: () => settle(draft.id, settlement(draft)) },
        { name: 'a stale If-Match', status: 412, request: () => settle(paying.id, settlement(paying), s, STALE) },
        reusedKey(
          'settling an unknown decision',
          (h) => settle(unknown, settlement(paying), s, h),
          (h) => settle(paying.id, settlement(paying), s, h),
        ),
      ];
    })(),
    createWebhookSubscription: [
      { name: 'an unknown event type', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, eventTypes: ['decision.created'] }) },
      { name: 'no event types', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, eventTypes: [] }) },
      { name: 'a private callback URL that is not allow-listed', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, callbackUrl: 'http://10.0.0.1/hook' }) },
      { name: 'a programme filter that does not exist', status: 400, request: () => admin.post('/api/v1/webhook-subscriptions', { ...subscription, programmeId: unknown }) },
      { name: 'a secretariat key', status: 403, request: () => s.post('/api/v1/webhook-subscriptions', subscription) },
      { name: 'no key', status: 401, request: () => ctx.as(undefined).post('/api/v1/webhook-subscriptions', subscription) },
      {
        name: 'a retry of a created subscription (its response holds the secret, so it is not replayed)',
        status: 409,
        prepare: async () => expectStatus(await admin.post('/api/v1/webhook-subscriptions', subscription, createdSubscriptionHeaders), 201, 'subscribe'),
        request: () => admin.post('/api/v1/webhook-subscriptions', subscription, createdSubscriptionHeaders),
      },
      reusedKey(
        'a subscription refused for its private callback URL',
        (h) => admin.post('/api/v1/webhook-subscriptions', { ...subscription, callbackUrl: 'http://10.0.0.1/hook' }, h),
        (h) => admin.post('/api/v1/webhook-subscriptions', subscription, h),
      ),
    ],
    deleteWebhookSubscription: [
      { name: 'an id that is not a UUID', status: 400, request: () => admin.delete('/api/v1/webhook-subscriptions/not-a-uuid') },
      { name: 'a secretariat key', status: 403, request: () => s.delete(`/api/v1/webhook-subscriptions/${live.subscriptionId}`) },
      { name: 'an auditor key', status: 403, request: () => auditor.client.delete(`/api/v1/webhook-subscriptions/${live.subscriptionId}`) },
      { name: 'an unknown id', status: 404, request: () => admin.delete(`/api/v1/webhook-subscriptions/${unknown}`) },
      { name: 'a subscription already cancelled (idempotent: 204, nothing changes)', status: 204, request: () => admin.delete(`/api/v1/webhook-subscriptions/${cancelled.subscriptionId}`) },
    ],
    redeliverWebhook: [
      { name: 'a delivery id that is not a UUID', status: 400, request: () => redeliver({ ...live, deliveryId: 'not-a-uuid' }) },
      { name: 'an auditor key', status: 403, request: () => redeliver(live, auditor.client) },
      { name: 'a college key', status: 403, request: () => redeliver(live, college.heerlen.client) },
      { name: 'an unknown subscription', status: 404, request: () => redeliver({ ...live, subscriptionId: unknown }) },
      { name: 'an unknown delivery', status: 404, request: () => redeliver({ ...live, deliveryId: unknown }) },
      { name: 'the delivery of another subscription', status: 404, request: () => redeliver({ subscriptionId: live.subscriptionId, deliveryId: cancelled.deliveryId }) },
      { name: 'a cancelled subscription', status: 409, request: () => redeliver(cancelled) },
      reusedKey(
        'redelivering an unknown delivery',
        (h) => redeliver({ ...live, deliveryId: unknown }, admin, h),
        (h) => redeliver(live, admin, h),
      ),
    ],
  };

  for (const op of mutatingOperations) {
    const failures = FAILURES[op.operationId] ?? [];
    const covered = new Set(failures.map((f) => f.status));
    const declared = op.statuses.filter((status) => FAILURE_STATUSES.includes(status));
    t.same(
      declared.filter((status) => !covered.has(status)),
      [],
      `${op.operationId}: every failure status it declares (${declared.join(', ')}) has a failing request here`,
    );
    for (const failure of failures) {
      await failure.prepare?.();
      const m = await measured(failure.request);
      t.equal(m.res.statusCode, failure.status, `${op.operationId} with ${failure.name} answers ${failure.status} (body: ${m.res.body.slice(0, 200)})`);
      t.same(m.events, [], `${op.operationId} with ${failure.name} writes no event`);
      t.equal(await headSeq(), m.before, `${op.operationId} with ${failure.name} leaves the head seq at ${m.before}`);
    }
  }

  const first = await measured(() => admin.delete(`/api/v1/api-keys/${revokable.actor.keyId}`));
  t.equal(first.res.statusCode, 204);
  t.same(first.events.map((e) => e.action), ['apikey.revoked'], 'the first revocation is recorded');
  const again = await measured(() => admin.delete(`/api/v1/api-keys/${revokable.actor.keyId}`));
  t.equal(again.res.statusCode, 204, 'revoking an already revoked key answers 204 (idempotent)');
  t.same(again.events, [], 'and records nothing, since nothing changed');

  const stillDraft = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${draft.id}`);
  t.equal(stillDraft.status, 'draft', 'none of the refused adoptions or withdrawals changed the draft');
  t.equal(stillDraft.conditions[0]?.fulfilledOn, null);
  const stillBound = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${bound.id}`);
  t.equal(stillBound.conditions[0]?.fulfilledOn, null, 'the refused fulfilments left the open condition open');
  const stillPending = await getJson<DecisionJson>(reader.client, `/api/v1/decisions/${pending.id}`);
  t.equal(stillPending.status, 'pending_ratification', 'none of the failed votes changed the pending decision');
  t.same(stillPending.ratification.votes.map((v) => v.municipalityId), [heerlen.id], 'it still holds only the Heerlen vote');
});

t.test('seq starts at 1 and increases by exactly 1; cursor pages of 7 equal one big page', async (t) => {
  const big = await auditor.client.get('/api/v1/audit-events?limit=200');
  t.equal(big.statusCode, 200);
  const all = big.json<{ items: AuditEvent[]; nextCursor: string | null }>();
  t.equal(all.nextCursor, null, `one page of 200 holds the whole trail (${all.items.length} events)`);
  t.ok(all.items.length > 60, 'the trail has grown over this file');
  t.same(all.items.map((e) => e.seq), all.items.map((_, i) => i + 1), 'seq runs 1, 2, 3, ... without gaps');

  const first = all.items[0]!;
  t.match(first, { seq: 1, action: 'apikey.created', resourceType: 'apikey', resourceId: BOOTSTRAP_KEY_ID, prevHash: GENESIS }, 'seq 1 installs the bootstrap admin key on the genesis hash');
  t.same(first.actor, { keyId: null, role: 'system', organisationId: null }, 'by the system itself');

  let expectedPrev = GENESIS;
  let broken = 0;
  for (const event of all.items) {
    const { prevHash, hash, ...body } = event;
    const recomputed = createHash('sha256').update(prevHash + canonicalize(body)).digest('hex');
    if (prevHash !== expectedPrev || hash !== recomputed) broken++;
    expectedPrev = hash;
  }
  t.equal(broken, 0, 'every hash is SHA-256(prevHash + JCS(event without hashes)), recomputed here independently, and links to the one before');

  const paged: AuditEvent[] = [];
  const pageSizes: number[] = [];
  let url = '/api/v1/audit-events?limit=7';
  for (;;) {
    const res = await auditor.client.get(url);
    t.equal(res.statusCode, 200);
    const page = res.json<{ items: AuditEvent[]; nextCursor: string | null }>();
    paged.push(...page.items);
    pageSizes.push(page.items.length);
    if (page.nextCursor === null) break;
    t.type(page.nextCursor, 'string');
    url = `/api/v1/audit-events?limit=7&cursor=${encodeURIComponent(page.nextCursor)}`;
    if (pageSizes.length > 100) break;
  }
  t.same(paged, all.items, 'the pages of 7, followed by nextCursor, are the big page exactly');
  t.ok(pageSizes.slice(0, -1).every((n) => n === 7), 'every page but the last holds 7 events');
  t.ok(pageSizes[pageSizes.length - 1]! >= 1 && pageSizes[pageSizes.length - 1]! <= 7, 'the last page holds 1 to 7');
  for (let i = 1; i < paged.length; i++) {
    if (paged[i]!.seq !== paged[i - 1]!.seq + 1) t.fail(`seq jumps from ${paged[i - 1]!.seq} to ${paged[i]!.seq} across pages`);
  }
});

t.test('the afterSeq, resourceType and resourceId filters select exactly the matching events', async (t) => {
  const all = await eventsAfter(0);
  const { wtmr, heerlen } = w();

  const after = await auditor.client.get('/api/v1/audit-events?afterSeq=10&limit=200');
  t.same(after.json<{ items: AuditEvent[] }>().items, all.filter((e) => e.seq > 10), 'afterSeq=10 starts at seq 11');
  t.equal(after.json<{ items: AuditEvent[] }>().items[0]!.seq, 11);

  const beyond = await auditor.client.get(`/api/v1/audit-events?afterSeq=${all.length}`);
  t.same(beyond.json(), { items: [], nextCursor: null }, 'afterSeq at the head gives an empty page');

  const decisions = await eventsAfter(0, '&resourceType=decision');
  t.same(decisions, all.filter((e) => e.resourceType === 'decision'), 'resourceType=decision');
  t.ok(decisions.length > 10);

  const organisationEvents = await eventsAfter(0, '&resourceType=organisation');
  t.same(organisationEvents, all.filter((e) => e.resourceType === 'organisation'), 'resourceType=organisation');

  const ofWtmr = await eventsAfter(0, `&resourceId=${wtmr.id}`);
  t.same(
    ofWtmr.map((e) => e.action),
    ['decision.created', 'decision.adopted', 'vote.cast', 'vote.cast', 'vote.cast', 'decision.ratified'],
    'resourceId of the WTMR decision gives its whole history, votes included',
  );
  t.same(ofWtmr, all.filter((e) => e.resourceId === wtmr.id));

  const ofHeerlen = await eventsAfter(0, `&resourceType=organisation&resourceId=${heerlen.id}`);
  t.same(ofHeerlen.map((e) => e.action), ['organisation.created'], 'resourceType and resourceId combine');
  const mismatch = await eventsAfter(0, `&resourceType=programme&resourceId=${wtmr.id}`);
  t.same(mismatch, [], 'a resourceId under another resourceType matches nothing');

  const combined = await eventsAfter(20, '&resourceType=decision');
  t.same(combined, all.filter((e) => e.seq > 20 && e.resourceType === 'decision'), 'afterSeq combines with resourceType');

  const filteredPages: AuditEvent[] = [];
  let url = `/api/v1/audit-events?resourceType=decision&limit=3`;
  for (let i = 0; i < 200; i++) {
    const page = (await auditor.client.get(url)).json<{ items: AuditEvent[]; nextCursor: string | null }>();
    filteredPages.push(...page.items);
    if (page.nextCursor === null) break;
    url = `/api/v1/audit-events?resourceType=decision&limit=3&cursor=${encodeURIComponent(page.nextCursor)}`;
  }
  t.same(filteredPages, decisions, 'cursor paging keeps the filter');

  for (const query of ['afterSeq=-1', 'limit=0', 'limit=201', 'resourceId=not-a-uuid', 'cursor=bm9wZQ', 'unknown=1']) {
    const res = await auditor.client.get(`/api/v1/audit-events?${query}`);
    t.equal(res.statusCode, 400, `${query} is invalid input: 400`);
  }
  // A cursor is opaque and only nextCursor values are valid (any other is invalid input: 400, as
  // on every other list). These decode to an empty string, which the audit list reads as seq 0.
  for (const cursor of ['!!!', '....', 'c2VxOg']) {
    const res = await auditor.client.get(`/api/v1/audit-events?cursor=${encodeURIComponent(cursor)}`);
    t.equal(res.statusCode, 400, `cursor=${cursor} is not a cursor this API returned: 400 (got ${res.statusCode})`);
    const organisations = await reader.client.get(`/api/v1/organisations?cursor=${encodeURIComponent(cursor)}`);
    t.equal(organisations.statusCode, 400, `as the organisations list answers to cursor=${cursor}`);
  }
});

t.test('verify answers valid with the count and the hash of the last event', async (t) => {
  const all = await eventsAfter(0);
  const res = await auditor.client.get('/api/v1/audit-events/verify');
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/json/);
  t.same(res.json(), { valid: true, count: all.length, headHash: all[all.length - 1]!.hash, firstInvalidSeq: null });
  t.equal(all[all.length - 1]!.seq, all.length, 'the count is the last seq');
});

t.test('the NDJSON export equals the listed events and passes the offline verifier', async (t) => {
  const all = await eventsAfter(0);
  const verdict = await verifyTrail();
  const res = await auditor.client.get('/api/v1/exports/audit-events');
  t.equal(res.statusCode, 200);
  t.match(String(res.headers['content-type']), /^application\/x-ndjson/, 'content-type is application/x-ndjson');
  t.ok(res.body.endsWith('\n'), 'every line ends with a newline');
  const lines = res.body.split('\n').slice(0, -1);
  t.equal(lines.length, all.length, 'one line per event');
  t.same(
    lines.map((line) => JSON.parse(line) as AuditEvent),
    all,
    'line by line the export is the listed events, in seq order',
  );
  t.ok(lines.every((line) => !line.includes('\n') && line.startsWith('{"seq":')), 'each line is one JSON object, seq first');

  const file = join(tempDir, 'export.ndjson');
  writeFileSync(file, res.body);
  const offline = await runOfflineVerifier(file);
  t.equal(offline.status, 0, `the offline verifier exits 0 (stdout: ${offline.stdout} stderr: ${offline.stderr.slice(0, 300)})`);
  t.same(
    offline.fields,
    { verdict: 'VALID', count: String(verdict.count), headHash: verdict.headHash, firstInvalidSeq: 'none' },
    'VALID, with the same count and head hash as verify',
  );

  const anchored = await runOfflineVerifier(file, '--head', verdict.headHash);
  t.equal(anchored.status, 0, 'given the right head hash it still exits 0');
  t.equal(anchored.fields.verdict, 'VALID');

  const wrongHead = await runOfflineVerifier(file, '--head', 'f'.repeat(64));
  t.equal(wrongHead.status, 1, 'given another head hash it exits 1');
  t.equal(wrongHead.fields.verdict, 'INVALID');
});

t.test('the snapshot holds everything, whole, at the audit head', async (t) => {
  const verdict = await verifyTrail();
  const res = await auditor.client.get('/api/v1/exports/snapshot');
  t.equal(res.statusCode, 200);
  const snapshot = res.json<{
    generatedAt: string;
    auditHeadSeq: number;
    auditHeadHash: string;
    organisations: { id: string }[];
    programmes: { id: string }[];
    decisions: DecisionJson[];
    statuteRules: { version: number; effectiveFrom: string; thresholdCents: number; reference: string }[];
  }>();
  t.same(
    Object.keys(snapshot).slice(0, 7),
    ['generatedAt', 'auditHeadSeq', 'auditHeadHash', 'organisations', 'programmes', 'decisions', 'statuteRules'],
    'the head and the first four lists come first, as they always did (the other lists: snapshot.test.ts)',
  );
  t.match(snapshot.statuteRules, [{ version: 1, effectiveFrom: '2000-01-01', thresholdCents: 10_000_000, reference: 'Statuten ESZL' }], 'every statute rule');
  t.equal(snapshot.generatedAt, '2026-03-01T12:00:00.000Z', 'generatedAt is the (pinned) time of the request');
  t.equal(snapshot.auditHeadSeq, verdict.count, 'auditHeadSeq is the count of verify');
  t.equal(snapshot.auditHeadHash, verdict.headHash, 'auditHeadHash is the head hash of verify');
  t.same(snapshot.organisations, await listAll('/api/v1/organisations'), 'every organisation, as the API lists them');
  t.same(snapshot.programmes, await listAll('/api/v1/programmes'), 'every programme, as the API lists them');
  t.same(snapshot.decisions, await listAll('/api/v1/decisions'), 'every decision, whole, as the API lists them');

  const { wtmr, heerlen, sittardGeleen, maastricht } = w();
  const story = snapshot.decisions.find((d) => d.id === wtmr.id);
  t.same(story, wtmr, 'the WTMR decision is there whole');
  t.same(story?.commitments.map((c) => [c.year, c.amountCents]), [[2026, 14_000_000], [2027, 25_000_000]], 'with its commitments');
  t.equal(story?.conditions.length, 1, 'its condition');
  t.same(
    story?.ratification.votes.map((v) => v.municipalityId),
    [heerlen.id, sittardGeleen.id, maastricht.id],
    'and its three votes in the order they were cast',
  );
});

t.test('only auditor and admin keys may read the audit trail and exports', async (t) => {
  const { secretariat, college } = w();
  const urls = ['/api/v1/audit-events', '/api/v1/audit-events/verify', '/api/v1/exports/audit-events', '/api/v1/exports/snapshot'];
  const revokedAuditor = await issueKey('auditor');
  expectStatus(await admin.delete(`/api/v1/api-keys/${revokedAuditor.actor.keyId}`), 204, 'revoke');
  for (const url of urls) {
    for (const [role, holder] of [['reader', reader], ['secretariat', secretariat], ['college', college.heerlen]] as const) {
      const res = await holder.client.get(url);
      t.equal(res.statusCode, 403, `${role}: 403 on ${url}`);
      t.match(String(res.headers['content-type']), /^application\/problem\+json/);
      t.equal(res.json<{ code: string }>().code, 'FORBIDDEN');
    }
    for (const [role, holder] of [['auditor', auditor], ['admin', adminHolder]] as const) {
      t.equal((await holder.client.get(url)).statusCode, 200, `${role}: 200 on ${url}`);
    }
    t.equal((await ctx.as(undefined).get(url)).statusCode, 401, `no key: 401 on ${url}`);
    t.equal((await revokedAuditor.client.get(url)).statusCode, 401, `a revoked auditor key: 401 on ${url}`);
  }
});

t.test('verify does not call an untampered trail invalid while changes are being committed', async (t) => {
  // verify reads audit_head and then the rows; a change committed in between adds rows beyond
  // the head it read. Nothing was tampered with, so every verdict must be valid.
  const { secretariat } = w();
  const verdicts: Verdict[] = [];
  const writes = Array.from({ length: 30 }, (_, i) => secretariat.client.post('/api/v1/organisations', { name: `Concurrent ${i}`, kind: 'other' }));
  const reads = Array.from({ length: 30 }, async () => {
    const res = await auditor.client.get('/api/v1/audit-events/verify');
    if (res.statusCode === 200) verdicts.push(res.json<Verdict>());
    else t.fail(`verify answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
  });
  const written = await Promise.all(writes);
  await Promise.all(reads);
  t.same(written.map((res) => res.statusCode), written.map(() => 201), 'every concurrent change succeeded');
  const invalid = verdicts.filter((verdict) => !verdict.valid);
  t.equal(
    invalid.length,
    0,
    `every verdict taken during the writes is valid (${invalid.length} of ${verdicts.length} were not, e.g. ${JSON.stringify(invalid[0] ?? null)})`,
  );
  const after = await verifyTrail();
  t.equal(after.valid, true, 'and the chain itself is intact afterwards');
});

t.test('the trail is still whole and valid at the end of the file', async (t) => {
  const verdict = await verifyTrail();
  t.equal(verdict.valid, true);
  t.equal(verdict.firstInvalidSeq, null);
  const all = await eventsAfter(0);
  t.equal(verdict.count, all.length);
});


t.test('every event in the trail carries the payload its catalogue type defines; every type occurs', async (t) => {
  // What the mutations above do not cause: the events of adoption's checks, of an amendment
  // that binds, and of the daily jobs.
  const s = w().secretariat.client;
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
  const large = { ...decisionBody(LARGE), boardMeetingDate: '2060-01-02', commitments: [{ programmeId: w().programme.id, year: 2060, amountCents: LARGE[0] }] };
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
  const seen = new Map<string, number>();
  for (const event of await eventsAfter(0)) {
    const type = event.action as EventType;
    t.ok(type in EVENT_PAYLOAD_SCHEMAS, `${event.action} (seq ${event.seq}) is a catalogue type`);
    if (!(type in EVENT_PAYLOAD_SCHEMAS)) continue;
    seen.set(type, (seen.get(type) ?? 0) + 1);
    const errors = [...Value.Errors(schemas, EVENT_PAYLOAD_SCHEMAS[type], event.data)].slice(0, 3);
    if (errors.length > 0) t.fail(`${type} (seq ${event.seq}) data matches its schema: ${JSON.stringify(errors)}`);
  }
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
