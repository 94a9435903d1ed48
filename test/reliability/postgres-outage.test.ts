import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import t from 'tap';
import { createPrivateCluster, privateClusterUnavailable } from '../helpers/private-cluster.js';
import { killIfRunning, startServer, waitUntilReady } from './support/crash-server.js';

/**
 * PostgreSQL going away under load, on a cluster of the test's own (never the shared server):
 * the real server takes writes from several connections, PostgreSQL is stopped with `-m
 * immediate` (a crash: connections cut, no checkpoint) and started again about 5 s later. While it
 * is down every answer that needs it is 503 problem+json with Retry-After, none is 500 and none
 * hangs beyond DB_CONNECT_TIMEOUT_MS + DB_STATEMENT_TIMEOUT_MS; /health/ready answers 503 and
 * /health/live 200. Within 5 s of its return the service answers normally, without a restart, and
 * afterwards every acknowledged write is there, none half applied, and the audit chain verifies.
 */
const ADMIN_API_KEY = `outage-admin-${randomBytes(14).toString('hex')}`;
const WRITERS = 6;
const CONNECT_TIMEOUT_MS = 2_000;
const STATEMENT_TIMEOUT_MS = 3_000;
/** The contract's bound on an answer while the database is away, plus slack for a busy machine. */
const HANG_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 2_000;
const DOWN_MS = 5_000;
/** The contract: the service answers normally again within 5 s of the database's return. */
const RECOVERY_MS = 5_000;

