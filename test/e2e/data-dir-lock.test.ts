import { spawn } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import t, { type Test as TapTest } from 'tap';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../../src/db/client.js';
import { LOCK_FILE } from '../../src/db/data-dir-lock.js';
import { baseEnv, fetchReady, freePort, killGroup, PROJECT_DIR, start, tempDataDir, waitUntilReady, within } from '../helpers/server-process.js';
import { nodeArgs } from '../helpers/project-dir.js';

/**
 * The embedded database belongs to one process: while a server runs on a DATA_DIR, a second
 * server, `npm run seed:demo` and `npm run api-key` refuse at once, with one line, and change
 * nothing; once it has stopped (or died), they work.
 */
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an entry point of the project (compiled, or through tsx: see nodeArgs) to its end, or kills it after a minute. */
function run(env: Record<string, string>, entry: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs([entry], ...args), { cwd: PROJECT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', () => clearTimeout(timer));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every file under `dir` with its size and modification time: what "changes nothing" compares. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    result[path.slice(dir.length)] = `${info.size}:${info.mtimeMs}`;
  }
  return result;
}

function oneLine(t: TapTest, name: string, result: Run, ...patterns: RegExp[]): void {
  t.equal(result.code, 1, `${name} exits with 1`);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  t.equal(lines.length, 1, `${name} says one line on stderr (got ${JSON.stringify(result.stderr)})`);
  for (const pattern of patterns) t.match(lines[0], pattern, `${name}: ${pattern}`);
  t.notMatch(result.stderr, /\n\s+at /, `${name}: no stack trace`);
}

t.test('a second process on a DATA_DIR in use refuses at once, changes nothing, and gets it once the first is gone', async (t) => {
  const dataDir = await tempDataDir(t, 'eszl-lock-');
  const env = { ...baseEnv(), DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1' };
  const port = await freePort();
  const server = start({ ...env, PORT: String(port) });
  t.teardown(() => killGroup(server));
  await waitUntilReady(server, () => fetchReady(`http://127.0.0.1:${port}`), 60_000);
  const pid = server.child.pid!;

  // Frozen, the server holds its lock but cannot write: whatever changes now, a contender changed.
  process.kill(pid, 'SIGSTOP');
  const before = await snapshot(dataDir);
  t.ok(Object.keys(before).length > 10, 'the server has created its database');
  const inUse = new RegExp(`DATA_DIR ${dataDir.replaceAll('/', '\\/')} is in use by another process \\(server, pid ${pid}, since `);

  const secondPort = await freePort();
  const second = await run({ ...env, PORT: String(secondPort) }, 'src/server.ts');
  oneLine(t, 'a second server', second, inUse, /set DATABASE_URL/);
  await t.rejects(fetch(`http://127.0.0.1:${secondPort}/health/live`, { signal: AbortSignal.timeout(1_000) }), 'the second server does not listen');

  const seed = await run(env, 'scripts/seed-demo.ts');
  oneLine(t, 'npm run seed:demo', seed, inUse, /Stop the server/, /SEED_DEMO=true/);
  t.equal(seed.stdout, '', 'seed:demo loaded nothing');

  const key = await run(env, 'src/cli/api-key.ts', 'create', '--role', 'admin', '--name', 'Contender');
  oneLine(t, 'npm run api-key', key, inUse, /Stop the server/);
  t.equal(key.stdout, '', 'no key was printed');

  t.same(await snapshot(dataDir), before, 'no file in DATA_DIR was created, removed or written');
  process.kill(pid, 'SIGCONT');
  t.equal((await fetch(`http://127.0.0.1:${port}/health/ready`)).status, 200, 'the first server serves on');

  process.kill(pid, 'SIGTERM');
  t.not(await within(server.exited, 20_000), 'timeout', 'the first server stops');
  const seeded = await run(env, 'scripts/seed-demo.ts');
  t.equal(seeded.code, 0, `seed:demo works once the server has stopped (${seeded.stderr})`);
  t.match(seeded.stdout, /Loaded the demo story/);

  // A lock left by a process that died without releasing it (kill -9, a power cut) is stale.
  const gone = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const gonePid = gone.pid!;
  await new Promise((resolve) => gone.on('exit', resolve));
  await writeFile(join(dataDir, LOCK_FILE), JSON.stringify({ pid: gonePid, hostname: 'vm', command: 'server', since: '2026-01-01T00:00:00.000Z' }));
  const created = await run(env, 'src/cli/api-key.ts', 'create', '--role', 'admin', '--name', 'After a crash');
  t.equal(created.code, 0, `api-key takes over the lock of a process that is gone (${created.stderr})`);
  t.match(created.stdout, /^eszl_[A-Za-z0-9_-]{43}\n$/, 'and prints the new key, alone, on stdout');

  // So is one that a dying process left half-written.
  await writeFile(join(dataDir, LOCK_FILE), '{"pid":');
  const listed = await run(env, 'src/cli/api-key.ts', 'list');
  t.equal(listed.code, 0, `a half-written lock is taken over too (${listed.stderr})`);
  t.match(listed.stdout, /admin\s+active\s+\S+\s+After a crash/);
  await t.rejects(stat(join(dataDir, LOCK_FILE)), 'and every process released the lock when it ended');

  // The key made on the command line is in the audit trail, by the system.
  const database = await openDatabase({ dataDir });
  try {
    const created = await queryRows<{ role: string; name: string }>(
      database.db,
      sql`select actor_role as role, data->'apiKey'->>'name' as name from audit_events where action = 'apikey.created' order by seq`,
    );
    t.same(created, [{ role: 'system', name: 'After a crash' }], 'api-key create is audited (apikey.created, actor system)');
  } finally {
    await database.close();
  }
});
