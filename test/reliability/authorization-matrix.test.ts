import { randomBytes } from 'node:crypto';
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../src/domain/clock.js';
import { startTestApp } from '../helpers/app.js';
import { createKey, createOrganisation, createProgramme } from '../helpers/factories.js';
import { checkProblem } from './support/checks.js';
import { committedOperationIds, operationIdsOf, OperationCoverage } from './support/coverage.js';
import { fetchOpenApi, operationsOf } from './support/openapi.js';
import {
  buildWorld,
  createAdoptedDecision,
  createDecision,
  createPendingDecision,
  FIXED_NOW,
  uniqueSuffix,
  type DecisionJson,
} from './support/world.js';
import { dispatchOnce, RECEIVER_HOST, startReceiver, WEBHOOK_SIGNING_KEY } from './support/webhooks.js';

/**
 * Broken object-level and function-level authorization (OWASP API1 and API5 of 2023): every
 * operation of the OpenAPI document, tried with every kind of caller, against the table below,
 * which is written out here from the contract's roles table and deliberately not derived from
 * the code. Each request is built so that it is valid and would succeed when allowed (a fresh
 * draft to adopt, a fresh pending decision to vote on, ...), so "allowed" is a real success and
 * "denied" is 401/403 with nothing changed.
 */
type Caller = 'admin' | 'secretariat' | 'college' | 'collegeOther' | 'auditor' | 'reader' | 'none' | 'revoked' | 'unknown';
const CALLERS: Caller[] = ['admin', 'secretariat', 'college', 'collegeOther', 'auditor', 'reader', 'none', 'revoked', 'unknown'];
const WITHOUT_VALID_KEY: Caller[] = ['none', 'revoked', 'unknown'];

// Who may do what (the contract's roles table). `college` is the college of the decision's
// municipality (Heerlen), `collegeOther` the college of another centre municipality (Maastricht).
const ADMIN: Caller[] = ['admin'];
const MANAGE: Caller[] = ['admin', 'secretariat'];
const READ_REGISTER: Caller[] = ['admin', 'secretariat', 'college', 'collegeOther', 'auditor', 'reader'];
const VOTE: Caller[] = ['admin', 'college'];
const AUDIT: Caller[] = ['admin', 'auditor'];
// Public data: anyone, with or without a key (an unknown or revoked key is not looked at).
const EVERYONE: Caller[] = CALLERS;