interface Answer {
  kind: 'create' | 'adopt' | 'ready' | 'live';
  started: number;
  ended: number;
  status?: number;
  retryAfter?: string | null;
  contentType?: string | null;
  body?: { id?: string; code?: string; status?: string; reference?: string };
  error?: string;
  reference?: string;
  decisionId?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ok = (a: Answer) => a.status !== undefined && a.status >= 200 && a.status < 300;

t.test('PostgreSQL stopped with -m immediate under writes and started again', { skip: privateClusterUnavailable() ?? false }, async (t) => {
  const cluster = await createPrivateCluster();
  t.teardown(() => cluster.destroy());
  const databaseUrl = await cluster.createDatabase('eszl_outage_test');
  const server = await startServer({
    DATABASE_URL: databaseUrl,
    ADMIN_API_KEY,
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'fatal',
    DB_POOL_SIZE: String(WRITERS + 2),
    DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    MAX_EVENT_LOOP_DELAY_MS: '0',
  });
  t.teardown(() => killIfRunning(server));
  await waitUntilReady(server, 90_000);

  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const send = async (kind: Answer['kind'], method: string, path: string, body?: unknown): Promise<Answer> => {
    const answer: Answer = { kind, started: now(), ended: 0 };
    try {
      const res = await fetch(`${server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_API_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(HANG_MS),
      });
      answer.status = res.status;
      answer.retryAfter = res.headers.get('retry-after');
      answer.contentType = res.headers.get('content-type');
      const text = await res.text();
      try {
        answer.body = JSON.parse(text) as Answer['body'];
      } catch {
        // not JSON
      }
    } catch (error) {
      answer.error = (error as Error).name === 'TimeoutError' ? 'hang' : String((error as Error & { cause?: { code?: string } }).cause?.code ?? error);
    }
    answer.ended = now();
    return answer;
  };

  const programme = await send('create', 'POST', '/api/v1/programmes', { code: `OUT-${randomBytes(3).toString('hex').toUpperCase()}`, name: 'Outage' });
  if (programme.status !== 201) throw new Error(`the programme was not created: ${programme.status} ${JSON.stringify(programme.body)}`);
  const programmeId = programme.body!.id!;

  const answers: Answer[] = [];
  const drafts: string[] = [];
  let running = true;
  const writer = async () => {
    while (running) {
      const adopting = drafts.length > 0 && Math.random() < 0.3;
      let answer: Answer;
      if (adopting) {
        const id = drafts.splice(Math.floor(Math.random() * drafts.length), 1)[0]!;
        answer = await send('adopt', 'POST', `/api/v1/decisions/${id}/adopt`);
        answer.decisionId = id;
        // A draft whose adoption got no answer may or may not be adopted: it is not tried again.
      } else {
        const reference = `OUT-${randomUUID()}`;
        answer = await send('create', 'POST', '/api/v1/decisions', {
          reference,
          title: 'Written while PostgreSQL comes and goes',
          boardMeetingDate: '2026-02-20',
          commitments: [{ programmeId, year: 2026, amountCents: 1_000_000 }],
          conditions: [{ description: 'Report on the results', dueDate: '2027-06-30' }],
        });
        answer.reference = reference;
        if (answer.status === 201) drafts.push(answer.body!.id!);
      }
      answers.push(answer);
      if (!ok(answer)) await sleep(100); // as a client honouring Retry-After would, a little
    }
  };
  const probe = async () => {
    while (running) {
      answers.push(await send('ready', 'GET', '/health/ready'), await send('live', 'GET', '/health/live'));
      await sleep(100);
    }
  };
  const workers = [...Array.from({ length: WRITERS }, writer), probe()];

  for (const deadline = now() + 30_000; answers.filter((a) => a.kind !== 'ready' && a.kind !== 'live' && ok(a)).length < 30; ) {
    if (now() > deadline) {
      running = false;
      await Promise.all(workers);
      throw new Error(`no 30 acknowledged writes before the outage: ${JSON.stringify(answers.slice(-3))}`);
    }
    await sleep(50);
  }
  const stopped = now();
  await cluster.stop('immediate');
  const down = now();
  await sleep(DOWN_MS);
  // PostgreSQL accepts connections before pg_ctl's wait for it ends: writes sent after this
  // moment may rightly be acknowledged, so only those answered before it count as "while down".
  const starting = now();
  await cluster.start();
  const back = now();
  await sleep(RECOVERY_MS + 3_000);
  running = false;
  await Promise.all(workers);

  const writes = answers.filter((a) => a.kind === 'create' || a.kind === 'adopt');
  const during = writes.filter((a) => a.started >= down && a.ended <= starting);
  const recovered = writes.find((a) => a.started >= back && ok(a));
  const recoveryMs = recovered === undefined ? Number.POSITIVE_INFINITY : recovered.ended - back;
  const readyAgain = answers.find((a) => a.kind === 'ready' && a.started >= back && a.status === 200);
  const count = (status: number) => writes.filter((a) => a.status === status).length;
  t.comment(
    `${writes.length} writes from ${WRITERS} connections: ${writes.filter(ok).length} acknowledged, ${count(503)} answered 503, ` +
      `${writes.filter((a) => a.status !== undefined && a.status >= 500 && a.status !== 503).length} other 5xx, ${writes.filter((a) => a.error !== undefined).length} without an answer; ` +
      `PostgreSQL stopped in ${(down - stopped).toFixed(0)} ms, down ${(back - down).toFixed(0)} ms (${during.length} writes, all answered within ` +
      `${Math.max(0, ...during.map((a) => a.ended - a.started)).toFixed(0)} ms); first acknowledged write ${recoveryMs.toFixed(0)} ms after its return, ` +
      `readiness 200 after ${readyAgain === undefined ? 'never' : (readyAgain.ended - back).toFixed(0)} ms`,
  );

  t.same(answers.filter((a) => a.status === 500 || (a.status !== undefined && a.status > 503)).map((a) => `${a.kind} ${a.status} ${JSON.stringify(a.body)}`), [], 'no answer is a 500');
  t.same(answers.filter((a) => a.error !== undefined).map((a) => `${a.kind} at ${a.started.toFixed(0)} ms: ${a.error}`), [], `every request was answered within ${HANG_MS} ms`);
  const unavailable = answers.filter((a) => a.status === 503);
  t.ok(during.length > 0, `writes were sent while PostgreSQL was down (${during.length})`);
  t.same(
    during.filter((a) => a.status !== 503).map((a) => `${a.kind} at ${a.started.toFixed(0)}-${a.ended.toFixed(0)} ms: ${a.status} ${JSON.stringify(a.body)}`),
    [],
    `every write while PostgreSQL was down answered 503 (${during.length})`,
  );
  t.same(
    unavailable.filter((a) => a.retryAfter !== '5' || !a.contentType?.startsWith('application/problem+json') || a.body?.code !== 'SERVICE_UNAVAILABLE').map((a) => a.kind),
    [],
    `every 503 is problem+json SERVICE_UNAVAILABLE with Retry-After (${unavailable.length})`,
  );
  t.ok(answers.some((a) => a.kind === 'ready' && a.started >= down && a.ended <= back && a.status === 503), '/health/ready answered 503 while it was down');
  t.same(answers.filter((a) => a.kind === 'live' && a.status !== 200).length, 0, '/health/live answered 200 throughout');
  t.ok(recoveryMs <= RECOVERY_MS, `a write was acknowledged ${recoveryMs.toFixed(0)} ms after PostgreSQL's return (at most ${RECOVERY_MS})`);
  t.same(
    answers.filter((a) => a.started >= back + RECOVERY_MS && !ok(a)).map((a) => `${a.kind} ${a.status ?? a.error}`),
    [],
    `everything sent ${RECOVERY_MS} ms after its return was answered normally, without a restart`,
  );

  // What the database holds, through the API of the same (never restarted) server.
  const get = async (path: string) => (await send('ready', 'GET', path)).body as Record<string, unknown>;
  const decisions: { id: string; reference: string; status: string; totalAmountCents: number; commitments: unknown[]; conditions: unknown[] }[] = [];
  for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
    const page = (await get(`/api/v1/decisions?limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)) as { items: typeof decisions; nextCursor: string | null };
    decisions.push(...page.items);
    cursor = page.nextCursor;
  }
  const byId = new Map(decisions.map((d) => [d.id, d]));
  const sent = new Set(writes.map((a) => a.reference).filter(Boolean));
  const lost = [
    ...writes.filter((a) => a.kind === 'create' && ok(a) && byId.get(a.body!.id!)?.reference !== a.reference).map((a) => `create ${a.reference}`),
    ...writes.filter((a) => a.kind === 'adopt' && ok(a) && byId.get(a.decisionId!)?.status !== 'adopted').map((a) => `adoption of ${a.decisionId}`),
  ];
  t.same(lost, [], `every acknowledged write is there (${writes.filter(ok).length})`);
  const halfWritten = decisions.filter((d) => !sent.has(d.reference) || d.commitments.length !== 1 || d.totalAmountCents !== 1_000_000 || d.conditions.length !== 1);
  t.same(halfWritten.map((d) => d.id), [], `none of the ${decisions.length} decisions is half written`);
  const verify = await get('/api/v1/audit-events/verify');
  t.equal(verify.valid, true, `the audit chain verifies (${String(verify.count)} events)`);
  const created = new Set<string>();
  for (let cursor: string | null = null, first = true; first || cursor !== null; first = false) {
    const page = (await get(`/api/v1/audit-events?resourceType=decision&limit=200${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)) as {
      items: { action: string; resourceId: string }[];
      nextCursor: string | null;
    };
    for (const event of page.items) if (event.action === 'decision.created') created.add(event.resourceId);
    cursor = page.nextCursor;
  }
  t.same([...created].sort(), [...byId.keys()].sort(), 'each decision has its decision.created event and each event its decision');
});
