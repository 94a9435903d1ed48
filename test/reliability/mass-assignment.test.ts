import t from 'tap';
import { fixedClock } from '../../src/domain/clock.js';
import { startTestApp } from '../helpers/app.js';
import { createOrganisation, createProgramme } from '../helpers/factories.js';
import { checkProblem } from './support/checks.js';
import { fetchOpenApi, operationsOf } from './support/openapi.js';
import { BOARD_MEETING, buildWorld, createAdoptedDecision, createDecision, createPendingDecision, FIXED_NOW, uniqueSuffix } from './support/world.js';
import { RECEIVER_HOST, WEBHOOK_SIGNING_KEY } from './support/webhooks.js';

/**
 * Mass assignment (OWASP API3:2023, broken object property level authorization): server-owned
 * properties sent in a create or update body are refused with 400 naming the unknown property,
 * and nothing of them is ever applied, which is verified by reading the resource back and by the
 * audit trail, which a refused request must leave untouched. Run as admin, so authorization is
 * not what stops them.
 */
const ctx = await startTestApp(t, {
  clock: fixedClock(FIXED_NOW),
  env: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn', WEBHOOK_SIGNING_KEY, WEBHOOK_ALLOWED_HOSTS: RECEIVER_HOST },
});
const { admin } = ctx;
const world = await buildWorld(ctx);
const [wtmr] = world.programmes as [string];
const { heerlen } = world.municipalities;
const operationIds = new Set(operationsOf(await fetchOpenApi(ctx.app)).map((op) => op.operationId));

const ATTACKER_ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
/** Server-owned properties with the values an attacker would like them to have. */
const SERVER_OWNED: Record<string, unknown> = {
  status: 'ratified',
  id: ATTACKER_ID,
  ratification: { required: false, thresholdCents: 0, requiredMunicipalityIds: [], votes: [] },
  totalAmountCents: 1,
  createdAt: '2000-01-01T00:00:00Z',
  updatedAt: '2000-01-01T00:00:00Z',
  adoptedAt: '2000-01-01T00:00:00Z',
  requiredMunicipalityIds: [],
  key: 'eszl_chosen-by-the-attacker',
  keyHash: '0'.repeat(64),
};

interface Target {
  /** Where to send the body. */
  url: string;
  method: 'POST' | 'PATCH';
  /** A valid body: accepted as it is (checked first). */
  body: Record<string, unknown>;
  success: number;
  /** The resource as it stands, to compare before and after (for an update). */
  read?: () => Promise<unknown>;
  /** Extra server-owned properties of this resource. */
  extra?: Record<string, unknown>;
}

const get = async (url: string) => JSON.parse((await admin.get(url)).body) as unknown;

/** Statute rules created here take effect a day apart, far after every board meeting. */
let ruleDay = Date.UTC(2031, 0, 1);
const monitored = await createAdoptedDecision(admin, wtmr);
const placements = (
  JSON.parse(
    (await admin.post(`/api/v1/decisions/${monitored.id}/indicators`, { code: 'PLACEMENTS', name: 'Placements', unit: 'placements', targets: [{ period: '2026', value: 60 }] })).body,
  ) as { id: string }
).id;