const ALLOWED: Record<string, Caller[]> = {
  createApiKey: ADMIN,
  listApiKeys: ADMIN,
  getCurrentApiKey: READ_REGISTER,
  revokeApiKey: ADMIN,
  createOrganisation: MANAGE,
  listOrganisations: READ_REGISTER,
  getOrganisation: READ_REGISTER,
  updateOrganisation: MANAGE,
  createProgramme: MANAGE,
  listProgrammes: READ_REGISTER,
  getProgramme: READ_REGISTER,
  updateProgramme: MANAGE,
  getProgrammeFunding: READ_REGISTER,
  createDecision: MANAGE,
  listDecisions: READ_REGISTER,
  getDecision: READ_REGISTER,
  updateDecision: MANAGE,
  adoptDecision: MANAGE,
  withdrawDecision: MANAGE,
  fulfilCondition: MANAGE,
  castVote: VOTE,
  listVotes: READ_REGISTER,
  listCommitments: READ_REGISTER,
  // After adoption (second round): writes are the secretariat's and admin's, reads every register role's.
  addCondition: MANAGE,
  recordDisbursement: MANAGE,
  listDecisionDisbursements: READ_REGISTER,
  listDisbursements: READ_REGISTER,
  createAmendment: MANAGE,
  settleDecision: MANAGE,
  getFunding: READ_REGISTER,
  listAuditEvents: AUDIT,
  verifyAuditTrail: AUDIT,
  exportAuditEvents: AUDIT,
  exportSnapshot: AUDIT,
  // The transparency log's proofs, evidence and status are the auditors' (the tiles are public, outside /api/v1).
  getAuditEventInclusionProof: AUDIT,
  getTlogConsistencyProof: AUDIT,
  getTlogStatus: AUDIT,
  getDecisionEvidence: AUDIT,
  // Auditors' round: a decision's history is read like the decision; checkpoints by every role
  // that reads the register (the contract opens reads of new resources to all of them).
  getDecisionHistory: READ_REGISTER,
  listAuditCheckpoints: READ_REGISTER,
  getLatestAuditCheckpoint: READ_REGISTER,
  getAuditCheckpointPublicKey: EVERYONE,
  getOpenData360Giving: EVERYONE,
  getOpenDataVoteEvents: EVERYONE,
  // Webhooks came after the roles table; subscriptions carry callback URLs and secrets, like API
  // keys: an admin manages all, a college key those of its own municipality (the cells below are
  // Heerlen's subscriptions, so the college of Maastricht is refused).
  createWebhookSubscription: VOTE,
  listWebhookSubscriptions: ['admin', 'college', 'collegeOther'],
  getWebhookSubscription: VOTE,
  deleteWebhookSubscription: VOTE,
  listWebhookDeliveries: VOTE,
  redeliverWebhook: VOTE,
  // Second round: documents are register management; a college decision is votes; reads are open.
  addDecisionDocuments: MANAGE,
  recordCollegeDecision: VOTE,
  listCollegeDecisions: READ_REGISTER,
  getCollegeDecision: READ_REGISTER,
  listEvents: READ_REGISTER,
  listEventTypes: READ_REGISTER,
  getEventTypeSchema: EVERYONE,
  // Second round: statute rules (added by admins only), the fund, co-financing, indicators.
  listStatuteRules: READ_REGISTER,
  getStatuteRule: READ_REGISTER,
  createStatuteRule: ADMIN,
  recordFundContribution: MANAGE,
  listFundContributions: READ_REGISTER,
  getFund: READ_REGISTER,
  recordCoFinancing: MANAGE,
  listCoFinancing: READ_REGISTER,
  defineIndicator: MANAGE,
  reportIndicator: MANAGE,
  listIndicators: READ_REGISTER,
  // The colleges' workspace: Heerlen's ratification request, refused to the college of Maastricht;
  // the overview, where each college key sees its own municipality.
  getRatificationRequest: ['admin', 'secretariat', 'college', 'auditor', 'reader'],
  listRatifications: READ_REGISTER,
};

const WEBHOOK_HOSTS = [RECEIVER_HOST];
const receiver = await startReceiver(t);
const ctx = await startTestApp(t, {
  clock: fixedClock(FIXED_NOW),
  env: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn', WEBHOOK_SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: WEBHOOK_HOSTS.join(',') },
});
const { app, admin } = ctx;
const served = await fetchOpenApi(app);
const operations = operationsOf(served);
/** Requests and non-404 answers per operationId: what the matrix really sent. */
const coverage = new OperationCoverage();
const world = await buildWorld(ctx);
const { heerlen } = world.municipalities;
const [wtmr] = world.programmes as [string];
const keys: Record<Caller, string | undefined> = {
  admin: world.keys.admin,
  secretariat: world.keys.secretariat,
  college: world.keys.college,
  collegeOther: world.keys.collegeOther,
  auditor: world.keys.auditor,
  reader: world.keys.reader,
  none: undefined,
  revoked: world.keys.revoked,
  unknown: `eszl_${randomBytes(32).toString('base64url')}`,
};

const existingDecision = await createPendingDecision(admin, wtmr);
const statuteRuleId = ((await admin.get('/api/v1/statute-rules')).json() as { items: { id: string }[] }).items[0]!.id;
/** Each created rule takes effect a day after the one before: a fresh, valid request every time. */
let ruleDay = Date.UTC(2030, 0, 1);
function nextRuleBody() {
  ruleDay += 86_400_000;
  return { effectiveFrom: new Date(ruleDay).toISOString().slice(0, 10), thresholdCents: 10_000_000, splitting: { scope: 'applicant_year', action: 'flag' }, reference: 'Matrix rule' };
}
async function indicatorOf(decisionId: string): Promise<string> {
  const res = await admin.post(`/api/v1/decisions/${decisionId}/indicators`, { code: `I-${uniqueSuffix()}`, name: 'Placements', unit: 'placements', targets: [{ period: '2026', value: 60 }] });
  if (res.statusCode !== 201) throw new Error(`indicator: ${res.statusCode} ${res.body}`);
  return (JSON.parse(res.body) as { id: string }).id;
}

