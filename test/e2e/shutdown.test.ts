import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import t from 'tap';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.js';
import {
  baseEnv,
  freePort,
  hasExited,
  killGroup,
  serverDatabase,
  start,
  tempDataDir,
  waitUntilReady,
  within,
} from '../helpers/server-process.js';

/**
 * Graceful shutdown: SIGTERM lets a request that is still being received finish (it is answered
 * 201 and its change is made), answers waiting readers of the event feed at once, refuses new
 * work, and the process then exits with code 0.
 * The server runs as a child process from the TypeScript sources (`node --import tsx`).
 */
const ADMIN_API_KEY = `e2e-admin-${randomBytes(15).toString('hex')}`; // 40 characters

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One request over a connection of its own (no pooling), so "new connection" means what it says. */
function freshRequest(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

t.test('SIGTERM during a slow request lets it finish, refuses new connections, then exits 0', async (t) => {
  const dataDir = await tempDataDir(t, 'eszl-shutdown-');
  const database = await serverDatabase(t);
  if (database !== undefined) {
    // Only the server uses this database: close the test's own pool now; close() at the end only drops it.
    await database.database.close();
    database.database.close = async () => {};
  }

  const port = await freePort();
  // A process group of its own, so teardown can stop it and anything it started.
  const server = start({
    ...baseEnv(),
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_API_KEY,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    ...(database?.url !== undefined && { DATABASE_URL: database.url }),
  });
  t.teardown(() => {
    if (!hasExited(server)) killGroup(server);
  });

  await waitUntilReady(server, async () => (await freshRequest(port, 'GET', '/health/ready', {})).status === 200, 60_000);
  const authorization = `Bearer ${ADMIN_API_KEY}`;

  // A slow client: the body arrives in two halves, a second apart, with SIGTERM in between.
  const name = `Gemeente Langzaam ${randomBytes(3).toString('hex')}`;
  const json = JSON.stringify({ name, kind: 'municipality', centreMunicipality: true });
  const payload = Buffer.from(json, 'utf8');
  const half = Math.floor(payload.length / 2);
  let responded = false;
  const req = http.request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/v1/organisations',
    headers: { authorization, 'content-type': 'application/json', 'content-length': String(payload.length) },
  });
  const slow = new Promise<HttpAnswer>((resolve, reject) => {
    req.on('response', (res) => {
      responded = true;
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
  slow.catch(() => undefined); // observed below; keep an early failure from being unhandled
  req.write(payload.subarray(0, half));

  // A reader of the event feed waiting up to 30 s: shutting down answers it at once, so it
  // cannot hold the exit (which must come within 20 s, below) for its 30 seconds.
  // It waits at the head (a position beyond it is refused): the feed publishes no organisation events.
  const head = (JSON.parse((await freshRequest(port, 'GET', `/api/v1/events?afterSeq=0&programmeId=${randomUUID()}`, { authorization })).body) as { lastSeq: number }).lastSeq;
  const waiting = freshRequest(port, 'GET', `/api/v1/events?afterSeq=${head}&waitSeconds=30`, { authorization });
  waiting.catch(() => undefined);

  await sleep(300);
  t.ok(server.child.kill('SIGTERM'), 'SIGTERM was delivered');
  const signalledAt = Date.now();

  // While the slow request is still open, a new connection gets no service.
  await sleep(200);
  t.notOk(responded, 'the slow request has not been answered before its body is complete');
  const probe = await freshRequest(port, 'GET', '/api/v1/organisations', { authorization }).then(
    (res) => ({ kind: 'answered' as const, status: res.status, body: res.body }),
    (error: NodeJS.ErrnoException) => ({ kind: 'refused' as const, code: error.code ?? error.message }),
  );
  t.comment(`new connection after SIGTERM: ${JSON.stringify(probe).slice(0, 300)}`);
  if (probe.kind === 'answered') {
    t.equal(probe.status, 503, `a new connection after SIGTERM is answered 503 (got ${probe.status})`);
    t.ok(probe.status < 200 || probe.status >= 300, 'and never 2xx');
  } else {
    t.match(probe.code, /^(ECONNREFUSED|ECONNRESET|EPIPE)$/, `a new connection after SIGTERM is refused (${probe.code})`);
  }
  t.equal(server.child.exitCode, null, 'the process is still running while a request is in flight');

  await sleep(Math.max(0, 700 - (Date.now() - signalledAt)));
  req.end(payload.subarray(half));

  const answer = await within(slow, 15_000);
  t.not(answer, 'timeout', 'the slow request is answered');
  if (answer !== 'timeout') {
    t.equal(answer.status, 201, `the in-flight request finishes with 201 (body: ${answer.body.slice(0, 300)})`);
    t.match(String(answer.headers['content-type']), /^application\/json/);
    t.equal(answer.headers['api-version'], '1.0.0');
    const organisation = JSON.parse(answer.body) as { id: string; name: string; kind: string; centreMunicipality: boolean };
    t.match(organisation, { name, kind: 'municipality', centreMunicipality: true }, 'with the organisation');
    t.match(organisation.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  }

  const feed = await within(waiting, 15_000);
  t.not(feed, 'timeout', 'the waiting feed reader is answered');
  if (feed !== 'timeout') {
    const page = JSON.parse(feed.body) as { items: unknown[]; lastSeq: number };
    t.same([feed.status, page.items], [200, []], 'with no events, at once');
    t.ok(page.lastSeq >= head, 'from where it waited');
  }

  const exit = await within(server.exited, 20_000);
  t.not(exit, 'timeout', 'the process exits within 20 s of SIGTERM');
  t.same(exit, { code: 0, signal: null }, `with exit code 0 (stderr: ${server.stderr().slice(-500)})`);
  t.notOk(server.stdout().includes(ADMIN_API_KEY), 'the admin key is not in the log');
  t.notOk(server.stderr().includes(ADMIN_API_KEY), 'the admin key is not on stderr');
  if (exit === 'timeout') return;

  // The drained request's change was committed and survives the shutdown.
  const reopened = await openDatabase({ ...(database?.url !== undefined && { databaseUrl: database.url }), dataDir, poolSize: 1 });
  try {
    const result = (await reopened.db.execute(sql`select count(*)::int as n from organisations where name = ${name}`)) as unknown as {
      rows: { n: number }[];
    };
    t.equal(result.rows[0]?.n, 1, 'the organisation of the drained request is in the database');
  } finally {
    await reopened.close();
  }
});