const TARGETS: Record<string, () => Promise<Target>> = {
  createApiKey: async () => ({
    method: 'POST',
    url: '/api/v1/api-keys',
    body: { name: `mass ${uniqueSuffix()}`, role: 'reader' },
    success: 201,
    extra: { revokedAt: null },
  }),
  createOrganisation: async () => ({ method: 'POST', url: '/api/v1/organisations', body: { name: `Mass ${uniqueSuffix()}`, kind: 'applicant' }, success: 201 }),
  updateOrganisation: async () => {
    const organisation = await createOrganisation(admin, { kind: 'employer' });
    const url = `/api/v1/organisations/${organisation.id}`;
    return { method: 'PATCH', url, body: { name: `Renamed ${uniqueSuffix()}` }, success: 200, read: () => get(url) };
  },
  createProgramme: async () => ({ method: 'POST', url: '/api/v1/programmes', body: { code: `MA-${uniqueSuffix()}`, name: 'Mass programme' }, success: 201 }),
  updateProgramme: async () => {
    const programme = await createProgramme(admin, { code: `MU-${uniqueSuffix()}` });
    const url = `/api/v1/programmes/${programme.id}`;
    return { method: 'PATCH', url, body: { name: 'Renamed' }, success: 200, read: () => get(url) };
  },
  createDecision: async () => ({
    method: 'POST',
    url: '/api/v1/decisions',
    body: {
      reference: `MASS-${uniqueSuffix()}`,
      title: 'Mass assignment',
      boardMeetingDate: '2026-02-10',
      commitments: [{ programmeId: wtmr, year: 2026, amountCents: 20_000_000 }],
    },
    success: 201,
    extra: { withdrawnAt: null, withdrawalReason: null, votes: [] },
  }),
  updateDecision: async () => {
    const draft = await createDecision(admin, wtmr, { amountCents: 20_000_000 });
    const url = `/api/v1/decisions/${draft.id}`;
    return { method: 'PATCH', url, body: { title: 'Edited' }, success: 200, read: () => get(url), extra: { withdrawnAt: null, votes: [] } };
  },
  adoptDecision: async () => {
    const draft = await createDecision(admin, wtmr);
    const url = `/api/v1/decisions/${draft.id}`;
    return {
      method: 'POST',
      url: `${url}/adopt`,
      body: { adoptedOn: BOARD_MEETING },
      success: 200,
      read: () => get(url),
      extra: { fundCoverage: { uncommittedCentsBefore: 1, sufficient: true }, ratificationDueDate: '2000-01-01' },
    };
  },
  withdrawDecision: async () => {
    const draft = await createDecision(admin, wtmr);
    const url = `/api/v1/decisions/${draft.id}`;
    return { method: 'POST', url: `${url}/withdraw`, body: { reason: 'Mass assignment' }, success: 200, read: () => get(url) };
  },
  fulfilCondition: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr, 1);
    const url = `/api/v1/decisions/${adopted.id}`;
    return {
      method: 'POST',
      url: `${url}/conditions/${adopted.conditions[0]!.id}/fulfil`,
      body: { fulfilledOn: '2026-02-20', evidence: 'Criteria received' },
      success: 200,
      read: () => get(url),
    };
  },
  castVote: async () => {
    const pending = await createPendingDecision(admin, wtmr);
    const url = `/api/v1/decisions/${pending.id}`;
    return {
      method: 'POST',
      url: `${url}/votes`,
      body: { municipalityId: heerlen, outcome: 'approve', decidedOn: '2026-02-20' },
      success: 201,
      read: () => get(url),
      extra: { decisionId: ATTACKER_ID, castAt: '2000-01-01T00:00:00Z' },
    };
  },
  createStatuteRule: async () => {
    ruleDay += 86_400_000;
    return {
      method: 'POST',
      url: '/api/v1/statute-rules',
      body: { effectiveFrom: new Date(ruleDay).toISOString().slice(0, 10), thresholdCents: 10_000_000, splitting: { scope: 'none', action: 'flag' }, reference: 'Mass rule' },
      success: 201,
      read: () => get('/api/v1/statute-rules?limit=200'),
      extra: { version: 1 },
    };
  },
  recordFundContribution: async () => ({
    method: 'POST',
    url: '/api/v1/fund/contributions',
    body: { organisationId: heerlen, year: 2026, amountCents: 100, receivedOn: '2026-02-01', reference: 'Mass contribution' },
    success: 201,
    read: () => get('/api/v1/fund'),
  }),
  recordCoFinancing: async () => ({
    method: 'POST',
    url: `/api/v1/programmes/${wtmr}/co-financing`,
    body: { funderName: 'Regio Deal', kind: 'regio_deal', year: 2026, amountCents: 100, reference: 'Mass co-financing' },
    success: 201,
    read: () => get(`/api/v1/programmes/${wtmr}/co-financing?limit=200`),
    extra: { programmeId: ATTACKER_ID },
  }),
  defineIndicator: async () => {
    const url = `/api/v1/decisions/${monitored.id}/indicators`;
    return {
      method: 'POST',
      url,
      body: { code: `M-${uniqueSuffix()}`, name: 'Placements', unit: 'placements', targets: [{ period: '2026', value: 60 }] },
      success: 201,
      read: () => get(`${url}?limit=200`),
      extra: { decisionId: ATTACKER_ID, reports: [], progress: [] },
    };
  },
  reportIndicator: async () => {
    const url = `/api/v1/decisions/${monitored.id}/indicators`;
    return {
      method: 'POST',
      url: `${url}/${placements}/reports`,
      body: { period: '2026', value: 40, reportedOn: '2026-02-20' },
      success: 201,
      read: () => get(`${url}?limit=200`),
    };
  },
  addCondition: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    const url = `/api/v1/decisions/${adopted.id}`;
    return {
      method: 'POST',
      url: `${url}/conditions`,
      body: { description: 'Monitoringsrapportage', dueDate: '2026-06-30' },
      success: 201,
      read: () => get(url),
      extra: { fulfilledOn: '2026-01-01', fulfilledLate: true, documents: [] },
    };
  },
  recordDisbursement: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    const url = `/api/v1/decisions/${adopted.id}`;
    const commitmentId = (adopted.commitments as { id: string }[])[0]!.id;
    return {
      method: 'POST',
      url: `${url}/disbursements`,
      body: { commitmentId, amountCents: 1_000, paidOn: '2026-03-01', reference: 'BET-MASS' },
      success: 201,
      read: () => get(url),
      extra: { decisionId: ATTACKER_ID, disbursedCents: 0 },
    };
  },
  createAmendment: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    return {
      method: 'POST',
      url: `/api/v1/decisions/${adopted.id}/amendments`,
      body: { reference: `MASS-${uniqueSuffix()}`, title: 'Wijziging', boardMeetingDate: '2026-02-10', commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000_000 }] },
      success: 201,
      read: () => get(`/api/v1/decisions/${adopted.id}`),
      extra: { amends: ATTACKER_ID, supersededAt: '2000-01-01T00:00:00Z' },
    };
  },
  settleDecision: async () => {
    const adopted = await createAdoptedDecision(admin, wtmr);
    const url = `/api/v1/decisions/${adopted.id}`;
    const commitmentId = (adopted.commitments as { id: string }[])[0]!.id;
    return {
      method: 'POST',
      url: `${url}/settle`,
      body: { settledOn: '2026-03-01', reference: 'VS-MASS', finalAmounts: [{ commitmentId, amountCents: 1_000 }] },
      success: 200,
      read: () => get(url),
      extra: { settledAt: '2000-01-01T00:00:00Z', settlement: null },
    };
  },
  createWebhookSubscription: async () => ({
    method: 'POST',
    url: '/api/v1/webhook-subscriptions',
    body: { callbackUrl: `http://${RECEIVER_HOST}:9/hook`, eventTypes: ['vote.cast'] },
    success: 201,
    extra: { active: false, secret: 'chosen', failingSince: null },
  }),
  addDecisionDocuments: async () => {
    const draft = await createDecision(admin, wtmr);
    const url = `/api/v1/decisions/${draft.id}`;
    return {
      method: 'POST',
      url: `${url}/documents`,
      body: { documents: [{ title: 'Notulen', url: 'https://eszl.example/notulen.pdf', kind: 'board_decision' }] },
      success: 200,
      read: () => get(url),
      extra: { relatedDecisions: [], amends: ATTACKER_ID },
    };
  },
  recordCollegeDecision: async () => {
    const pending = await createPendingDecision(admin, wtmr);
    const url = `/api/v1/decisions/${pending.id}`;
    return {
      method: 'POST',
      url: '/api/v1/college-decisions',
      body: { municipalityId: heerlen, decidedOn: '2026-02-20', reference: `CB ${uniqueSuffix()}`, votes: [{ decisionId: pending.id, outcome: 'approve' }] },
      success: 201,
      read: () => get(url),
      extra: { collegeDecisionId: ATTACKER_ID, castAt: '2000-01-01T00:00:00Z' },
    };
  },
};