/** A subscription of Heerlen (the municipality of the `college` caller). */
async function subscription(): Promise<string> {
  const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes: ['decision.adopted'], municipalityId: heerlen });
  if (res.statusCode !== 201) throw new Error(`webhook subscription: ${res.statusCode} ${res.body}`);
  return (JSON.parse(res.body) as { id: string }).id;
}

async function collegeDecision(): Promise<string> {
  const pending = await createPendingDecision(admin, wtmr);
  const res = await admin.post('/api/v1/college-decisions', {
    municipalityId: heerlen,
    decidedOn: '2026-02-20',
    reference: `CB ${uniqueSuffix()}`,
    votes: [{ decisionId: pending.id, outcome: 'approve' }],
  });
  if (res.statusCode !== 201) throw new Error(`college decision: ${res.statusCode} ${res.body}`);
  return (JSON.parse(res.body) as { id: string }).id;
}

/** A subscription with one delivered event in its log. */
async function subscriptionWithDelivery(): Promise<{ id: string; deliveryId: string }> {
  const id = await subscription();
  // Pending: its decision.adopted is an event of a decision that requires Heerlen.
  await createPendingDecision(admin, wtmr);
  await dispatchOnce(ctx.db.database, WEBHOOK_HOSTS);
  const res = await admin.get(`/api/v1/webhook-subscriptions/${id}/deliveries`);
  const [delivery] = (JSON.parse(res.body) as { items: { id: string }[] }).items;
  if (delivery === undefined) throw new Error(`no delivery for subscription ${id}: ${res.body}`);
  return { id, deliveryId: delivery.id };
}

interface Cell {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  /** What an allowed caller gets: the request is valid and the resource in the right state. */
  success: number;
  /** Checked after a denied request: the state the request would have changed is unchanged. */
  unchanged?: () => Promise<string | undefined>;
}

const decisionBody = () => ({
  reference: `MATRIX-${uniqueSuffix()}`,
  title: 'Matrix decision',
  boardMeetingDate: '2026-02-10',
  commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000_000 }],
});

async function decisionUnchanged(before: DecisionJson): Promise<string | undefined> {
  const res = await admin.get(`/api/v1/decisions/${before.id}`);
  const after = JSON.parse(res.body) as DecisionJson;
  const same = after.status === before.status && after.updatedAt === before.updatedAt && after.ratification.votes.length === before.ratification.votes.length;
  return same ? undefined : `decision ${before.id} changed: ${before.status} -> ${after.status}, votes ${after.ratification.votes.length}`;
}

