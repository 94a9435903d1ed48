import { randomBytes } from 'node:crypto';
import t from 'tap';
import {
  baseEnv,
  fetchReady,
  freePort,
  killGroup,
  serverDatabase,
  start,
  tempDataDir,
  waitUntilReady,
  within,
  type Started,
} from '../helpers/server-process.js';

/**
 * The real server, started as a user starts it (`npm start`: build, then `node dist/server.js`),
 * spoken to over real HTTP, and stopped with SIGTERM.
 */
const ADMIN_API_KEY = `e2e-admin-${randomBytes(15).toString('hex')}`; // 40 characters

/** The pid of the node process serving, as its own log lines tell (npm and sh sit in between). */
function serverPid(started: Started): number {
  for (const line of started.stdout().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const pid = (JSON.parse(line) as { pid?: unknown }).pid;
      if (typeof pid === 'number') return pid;
    } catch {
      // not a log line
    }
  }
  throw new Error(`no log line with a pid:\n${started.stdout().slice(-2000)}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

t.test('starts with npm start, serves over HTTP and stops cleanly on SIGTERM', async (t) => {
  const dataDir = await tempDataDir(t, 'eszl-e2e-');
  // Dropped (and its pool closed) only at the end, after the server is gone.
  const database = await serverDatabase(t);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // A process group of its own, so teardown can stop npm and the node process it started.
  const server = start(
    {
      ...baseEnv('npm_config_cache'),
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...(database?.url !== undefined && { DATABASE_URL: database.url }),
    },
    { command: 'npm', args: ['start'] },
  );
  t.teardown(() => killGroup(server));

  // `npm start` builds first (tsc), so the budget covers the build as well as the start.
  await waitUntilReady(server, () => fetchReady(baseUrl), 120_000);

  const ready = await fetch(`${baseUrl}/health/ready`);
  t.equal(ready.status, 200, '/health/ready');
  t.equal(ready.headers.get('api-version'), '1.0.0');

  const openapi = await fetch(`${baseUrl}/api/v1/openapi.json`, { headers: { origin: 'https://portal.example.org' } });
  t.equal(openapi.status, 200, 'the OpenAPI document');
  t.equal(openapi.headers.get('access-control-allow-origin'), '*');
  const document = (await openapi.json()) as { openapi: string; servers: { url: string }[] };
  t.match(document.openapi, /^3\.1\./);
  t.equal(document.servers[0]?.url, '/api/v1');

  const docs = await fetch(`${baseUrl}/docs`, { redirect: 'follow' });
  t.equal(docs.status, 200, 'the Swagger UI');
  t.match(String(docs.headers.get('content-type')), /^text\/html/);
  t.match(await docs.text(), /swagger/i);

  const unauthenticated = await fetch(`${baseUrl}/api/v1/organisations`);
  t.equal(unauthenticated.status, 401, 'the API needs a key');
  t.match(String(unauthenticated.headers.get('content-type')), /^application\/problem\+json/);

  const authorization = `Bearer ${ADMIN_API_KEY}`;
  const create = await fetch(`${baseUrl}/api/v1/organisations`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json', 'x-request-id': 'e2e-create-1' },
    body: JSON.stringify({ name: 'Gemeente Maastricht', kind: 'municipality', centreMunicipality: true }),
  });
  t.equal(create.status, 201, 'the admin key from ADMIN_API_KEY creates an organisation');
  t.equal(create.headers.get('x-request-id'), 'e2e-create-1');
  t.equal(create.headers.get('x-content-type-options'), 'nosniff');
  const created = (await create.json()) as { id: string; name: string };
  t.equal(created.name, 'Gemeente Maastricht');

  const read = await fetch(`${baseUrl}/api/v1/organisations/${created.id}`, { headers: { authorization } });
  t.equal(read.status, 200, 'and reads it back');
  t.same(await read.json(), created);

  // SIGTERM goes to the node process, as an orchestrator sends it (`docker stop` to PID 1). npm does
  // not wait for its script when it is signalled itself, but it does exit with the script's code.
  const pid = serverPid(server);
  t.not(pid, server.child.pid, 'the server runs under npm');
  process.kill(pid, 'SIGTERM');
  const exit = await within(server.exited, 20_000);
  t.not(exit, 'timeout', 'the process exits within 20 s of SIGTERM');
  t.same(exit, { code: 0, signal: null }, 'npm start ends with exit code 0, the server\'s');
  t.equal(isRunning(pid), false, 'the server process is gone');
  t.match(server.stdout(), /shutting down/, 'it logged the shutdown');
  t.notOk(server.stdout().includes(ADMIN_API_KEY), 'the admin key is not in the log');
  t.notOk(server.stderr().includes(ADMIN_API_KEY), 'the admin key is not on stderr');
});

t.test('refuses to start with a short ADMIN_API_KEY, naming it on one line', async (t) => {
  const dataDir = await tempDataDir(t, 'eszl-e2e-');
  const port = await freePort();

  for (const key of ['short', 'Secret-but-31-characters-long!!']) {
    const server = start(
      {
        ...baseEnv('npm_config_cache'),
        PORT: String(port),
        HOST: '127.0.0.1',
        ADMIN_API_KEY: key,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
      { command: process.execPath, args: ['dist/server.js'] },
    );
    t.teardown(() => killGroup(server));
    const exit = await within(server.exited, 20_000);
    t.not(exit, 'timeout', 'the process exits');
    if (exit === 'timeout') continue;
    t.equal(exit.signal, null);
    t.not(exit.code, 0, `exits non-zero (${exit.code})`);
    const lines = server.stderr().split('\n').filter((line) => line.trim() !== '');
    t.equal(lines.length, 1, `exactly one line on stderr (got: ${JSON.stringify(server.stderr())})`);
    t.match(lines[0], /ADMIN_API_KEY/, 'the line names ADMIN_API_KEY');
    t.notMatch(lines[0], /\n\s+at /, 'no stack trace');
    if (key !== 'short') t.notOk(server.stderr().includes(key), 'the line does not show the value');
    await t.rejects(fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1_000) }), 'nothing listens');
  }
});
