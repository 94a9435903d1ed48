import t from 'tap';
import {
  baseEnv,
  fetchReady,
  freePort,
  killGroup,
  start,
  tempDataDir,
  waitUntilReady,
  within,
  type Started,
} from '../helpers/server-process.js';

/**
 * Stopping `npm start` by npm's own PID stops the server. npm 11 forwards SIGTERM and SIGINT to
 * the shell that runs the script; a shell that stays between npm and node (dash runs `node ...`
 * as its child) dies of the signal and leaves node running as an orphan. The start script
 * therefore `exec`s node, so the process npm signals is the server itself.
 */

/** The pid of the node process serving, as its own log lines tell. */
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

t.test('SIGTERM to the PID of npm start stops the server it started, gracefully', async (t) => {
  const dataDir = await tempDataDir(t, 'eszl-npm-start-');
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const npm = start(
    { ...baseEnv('npm_config_cache'), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    { command: 'npm', args: ['start'] },
  );
  t.teardown(() => killGroup(npm));
  // `npm start` builds first (tsc, skipped when dist/ is up to date).
  await waitUntilReady(npm, () => fetchReady(baseUrl), 120_000);

  const server = serverPid(npm);
  t.not(server, npm.child.pid, 'the server is a process of its own under npm');
  npm.child.kill('SIGTERM');

  const exit = await within(npm.exited, 20_000);
  t.not(exit, 'timeout', 'npm exits within 20 s');
  t.same(exit, { code: 0, signal: null }, "npm ends with the server's exit code, 0");
  t.equal(isRunning(server), false, 'the server process is gone, not orphaned');
  t.match(npm.stdout(), /shutting down/, 'the server logged its graceful shutdown');
  await t.rejects(fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(1_000) }), 'nothing listens on the port any more');
});