/** Per operation: build a fresh request that succeeds for an allowed caller. */
const CELLS: Record<string, () => Promise<Cell>> = {
  createApiKey: async () => ({ method: 'POST', url: '/api/v1/api-keys', body: { name: `matrix ${uniqueSuffix()}`, role: 'reader' }, success: 201 }),
  listApiKeys: async () => ({ method: 'GET', url: '/api/v1/api-keys', success: 200 }),
  getCurrentApiKey: async () => ({ method: 'GET', url: '/api/v1/api-keys/current', success: 200 }),
  revokeApiKey: async () => {
    const key = await createKey(admin, 'reader');
    return {
      method: 'DELETE',
      url: `/api/v1/api-keys/${key.id}`,
      success: 204,
      unchanged: async () => ((await ctx.as(key.key).get('/api/v1/organisations')).statusCode === 200 ? undefined : 'the key was revoked'),
    };
  },
  createOrganisation: async () => ({ method: 'POST', url: '/api/v1/organisations', body: { name: `Matrix ${uniqueSuffix()}`, kind: 'applicant' }, success: 201 }),
  listOrganisations: async () => ({ method: 'GET', url: '/api/v1/organisations', success: 200 }),
  getOrganisation: async () => ({ method: 'GET', url: `/api/v1/organisations/${heerlen}`, success: 200 }),
  updateOrganisation: async () => {
    const organisation = await createOrganisation(admin, { kind: 'employer' });
    return {
      method: 'PATCH',
      url: `/api/v1/organisations/${organisation.id}`,
      body: { name: `Renamed ${uniqueSuffix()}` },
      success: 200,
      unchanged: async () => {
        const now = JSON.parse((await admin.get(`/api/v1/organisations/${organisation.id}`)).body) as { name: string };
        return now.name === organisation.name ? undefined : `renamed to ${now.name}`;
      },
    };
  },
  createProgramme: async () => ({ method: 'POST', url: '/api/v1/programmes', body: { code: `M-${uniqueSuffix()}`, name: 'Matrix programme' }, success: 201 }),
  listProgrammes: async () => ({ method: 'GET', url: '/api/v1/programmes', success: 200 }),
  getProgramme: async () => ({ method: 'GET', url: `/api/v1/programmes/${wtmr}`, success: 200 }),
  updateProgramme: async () => {
    const programme = await createProgramme(admin, { code: `U-${uniqueSuffix()}` });
    return {
      method: 'PATCH',
      url: `/api/v1/programmes/${programme.id}`,
      body: { name: 'Renamed programme' },
      success: 200,
      unchanged: async () => {
        const now = JSON.parse((await admin.get(`/api/v1/programmes/${programme.id}`)).body) as { name: string };
        return now.name === 'Programme' ? undefined : `renamed to ${now.name}`;
      },
    };
  },
  getProgrammeFunding: async () => ({ method: 'GET', url: `/api/v1/programmes/${wtmr}/funding`, success: 200 }),
  createDecision: async () => ({ method: 'POST', url: '/api/v1/decisions', body: decisionBody(), success: 201 }),
  listDecisions: async () => ({ method: 'GET', url: '/api/v1/decisions', success: 200 }),
  getDecision: async () => ({ method: 'GET', url: `/api/v1/decisions/${existingDecision.id}`, success: 200 }),
  updateDecision: async () => {
    const draft = await createDecision(admin, wtmr);
    return { method: 'PATCH', url: `/api/v1/decisions/${draft.id}`, body: { title: 'Edited title' }, success: 200, unchanged: () => decisionUnchanged(draft) };
  },
  adoptDecision: async () => {
    const draft = await createDecision(admin, wtmr);
    return { method: 'POST', url: `/api/v1/decisions/${draft.id}/adopt`, success: 200, unchanged: () => decisionUnchanged(draft) };
  },
  withdrawDecision: async () => {
    const draft = await createDecision(admin, wtmr);
    return {
      method: 'POST',
      url: `/api/v1/decisions/${draft.id}/withdraw`,
      body: { reason: 'Matrix withdrawal' },
      success: 200,
      unchanged: () => decisionUnchanged(draft),
    };
  },
  fulfilCondition: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr, 1);
    const condition = adopted.conditions[0]!;
    return {
      method: 'POST',
      url: `/api/v1/decisions/${adopted.id}/conditions/${condition.id}/fulfil`,
      body: { fulfilledOn: '2026-02-20', evidence: 'Result criteria received' },
      success: 200,
      unchanged: async () => {
        const now = JSON.parse((await admin.get(`/api/v1/decisions/${adopted.id}`)).body) as DecisionJson;
        return now.conditions[0]?.status === condition.status ? undefined : `condition is now ${now.conditions[0]?.status}`;
      },
    };
  },
  castVote: async () => {
    const pending = await createPendingDecision(admin, wtmr);
    return {
      method: 'POST',
      url: `/api/v1/decisions/${pending.id}/votes`,
      // Heerlen's vote, also when the college of Maastricht sends it: that must be refused.
      body: { municipalityId: heerlen, outcome: 'approve', decidedOn: '2026-02-20', reference: 'B&W 2026/12' },
      success: 201,
      unchanged: () => decisionUnchanged(pending),
    };
  },
  listVotes: async () => ({ method: 'GET', url: `/api/v1/decisions/${existingDecision.id}/votes`, success: 200 }),
  getRatificationRequest: async () => {
    const pending = await createPendingDecision(admin, wtmr);
    return { method: 'GET', url: `/api/v1/decisions/${pending.id}/ratification-request?municipalityId=${heerlen}`, success: 200 };
  },
  listRatifications: async () => ({ method: 'GET', url: '/api/v1/ratifications', success: 200 }),
  listCommitments: async () => ({ method: 'GET', url: '/api/v1/commitments', success: 200 }),
  addCondition: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    return {
      method: 'POST',
      url: `/api/v1/decisions/${adopted.id}/conditions`,
      body: { description: 'Monitoringsrapportage', dueDate: '2026-06-30', blocksDisbursement: true },
      success: 201,
      unchanged: () => decisionUnchanged(adopted),
    };
  },
  recordDisbursement: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    const commitmentId = (adopted.commitments as { id: string }[])[0]!.id;
    return {
      method: 'POST',
      url: `/api/v1/decisions/${adopted.id}/disbursements`,
      body: { commitmentId, amountCents: 100_000, paidOn: '2026-03-01', reference: 'BET-MATRIX' },
      success: 201,
      unchanged: async () => {
        const now = JSON.parse((await admin.get(`/api/v1/decisions/${adopted.id}`)).body) as { commitments: { disbursedCents: number }[] };
        return now.commitments[0]?.disbursedCents === 0 ? undefined : 'money was paid';
      },
    };
  },
  listDecisionDisbursements: async () => ({ method: 'GET', url: `/api/v1/decisions/${existingDecision.id}/disbursements`, success: 200 }),
  listDisbursements: async () => ({ method: 'GET', url: '/api/v1/disbursements', success: 200 }),
  createAmendment: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    return { method: 'POST', url: `/api/v1/decisions/${adopted.id}/amendments`, body: decisionBody(), success: 201 };
  },
  settleDecision: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    const commitmentId = (adopted.commitments as { id: string }[])[0]!.id;
    return {
      method: 'POST',
      url: `/api/v1/decisions/${adopted.id}/settle`,
      body: { settledOn: '2026-03-01', reference: 'VS-MATRIX', finalAmounts: [{ commitmentId, amountCents: 2_000_000 }] },
      success: 200,
      unchanged: () => decisionUnchanged(adopted),
    };
  },
  getFunding: async () => ({ method: 'GET', url: '/api/v1/funding', success: 200 }),
  listAuditEvents: async () => ({ method: 'GET', url: '/api/v1/audit-events', success: 200 }),
  verifyAuditTrail: async () => ({ method: 'GET', url: '/api/v1/audit-events/verify', success: 200 }),
  exportAuditEvents: async () => ({ method: 'GET', url: '/api/v1/exports/audit-events', success: 200 }),
  exportSnapshot: async () => ({ method: 'GET', url: '/api/v1/exports/snapshot', success: 200 }),
  getDecisionHistory: async () => ({ method: 'GET', url: `/api/v1/decisions/${existingDecision.id}/history`, success: 200 }),
  listAuditCheckpoints: async () => ({ method: 'GET', url: '/api/v1/audit-checkpoints', success: 200 }),
  getLatestAuditCheckpoint: async () => {
    await createOrganisation(admin);
    await app.auditCheckpoints.issue();
    return { method: 'GET', url: '/api/v1/audit-checkpoints/latest', success: 200 };
  },
  getAuditCheckpointPublicKey: async () => ({ method: 'GET', url: '/api/v1/audit-checkpoints/public-key', success: 200 }),
  getAuditEventInclusionProof: async () => {
    await app.transparencyLog.run();
    return { method: 'GET', url: '/api/v1/audit-events/1/inclusion-proof', success: 200 };
  },
  getTlogConsistencyProof: async () => {
    await app.transparencyLog.run();
    return { method: 'GET', url: '/api/v1/tlog/consistency-proof?from=1&to=2', success: 200 };
  },
  getTlogStatus: async () => ({ method: 'GET', url: '/api/v1/tlog/status', success: 200 }),
  getDecisionEvidence: async () => {
    await app.transparencyLog.run();
    return { method: 'GET', url: `/api/v1/decisions/${existingDecision.id}/evidence`, success: 200 };
  },
  getOpenData360Giving: async () => ({ method: 'GET', url: '/api/v1/open-data/360giving.json', success: 200 }),
  getOpenDataVoteEvents: async () => ({ method: 'GET', url: '/api/v1/open-data/vote-events.json', success: 200 }),
  createWebhookSubscription: async () => ({
    method: 'POST',
    url: '/api/v1/webhook-subscriptions',
    body: { callbackUrl: receiver.url, eventTypes: ['vote.cast'], municipalityId: heerlen },
    success: 201,
  }),
  addDecisionDocuments: async () => {
    const draft = await createDecision(admin, wtmr);
    return {
      method: 'POST',
      url: `/api/v1/decisions/${draft.id}/documents`,
      body: { documents: [{ title: 'Notulen', url: 'https://example.org/notulen.pdf', kind: 'board_decision' }] },
      success: 200,
      unchanged: () => decisionUnchanged(draft),
    };
  },
  recordCollegeDecision: async () => {
    const pending = await createPendingDecision(admin, wtmr);
    return {
      method: 'POST',
      url: '/api/v1/college-decisions',
      // Heerlen's college decision, also when the college of Maastricht sends it: that must be refused.
      body: { municipalityId: heerlen, decidedOn: '2026-02-20', reference: `CB ${uniqueSuffix()}`, votes: [{ decisionId: pending.id, outcome: 'approve' }] },
      success: 201,
      unchanged: () => decisionUnchanged(pending),
    };
  },
  listCollegeDecisions: async () => ({ method: 'GET', url: '/api/v1/college-decisions', success: 200 }),
  getCollegeDecision: async () => ({ method: 'GET', url: `/api/v1/college-decisions/${await collegeDecision()}`, success: 200 }),
  listEvents: async () => ({ method: 'GET', url: '/api/v1/events?limit=5', success: 200 }),
  listEventTypes: async () => ({ method: 'GET', url: '/api/v1/event-types', success: 200 }),
  getEventTypeSchema: async () => ({ method: 'GET', url: '/api/v1/event-types/vote.cast/schema', success: 200 }),
  listWebhookSubscriptions: async () => ({ method: 'GET', url: '/api/v1/webhook-subscriptions', success: 200 }),
  getWebhookSubscription: async () => ({ method: 'GET', url: `/api/v1/webhook-subscriptions/${await subscription()}`, success: 200 }),
  deleteWebhookSubscription: async () => {
    const id = await subscription();
    return {
      method: 'DELETE',
      url: `/api/v1/webhook-subscriptions/${id}`,
      success: 204,
      unchanged: async () => {
        const now = JSON.parse((await admin.get(`/api/v1/webhook-subscriptions/${id}`)).body) as { active: boolean };
        return now.active ? undefined : 'the subscription was cancelled';
      },
    };
  },
  listWebhookDeliveries: async () => ({ method: 'GET', url: `/api/v1/webhook-subscriptions/${await subscription()}/deliveries`, success: 200 }),
  listStatuteRules: async () => ({ method: 'GET', url: '/api/v1/statute-rules', success: 200 }),
  getStatuteRule: async () => ({ method: 'GET', url: `/api/v1/statute-rules/${statuteRuleId}`, success: 200 }),
  createStatuteRule: async () => ({ method: 'POST', url: '/api/v1/statute-rules', body: nextRuleBody(), success: 201 }),
  recordFundContribution: async () => ({
    method: 'POST',
    url: '/api/v1/fund/contributions',
    body: { organisationId: heerlen, year: 2026, amountCents: 100_000, receivedOn: '2026-02-01', reference: 'Matrix contribution' },
    success: 201,
  }),
  listFundContributions: async () => ({ method: 'GET', url: '/api/v1/fund/contributions', success: 200 }),
  getFund: async () => ({ method: 'GET', url: '/api/v1/fund', success: 200 }),
  recordCoFinancing: async () => ({
    method: 'POST',
    url: `/api/v1/programmes/${wtmr}/co-financing`,
    body: { funderName: 'Regio Deal', kind: 'regio_deal', year: 2026, amountCents: 100_000, reference: 'Matrix co-financing' },
    success: 201,
  }),
  listCoFinancing: async () => ({ method: 'GET', url: `/api/v1/programmes/${wtmr}/co-financing`, success: 200 }),
  defineIndicator: async () => ({
    method: 'POST',
    url: `/api/v1/decisions/${existingDecision.id}/indicators`,
    body: { code: `M-${uniqueSuffix()}`, name: 'Placements', unit: 'placements', targets: [{ period: '2026', value: 60 }] },
    success: 201,
  }),
  reportIndicator: async () => ({
    method: 'POST',
    url: `/api/v1/decisions/${existingDecision.id}/indicators/${await indicatorOf(existingDecision.id)}/reports`,
    body: { period: '2026', value: 40, reportedOn: '2026-02-20' },
    success: 201,
  }),
  listIndicators: async () => ({ method: 'GET', url: `/api/v1/decisions/${existingDecision.id}/indicators`, success: 200 }),
  redeliverWebhook: async () => {
    const { id, deliveryId } = await subscriptionWithDelivery();
    return { method: 'POST', url: `/api/v1/webhook-subscriptions/${id}/deliveries/${deliveryId}/redeliver`, success: 200 };
  },
};

