import type { LightMyRequestResponse } from 'fastify';
import { ADMIN_ACTOR, expectStatus, TODAY, unique, type Actor, type AuditTrail } from './audit-trail.js';
import { CONDITION, LARGE, SMALL, WEBHOOK_URL, type World, type WorldTools } from './audit-world.js';
import { createOrganisation, type ProgrammeJson } from './factories.js';

export interface Expectation {
  status: number;
  actor: Actor;
  resourceType: string;
  resourceId: string;
  data: unknown;
}

export type Headers = Record<string, string> | undefined;

export interface Prepared {
  /** Exactly one request of the operation; sent twice with the same headers to test a retry. */
  request(headers: Headers): Promise<LightMyRequestResponse>;
  expect(res: LightMyRequestResponse): Expectation | Promise<Expectation>;
}

export interface MutationCase {
  action: string;
  /** The events the operation writes before its own (a college decision's votes), in order. */
  causes?: string[];
  /** Sets up what the request needs; the events written here are not counted. */
  prepare(): Promise<Prepared>;
}

/**
 * One case per mutating operation of the OpenAPI document (by operationId): how to make one
 * successful request of it, and the one event that request must write. trail-mutations.test.ts
 * checks that every operation has its case and writes exactly that event; trail-reading.test.ts
 * plays each case once, for a trail that holds every kind of change.
 */
export function mutationCases(trail: AuditTrail, world: World, tools: WorldTools): Record<string, MutationCase> {
  const { admin, reader, issueKey, getJson } = trail;
  const { decisionBody, newDecision, adopted, subscribeWebhook, webhookDelivery, definedIndicator } = tools;
  return {
    createOrganisation: {
      action: 'organisation.created',
      async prepare() {
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { college, heerlen } = world;
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
        const { secretariat } = world;
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
        const { secretariat, maastricht } = world;
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
        const { secretariat, programme } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { secretariat } = world;
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
        const { college, heerlen } = world;
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
        const body = { callbackUrl: WEBHOOK_URL, eventTypes: ['decision.ratified', 'vote.cast'], programmeId: world.programme.id };
        return {
          request: (h) => admin.post('/api/v1/webhook-subscriptions', body, h),
          expect: (res) => {
            const { secret: _secret, ...subscription } = res.json<{ id: string; secret?: string }>();
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
}
