import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { fixedClock } from '../../src/domain/clock.js';
import { startTestApp } from '../helpers/app.js';
import { seededRng } from '../helpers/concurrency.js';
import { checkResponse, truncate, ViolationLog, type CheckName } from './support/checks.js';
import { committedOperationIds, operationIdsOf, OperationCoverage } from './support/coverage.js';
import { RequestFactory, type FuzzPools, type FuzzRequest } from './support/fuzz-requests.js';
import { ALLOWED_WEBHOOK_HOST, ValueGenerator } from './support/generator.js';
import { fetchOpenApi, operationsOf, type Operation } from './support/openapi.js';
import { buildRegister, buildWorld, FIXED_NOW } from './support/world.js';
import { createKey } from '../helpers/factories.js';
import { dispatchOnce, RECEIVER_HOST, startReceiver, WEBHOOK_SIGNING_KEY } from './support/webhooks.js';

/**
 * Contract fuzzing (OWASP API Security Top 10 2023: API3, API4, API8, API10): every operation of
 * the OpenAPI document receives requests generated from its own schemas, valid ones and mutated
 * ones (wrong types, missing and extra fields, boundary numbers, huge and exotic strings,
 * impossible dates, SQL and JSON injection, broken JSON, wrong media types, hostile path, query
 * and header values, missing/unknown/revoked keys). Whatever arrives, the service must answer
 * below 500, with a status the document declares for that operation, and every error as
 * problem+json whose `status` is the HTTP status.
 *
 * FUZZ_REQUESTS (default 10000) sets the number of requests; FUZZ_SEED a seed (default fixed, so
 * CI is reproducible; `FUZZ_SEED=random` picks one and prints it). FUZZ_CONCURRENCY (default 8);
 * FUZZ_OPERATIONS a comma-separated list of operationIds to fuzz alone; FUZZ_DETAIL=1 prints the
 * statuses and time of every operation (otherwise one compact line of counts per few operations).
 */
const DEFAULT_SEED = 20_260_301;
const takesInput = (op: Operation) => op.parameters.length > 0 || op.body !== undefined;
const REQUESTS = Math.max(1, Number(process.env.FUZZ_REQUESTS ?? 10_000));
const CONCURRENCY = Math.max(1, Number(process.env.FUZZ_CONCURRENCY ?? 8));
const seedText = process.env.FUZZ_SEED?.trim();
const SEED =
  seedText === undefined || seedText === ''
    ? DEFAULT_SEED
    : seedText === 'random'
      ? Math.floor(Math.random() * 2 ** 31)
      : Number(seedText);
if (!Number.isSafeInteger(SEED)) throw new Error(`FUZZ_SEED must be an integer or "random", got ${seedText}`);

t.comment(`fuzz seed ${SEED}, ${REQUESTS} requests, concurrency ${CONCURRENCY} (reproduce: FUZZ_SEED=${SEED} FUZZ_REQUESTS=${REQUESTS})`);