async function send(caller: Caller, cell: Cell, operationId?: string): Promise<LightMyRequestResponse> {
  const key = keys[caller];
  const res = await app.inject({
    method: cell.method,
    url: cell.url,
    headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    ...(cell.body !== undefined && { payload: cell.body as object }),
  });
  if (operationId !== undefined) coverage.record(operationId, res.statusCode);
  return res;
}

/** The newest audit seq: a denied request (or a read) must not add events. */
async function auditHead(): Promise<number> {
  const res = await admin.get('/api/v1/audit-events/verify');
  return (JSON.parse(res.body) as { count: number }).count;
}

t.test('the table has a row for every operation of the OpenAPI document, and no row for an operation that does not exist', async (t) => {
  const documented = operations.map((op) => op.operationId).sort();
  t.same(documented.filter((id) => ALLOWED[id] === undefined || CELLS[id] === undefined), [], 'operations missing from the table');
  t.same(Object.keys(ALLOWED).filter((id) => !documented.includes(id)), [], 'table rows for operations the document does not have');
});

const escalations: string[] = [];
const wrongfulDenials: string[] = [];
let cells = 0;

for (const operation of operations) {
  const allowed = ALLOWED[operation.operationId];
  const build = CELLS[operation.operationId];
  if (allowed === undefined || build === undefined) continue;
  await t.test(`${operation.method} ${operation.path} (${operation.operationId}) is allowed to ${allowed.join(', ')} only`, async (t) => {
    for (const caller of CALLERS) {
      cells++;
      const cell = await build();
      const before = await auditHead();
      const res = await send(caller, cell, operation.operationId);
      const where = `${caller} ${operation.method} ${cell.url}`;
      if (allowed.includes(caller)) {
        if (res.statusCode === 401 || res.statusCode === 403) wrongfulDenials.push(`${where} -> ${res.statusCode} ${res.body}`);
        t.equal(res.statusCode, cell.success, `${caller}: allowed, and the request succeeds`, { body: res.body.slice(0, 400) });
        if (operation.method === 'GET') t.equal(await auditHead(), before, `${caller}: a read writes no audit event`);
      } else {
        const expected = WITHOUT_VALID_KEY.includes(caller) ? 401 : 403;
        if (res.statusCode !== 401 && res.statusCode !== 403) escalations.push(`${where} -> ${res.statusCode} ${res.body.slice(0, 200)}`);
        t.equal(res.statusCode, expected, `${caller}: denied with ${expected}`, { body: res.body.slice(0, 400) });
        t.same(checkProblem(res), [], `${caller}: the denial is problem+json`);
        t.equal(await auditHead(), before, `${caller}: the denied request wrote no audit event`);
        if (cell.unchanged) t.equal(await cell.unchanged(), undefined, `${caller}: the denied request changed nothing`);
      }
    }
  });
}