async function auditCount(): Promise<number> {
  return (JSON.parse((await admin.get('/api/v1/audit-events/verify')).body) as { count: number }).count;
}

t.test('every operation with a request body is covered', async (t) => {
  const withBody = operationsOf(await fetchOpenApi(ctx.app))
    .filter((op) => op.body !== undefined)
    .map((op) => op.operationId);
  t.same(withBody.filter((id) => TARGETS[id] === undefined), [], 'operations with a body that this test does not try');
});

for (const [operationId, prepare] of Object.entries(TARGETS)) {
  if (!operationIds.has(operationId)) continue;
  await t.test(`${operationId} refuses server-owned properties and applies none of them`, async (t) => {
    const control = await prepare();
    const ok = await admin[control.method === 'POST' ? 'post' : 'patch'](control.url, control.body);
    t.equal(ok.statusCode, control.success, 'control: the body without extra properties is accepted', { body: ok.body.slice(0, 300) });

    for (const [property, value] of Object.entries({ ...SERVER_OWNED, ...control.extra })) {
      const target = await prepare();
      const before = await target.read?.();
      const events = await auditCount();
      const res = await admin[target.method === 'POST' ? 'post' : 'patch'](target.url, { ...target.body, [property]: value });
      t.equal(res.statusCode, 400, `${property}: 400`, { body: res.body.slice(0, 300) });
      t.same(checkProblem(res), [], `${property}: problem+json`);
      const problem = JSON.parse(res.body) as { code?: string; errors?: { path: string; message: string }[] };
      t.equal(problem.code, 'VALIDATION_FAILED', `${property}: code VALIDATION_FAILED`);
      t.ok(
        problem.errors?.some((e) => e.path === `/${property}` && /known property|additional/i.test(e.message)),
        `${property}: errors names /${property} as an unknown property`,
        { errors: problem.errors },
      );
      t.equal(await auditCount(), events, `${property}: nothing was recorded`);
      if (target.read) t.same(await target.read(), before, `${property}: the resource reads back unchanged`);
      if (property === 'id') {
        for (const collection of ['organisations', 'programmes', 'decisions']) {
          t.equal((await admin.get(`/api/v1/${collection}/${ATTACKER_ID}`)).statusCode, 404, `id: no ${collection} with the chosen id exists`);
        }
      }
    }
  });
}