// Everything runs inside one subtest: tap ends an idle root test that has teardowns early.
await t.test(`contract fuzzing, seed ${SEED}`, async (t) => {
  const WEBHOOK_HOSTS = [ALLOWED_WEBHOOK_HOST, RECEIVER_HOST];
  const receiver = await startReceiver(t);
  const ctx = await startTestApp(t, {
    clock: fixedClock(FIXED_NOW),
    // No 429 from the rate limit and no 503 from load shedding: the handlers are under test.
    env: {
      RATE_LIMIT_PER_MINUTE: '0',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      LOG_LEVEL: 'warn',
      // Subscriptions to the allowed test hosts need no DNS; no dispatcher runs under inject.
      WEBHOOK_SIGNING_KEY,
      WEBHOOK_ALLOWED_HOSTS: WEBHOOK_HOSTS.join(','),
    },
  });
  const { app, admin } = ctx;
  const doc = await fetchOpenApi(app);
  // FUZZ_OPERATIONS=castVote,listDecisions focuses a run on some operations (to reproduce a finding).
  const only = (process.env.FUZZ_OPERATIONS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const allOperations = operationsOf(doc);
  const operations = only.length > 0 ? allOperations.filter((op) => only.includes(op.operationId)) : allOperations;
  if (operations.length === 0) throw new Error(`FUZZ_OPERATIONS matches no operation: ${only.join(', ')}`);

  // Fixtures, sized with the run: drafts and pending decisions are consumed by adopt/withdraw/votes.
  const world = await buildWorld(ctx);
  // A signed checkpoint, so that the latest checkpoint can be read.
  await ctx.app.auditCheckpoints.issue();
  const scale = (min: number, per: number) => Math.max(min, Math.round(REQUESTS / per));
  // Webhook subscriptions first, so that the decisions below leave deliveries in their logs.
  const subscriptions: string[] = [];
  if (allOperations.some((op) => op.operationId === 'createWebhookSubscription')) {
    for (const eventTypes of [['decision.adopted', 'vote.cast'], ['decision.adopted', 'condition.fulfilled']]) {
      const res = await admin.post('/api/v1/webhook-subscriptions', { callbackUrl: receiver.url, eventTypes });
      if (res.statusCode !== 201) throw new Error(`webhook subscription: ${res.statusCode} ${res.body}`);
      subscriptions.push((JSON.parse(res.body) as { id: string }).id);
    }
  }
  // Drafts, pending and binding decisions are consumed by adopt/withdraw/votes and settlements.
  const register = await buildRegister(ctx, world, { drafts: scale(8, 400), pending: scale(6, 800), binding: scale(8, 500) });
  const { decisions } = register;
  // The transparency log's checkpoint of all of it, so that proofs and evidence have one to be against.
  await ctx.app.transparencyLog.run();
  const sacrificialKeys: string[] = [];
  for (let i = 0; i < scale(6, 500); i++) sacrificialKeys.push((await createKey(admin, i % 2 ? 'reader' : 'auditor')).id);

  if (subscriptions.length > 0) await dispatchOnce(ctx.db.database, WEBHOOK_HOSTS);
  const deliveries: { parentId: string; id: string }[] = [];
  for (const subscriptionId of subscriptions) {
    const res = await admin.get(`/api/v1/webhook-subscriptions/${subscriptionId}/deliveries?limit=20`);
    for (const item of (JSON.parse(res.body) as { items: { id: string }[] }).items) deliveries.push({ parentId: subscriptionId, id: item.id });
  }

  const etags = new Map<string, string>();
  for (const url of [
    ...world.organisations.map((id) => `/api/v1/organisations/${id}`),
    ...world.programmes.map((id) => `/api/v1/programmes/${id}`),
    ...decisions.map((d) => `/api/v1/decisions/${d.id}`),
  ]) {
    const res = await admin.get(url);
    if (res.statusCode === 200 && typeof res.headers.etag === 'string') etags.set(url, res.headers.etag);
  }

  // The catalogue's event types, for their schemas (the path names a type, not an id).
  const eventTypes = (JSON.parse((await admin.get('/api/v1/event-types')).body) as { items: { type: string }[] }).items.map((item) => item.type);
  t.ok(eventTypes.length > 0, 'the event type catalogue lists types');

  const pools: FuzzPools = {
    pathIds: {
      organisations: world.organisations,
      programmes: world.programmes,
      decisions: decisions.map((d) => d.id),
      // Never the keys the fuzzer authenticates with: revoking those would end the run in 401s.
      'api-keys': sacrificialKeys,
      // The first subscription stays active (never DELETEd), so its deliveries can be redelivered.
      'webhook-subscriptions': subscriptions.slice(1),
      'college-decisions': register.collegeDecisions,
      'statute-rules': register.statuteRules,
    },
    // Payments, settlements and amendments go to binding decisions mostly (else a 409 at best).
    pathIdsByOperation: Object.fromEntries(
      ['recordDisbursement', 'settleDecision', 'createAmendment'].map((operationId) => [operationId, register.bindingDecisionIds]),
    ),
    children: {
      conditionId: register.conditions,
      deliveryId: deliveries,
      indicatorId: register.indicators,
      // Audit events by seq, for their inclusion proofs (the path has no parent id).
      seq: [1, 2, 3].map((seq) => ({ parentId: '', id: String(seq) })),
      type: eventTypes.map((type) => ({ parentId: '', id: type })),
    },
    bodyIds: { commitmentId: register.commitments },
    etags,
    queryValuesByOperation: { getTlogConsistencyProof: { from: [0, 1, 2], to: [2, 3] }, getAuditEventInclusionProof: { treeSize: [3, 4] } },
    keys: {
      admin: world.keys.admin,
      secretariat: world.keys.secretariat,
      college: world.keys.college,
      auditor: world.keys.auditor,
      reader: world.keys.reader,
      revoked: world.keys.revoked,
    },
  };

  const rng = seededRng(SEED);
  const generator = new ValueGenerator(rng, SEED, {
    organisations: world.organisations,
    centreMunicipalities: world.centreMunicipalityIds,
    programmes: world.programmes,
    decisions: pools.pathIds.decisions!,
  });
  const factory = new RequestFactory(generator, pools);

  function describe(request: FuzzRequest, res: LightMyRequestResponse): string {
    const headers = Object.entries(request.headers)
      .filter(([name]) => name !== 'authorization')
      .map(([name, value]) => `${name}: ${truncate(value, 60)}`);
    const logged = res.statusCode >= 500 ? serverLogFor(String(res.headers['x-request-id'] ?? '')) : '';
    return [
      `${request.method} ${truncate(request.url, 200)} [auth ${request.auth}] [${request.mutations.join('; ') || 'valid'}]`,
      headers.length > 0 ? `headers ${headers.join(', ')}` : '',
      request.payload !== undefined ? `body ${truncate(request.payload, 240)}` : '',
      `-> ${res.statusCode} ${String(res.headers['content-type'] ?? '')} ${truncate(res.body, 240)}`,
      logged,
    ]
      .filter(Boolean)
      .join('\n      ');
  }

  /** The error the app logged for a request id: the cause behind a 500 (for a failed query, the database's message). */
  function serverLogFor(requestId: string): string {
    const line = ctx.logLines.find((l) => l.includes(requestId) && /"level":(50|60)/.test(l));
    if (line === undefined) return 'nothing logged';
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: { type?: string; message?: string } };
      const message = entry.err?.message ?? '';
      const cause = message.startsWith('Failed query') ? `query failed: ${message.split(': ').at(-1) ?? ''}` : message;
      return `log: ${entry.msg ?? ''} ${entry.err?.type ?? ''} ${truncate(cause, 160)}`;
    } catch {
      return `log: ${truncate(line, 240)}`;
    }
  }

  const statusCounts = new Map<number, number>();
  const perOperation = new Map<string, Map<number, number>>();
  const coverage = new OperationCoverage();
  const violations = new ViolationLog();
  let valid = 0;
  let slowest = { ms: 0, what: '' };
  const timeByOperation = new Map<string, number>();
  const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

  const started = Date.now();
  let order: typeof operations = [];
  for (let sent = 0; sent < REQUESTS; ) {
    const batch: FuzzRequest[] = [];
    while (batch.length < CONCURRENCY && sent + batch.length < REQUESTS) {
      // Every operation three times per round, in a seeded order; one that takes no input at all
      // (the audit verification and exports, whose cost grows with the trail) once.
      if (order.length === 0) order = rng.shuffle(operations.flatMap((op) => Array<Operation>(takesInput(op) ? 3 : 1).fill(op)));
      batch.push(factory.build(order.pop()!));
    }
    const responses = await Promise.all(
      batch.map(async (request) => {
        const begin = performance.now();
        const res = await app.inject({
          method: request.method as 'GET',
          url: request.url,
          headers: request.headers,
          ...(request.payload !== undefined && { payload: request.payload }),
        });
        return { res, ms: performance.now() - begin };
      }),
    );
    batch.forEach((request, i) => {
      const { res, ms } = responses[i]!;
      if (request.mutations.length === 0) valid++;
      bump(statusCounts, res.statusCode);
      const byStatus = perOperation.get(request.operation.operationId) ?? new Map<number, number>();
      bump(byStatus, res.statusCode);
      perOperation.set(request.operation.operationId, byStatus);
      coverage.record(request.operation.operationId, res.statusCode);
      if (ms > slowest.ms) slowest = { ms, what: `${request.method} ${truncate(request.url, 100)} [${request.mutations.join('; ') || 'valid'}] -> ${res.statusCode}` };
      timeByOperation.set(request.operation.operationId, (timeByOperation.get(request.operation.operationId) ?? 0) + ms);
      for (const violation of checkResponse(request.operation, res)) {
        // 5xx are grouped by the error the app logged, so each distinct cause shows up once.
        const message =
          violation.check === 'server-error' ? `${violation.message}; ${serverLogFor(String(res.headers['x-request-id'] ?? ''))}` : violation.message;
        violations.add(violation.check, res.statusCode, message, request.operation.operationId, () => describe(request, res));
      }
    });
    sent += batch.length;
  }
  const seconds = (Date.now() - started) / 1000;

  const sortedStatuses = [...statusCounts].sort(([a], [b]) => a - b);
  t.comment(`fixtures: ${decisions.length} decisions, ${sacrificialKeys.length} revocable keys, ${subscriptions.length} webhook subscriptions with ${deliveries.length} deliveries`);
  t.comment(`${REQUESTS} requests (${valid} valid, ${REQUESTS - valid} mutated) in ${seconds.toFixed(1)} s on ${ctx.db.url ? 'PostgreSQL' : 'PGlite'}`);
  t.comment(`responses per status: ${sortedStatuses.map(([status, n]) => `${status}: ${n}`).join(', ')}`);
  t.comment('per operation: requests/answers other than 404/successes (2xx, 304):');
  for (const line of coverage.lines(operations.map((op) => op.operationId))) t.comment(`  ${line}`);
  if (process.env.FUZZ_DETAIL === '1') {
    for (const operation of operations) {
      const byStatus = [...(perOperation.get(operation.operationId) ?? new Map<number, number>())].sort(([a], [b]) => a - b);
      const ms = timeByOperation.get(operation.operationId) ?? 0;
      t.comment(
        `  ${operation.method} ${operation.path} (${operation.operationId}): ${byStatus.map(([s, n]) => `${s}x${n}`).join(' ')} [${(ms / 1000).toFixed(1)} s]`,
      );
    }
  }
  t.comment(`slowest request: ${slowest.ms.toFixed(0)} ms ${slowest.what}`);

  // Coverage: exactly the operations of the committed document (or of FUZZ_OPERATIONS when focused).
  const documented = committedOperationIds();
  t.same(operationIdsOf(doc), documented, 'the app serves the operations of the committed openapi/openapi.json');
  const expected = only.length > 0 ? operations.map((op) => op.operationId).sort() : documented;
  t.same(coverage.exercised(), expected, `the fuzzer exercised exactly the ${expected.length} operations of ${only.length > 0 ? 'FUZZ_OPERATIONS' : 'openapi/openapi.json'}`);
  t.same(coverage.only404(), [], 'no operation was answered only with 404');
  // A 2xx, 304, 409 or 412 can only come from the handler: the generated requests get past auth and validation.
  const unreached = operations.filter((op) => ![...(perOperation.get(op.operationId)?.keys() ?? [])].some((s) => s < 400 || s === 409 || s === 412));
  t.same(unreached.map((op) => op.operationId), [], 'every operation had requests that reached its handler (2xx, 304, 409 or 412)');

  const CHECKS: [CheckName, string][] = [
    ['server-error', 'no response >= 500'],
    ['undeclared-status', 'every status is declared for its operation in the OpenAPI document'],
    ['problem-content-type', 'every error is application/problem+json'],
    ['problem-body', 'every problem has type, title, status, detail and code'],
    ['problem-status-mismatch', "every problem's status equals the HTTP status"],
    ['leak', 'no error body leaks stack traces, source paths or SQL'],
    ['success-content-type', 'every success has the media type the document declares'],
    ['missing-headers', 'every response carries API-Version and X-Request-Id'],
  ];
  for (const [check, description] of CHECKS) {
    // Each line: how often, the check, status and message, the operations, and one example request.
    t.same(violations.lines(check), [], `${description} (seed ${SEED}, ${violations.countFor(check)} responses)`);
  }

  // After the storm the service is whole: the audit chain still verifies and the database is ready.
  const verdict = await admin.get('/api/v1/audit-events/verify');
  t.equal(verdict.statusCode, 200, 'the audit trail can still be verified');
  t.match(JSON.parse(verdict.body), { valid: true, firstInvalidSeq: null }, 'the audit hash chain is intact after the fuzzing');
  const ready = await app.inject({ method: 'GET', url: '/health/ready' });
  t.equal(ready.statusCode, 200, 'the service is still ready');
});