t.test('GET /api/v1/openapi.json and the health endpoints need no key, whoever calls', async (t) => {
  for (const caller of CALLERS) {
    for (const url of ['/api/v1/openapi.json', '/health/live', '/health/ready']) {
      cells++;
      const res = await send(caller, { method: 'GET', url, success: 200 });
      if (res.statusCode !== 200) wrongfulDenials.push(`${caller} GET ${url} -> ${res.statusCode}`);
      t.equal(res.statusCode, 200, `${caller}: GET ${url}`);
    }
  }
});

t.test('a college key cannot vote for another municipality, in any letter case', async (t) => {
  const { maastricht, sittardGeleen } = world.municipalities;
  const variants: [string, string][] = [
    ['upper case', maastricht.toUpperCase()],
    ['mixed case', maastricht.replace(/[a-f]/g, (c, i: number) => (i % 2 ? c.toUpperCase() : c))],
    ['lower case', maastricht],
    ['upper case, a third municipality', sittardGeleen.toUpperCase()],
  ];
  for (const [label, municipalityId] of variants) {
    const pending = await createPendingDecision(admin, wtmr);
    const res = await ctx.as(world.keys.college).post(`/api/v1/decisions/${pending.id}/votes`, {
      municipalityId,
      outcome: 'reject',
      decidedOn: '2026-02-20',
    });
    if (res.statusCode !== 403) escalations.push(`college of Heerlen voting for ${municipalityId} (${label}) -> ${res.statusCode} ${res.body}`);
    t.equal(res.statusCode, 403, `Heerlen's college voting as ${label} ${municipalityId}: 403`, { body: res.body });
    t.equal(await decisionUnchanged(pending), undefined, `${label}: no vote was recorded and the decision is still pending`);
  }

  // And its own municipality in upper case is its own: UUIDs compare case-insensitively.
  const pending = await createPendingDecision(admin, wtmr);
  const own = await ctx.as(world.keys.college).post(`/api/v1/decisions/${pending.id}/votes`, {
    municipalityId: heerlen.toUpperCase(),
    outcome: 'approve',
    decidedOn: '2026-02-20',
  });
  t.equal(own.statusCode, 201, "Heerlen's college voting as HEERLEN (upper case): 201", { body: own.body });
  t.equal((JSON.parse(own.body) as { municipalityId?: string }).municipalityId, heerlen, 'the vote is stored under the lower-case id');
});

t.test('summary', async (t) => {
  t.comment(`${cells} cells checked (${operations.length} operations x ${CALLERS.length} callers, plus public endpoints)`);
  // Per operation: requests sent / answers other than 404 (every cell's resource exists).
  t.comment('per operation: requests/answers other than 404/successes (2xx, 304):');
  for (const line of coverage.lines(operations.map((op) => op.operationId))) t.comment(`  ${line}`);
  const documented = committedOperationIds();
  t.same(operationIdsOf(served), documented, 'the app serves the operations of the committed openapi/openapi.json');
  t.same(coverage.exercised(), documented, `the matrix exercised exactly the ${documented.length} operations of openapi/openapi.json`);
  t.same(coverage.only404(), [], 'no operation was answered only with 404');
  t.comment(`${escalations.length} escalations, ${wrongfulDenials.length} wrongful denials`);
  for (const line of escalations) t.comment(`escalation: ${line}`);
  for (const line of wrongfulDenials) t.comment(`wrongful denial: ${line}`);
  t.same(escalations, [], 'no escalation: every denied cell answered 401 or 403');
  t.same(wrongfulDenials, [], 'no wrongful denial: every allowed cell got past authorization');
});