t.test('nested server-owned properties of commitments and conditions are refused too', async (t) => {
  const body = (commitment: Record<string, unknown>, condition: Record<string, unknown>) => ({
    reference: `NEST-${uniqueSuffix()}`,
    title: 'Nested',
    boardMeetingDate: '2026-02-10',
    commitments: [{ programmeId: wtmr, year: 2026, amountCents: 1_000_000, ...commitment }],
    conditions: [{ description: 'Criteria', dueDate: '2026-06-30', ...condition }],
  });
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['/commitments/0/id', { id: ATTACKER_ID }, {}],
    ['/commitments/0/decisionId', { decisionId: ATTACKER_ID }, {}],
    ['/conditions/0/status', {}, { status: 'fulfilled' }],
    ['/conditions/0/fulfilledOn', {}, { fulfilledOn: '2026-01-01' }],
    ['/conditions/0/id', {}, { id: ATTACKER_ID }],
  ];
  const draft = await createDecision(admin, wtmr, { conditions: 1 });
  for (const [path, commitment, condition] of cases) {
    const events = await auditCount();
    const created = await admin.post('/api/v1/decisions', body(commitment, condition));
    t.equal(created.statusCode, 400, `create with ${path}: 400`, { body: created.body.slice(0, 300) });
    t.ok((JSON.parse(created.body) as { errors?: { path: string }[] }).errors?.some((e) => e.path === path), `create: errors names ${path}`);
    const before = await get(`/api/v1/decisions/${draft.id}`);
    const { reference: _reference, ...patch } = body(commitment, condition);
    const patched = await admin.patch(`/api/v1/decisions/${draft.id}`, patch);
    t.equal(patched.statusCode, 400, `patch with ${path}: 400`, { body: patched.body.slice(0, 300) });
    t.same(await get(`/api/v1/decisions/${draft.id}`), before, `patch with ${path}: the draft reads back unchanged`);
    t.equal(await auditCount(), events, `${path}: nothing was recorded`);
  }
});

t.test('a __proto__ or constructor.prototype in the body changes nothing', async (t) => {
  const draft = await createDecision(admin, wtmr);
  const before = await get(`/api/v1/decisions/${draft.id}`);
  for (const payload of [
    '{"title":"x","__proto__":{"status":"ratified"}}',
    '{"title":"x","constructor":{"prototype":{"status":"ratified"}}}',
  ]) {
    const res = await ctx.app.inject({
      method: 'PATCH',
      url: `/api/v1/decisions/${draft.id}`,
      headers: { authorization: `Bearer ${world.keys.admin}`, 'content-type': 'application/json' },
      payload,
    });
    t.equal(res.statusCode, 400, `${payload}: 400`, { body: res.body });
    t.same(checkProblem(res), [], `${payload}: problem+json`);
  }
  t.same(await get(`/api/v1/decisions/${draft.id}`), before, 'the draft reads back unchanged');
  t.equal(({} as Record<string, unknown>).status, undefined, 'Object.prototype was not polluted');
});
